//! Unit tests of the records: every code is the one the plan and the executor name.

use super::*;
use std::time::Duration;

#[test]
fn codes_are_the_ones_the_plan_and_executor_name() {
    let reasons = [
        Reason::UserSession,
        Reason::ConsoleIncluded,
        Reason::OwnSessionIncluded,
        Reason::Console,
        Reason::Services,
        Reason::Listener,
        Reason::NoUser,
        Reason::OwnSession,
        Reason::OwnUser,
        Reason::OwnUserIncluded,
        Reason::UnknownState("x".into()),
        Reason::NotUnderstood("x".into()),
        Reason::FilteredOut("x".into()),
        Reason::NoLongerMatches("x".into()),
        Reason::AlreadyDisconnected,
    ];
    for r in &reasons {
        assert_eq!(ReasonCode::from(r).as_str(), r.code(), "{r:?}");
    }
    let outcomes = [
        Outcome::LoggedOff,
        Outcome::Disconnected,
        Outcome::AlreadyGone("x".into()),
        Outcome::Failed("x".into()),
        Outcome::TimedOut(Duration::from_secs(1)),
        Outcome::LoggedOffUnverified("x".into()),
        Outcome::GoneBeforeLogoff("x".into()),
        Outcome::ReusedId("x".into()),
        Outcome::StillPresent("x".into()),
        Outcome::Reset("x".into()),
        Outcome::ResetFailed("x".into()),
        Outcome::NotRun,
        Outcome::AfterReport,
    ];
    for o in &outcomes {
        let code = OutcomeCode::from(o);
        assert_eq!(code.as_str(), o.code(), "{o:?}");
        assert_eq!(code.is_failure(), !o.is_success() && *o != Outcome::NotRun);
    }
    let action = |a, v| code_text(&ActionCode::of(a, v));
    assert_eq!(action(Action::Logoff, Verb::Logoff), "logoff");
    assert_eq!(action(Action::Logoff, Verb::Disconnect), "disconnect");
    assert_eq!(action(Action::Skip, Verb::Disconnect), "skip");
    for w in [Warned::Sent, Warned::Failed("x".into()), Warned::NotActive] {
        assert_eq!(code_text(&WarnCode::from(&w)), w.code());
    }
}

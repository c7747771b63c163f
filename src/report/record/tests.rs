//! Unit tests of the records: the codes programs filter on keep their spelling, and an
//! outcome's failure bit agrees with its success.

use super::*;
use crate::plan::Reason;
use std::time::Duration;

/// A code as serde writes it into JSON and the audit log.
fn code_text<T: Serialize>(code: &T) -> String {
    match serde_json::to_value(code) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

#[test]
fn codes_keep_the_spelling_programs_filter_on() {
    let reasons = [
        (Reason::OwnSessionIncluded, "own_session_included"),
        (Reason::DuplicateId("x".into()), "duplicate_id"),
        (Reason::NoLongerMatches("x".into()), "no_longer_matches"),
    ];
    for (r, code) in &reasons {
        assert_eq!(r.code(), *code, "{r:?}");
        assert_eq!(code_text(&ReasonCode::from(r)), *code);
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
        assert_eq!(code_text(&code), o.code(), "{o:?}");
        assert_eq!(code.is_failure(), !o.is_success() && *o != Outcome::NotRun);
    }
    assert_eq!(
        Outcome::LoggedOffUnverified("x".into()).code(),
        "logged_off_unverified"
    );
    let action = |a, v| code_text(&action_code(a, v));
    assert_eq!(action(Action::Logoff, Verb::Logoff), "logoff");
    assert_eq!(action(Action::Logoff, Verb::Disconnect), "disconnect");
    assert_eq!(action(Action::Skip, Verb::Disconnect), "skip");
    for (w, code) in [
        (Warned::Sent, "sent"),
        (Warned::Failed("x".into()), "failed"),
        (Warned::NotActive, "not_active"),
    ] {
        assert_eq!(code_text(&WarnCode::from(&w)), code);
    }
}

//! Unit tests of the logoff loop on a fake host.

use super::*;
use crate::act::gate::{self, Act, Evidence, Phase, Rules};
use crate::decode::{decode, CodePage};
use crate::host::fake::{exited, timed_out, FakeHost};
use crate::host::Call;
use crate::plan::{plan, Options};
use crate::table::parse::parse;
use crate::vocab::ServerName;
use std::cell::RefCell;

mod parallel;

const TABLE: &str = " SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE
 services                                    0  Disc
>rdp-tcp#2         admin                     2  Active
                   bob                       4  Disc
 rdp-tcp#5         carol                     5  Active
 rdp-tcp#6         dave                      6  Active
 rdp-tcp#7         erin                      7  Active
";

fn the_plan() -> Plan {
    let table = parse(&decode(TABLE.as_bytes(), CodePage::Default(437)).unwrap()).unwrap();
    plan(
        table,
        Options {
            include_self: true,
            ..Options::default()
        },
    )
}

/// The logoffs of a test: through `fake`, 1 s each, never stopped.
fn logoff(fake: &FakeHost, verb: Verb) -> Logoff<'_> {
    Logoff {
        host: fake,
        timeout: Duration::from_secs(1),
        text: &|b| String::from_utf8_lossy(b).into_owned(),
        stop: &|| false,
        verb,
        parallel: 1,
    }
}

/// The gate's approval of entry `index` of `plan` on `server` (the own session in the last
/// phase, the others in the main one), on `plan` itself as the latest table.
fn approve(plan: &Plan, index: usize, server: Option<&ServerName>, verb: Verb) -> Check<'static> {
    let entry = &plan.entries[index];
    let evidence = Evidence {
        server,
        entry,
        latest: plan,
        age: Duration::ZERO,
        checked: "the test's table",
        warned: None,
    };
    let rules = Rules {
        max_age: Duration::from_secs(10),
        stopping: false,
        phase: if entry.current {
            Phase::Last
        } else {
            Phase::Main
        },
        unwarned: false,
    };
    Check::Go(gate::decide(Act::Verb(verb), &evidence, &rules).unwrap())
}

fn codes(outcomes: &[Option<Outcome>]) -> Vec<Option<&'static str>> {
    outcomes
        .iter()
        .map(|o| o.as_ref().map(Outcome::code))
        .collect()
}

#[test]
fn failures_and_timeouts_never_stop_the_rest_and_own_session_goes_last() {
    let fake = FakeHost::new(|call, _| match call {
        Call::Logoff(id) if id.get() == 4 => exited(1, "", "Error [5]: Access is denied."),
        Call::Logoff(id) if id.get() == 5 => timed_out(Duration::from_secs(1)),
        Call::Logoff(id) if id.get() == 6 => exited(1, "", "Session ID 6 not found"),
        Call::Logoff(id) if id.get() == 7 => exited(0, "", "Could not logoff session ID 7"),
        _ => exited(0, "", ""),
    });
    let plan = the_plan();
    let server = ServerName::parse("TS01").unwrap();
    let seen = RefCell::new(vec![]);
    let checks = RefCell::new(vec![]);
    let mut outcomes = vec![None; plan.entries.len()];
    execute(
        &plan,
        &mut outcomes,
        &logoff(&fake, Verb::Logoff),
        &mut |i, after_failure| {
            checks.borrow_mut().push((i, after_failure));
            approve(&plan, i, Some(&server), Verb::Logoff)
        },
        &mut |_| {},
        &mut |i, _| seen.borrow_mut().push(i),
    );
    let calls = fake.argvs();
    let ids: Vec<&str> = calls.iter().map(|c| c[0].as_str()).collect();
    assert_eq!(ids, ["4", "5", "6", "7", "2"]);
    assert!(calls.iter().all(|c| c[1] == "/server:TS01" && c.len() == 2));
    assert_eq!(
        codes(&outcomes),
        [
            None,
            Some("logged_off_unverified"),
            Some("failed"),
            Some("timed_out"),
            Some("already_gone"),
            Some("failed")
        ]
    );
    assert_eq!(seen.into_inner(), [2, 3, 4, 5, 1]);
    // The logoff after a failure or a timeout is re-checked first.
    assert_eq!(
        checks.into_inner(),
        [(2, false), (3, true), (4, true), (5, false), (1, true)]
    );
}

#[test]
fn the_check_settles_drops_or_stops_logoffs_without_running_them() {
    let fake = FakeHost::new(|_, _| exited(0, "", ""));
    let plan = the_plan();
    let mut outcomes = vec![None; plan.entries.len()];
    execute(
        &plan,
        &mut outcomes,
        &logoff(&fake, Verb::Logoff),
        &mut |i, _| match i {
            2 => Check::Settled(Outcome::GoneBeforeLogoff("gone".into())),
            3 => Check::Dropped,
            4 => approve(&plan, i, None, Verb::Logoff),
            _ => Check::Stop,
        },
        &mut |_| {},
        &mut |_, _| {},
    );
    assert_eq!(fake.argvs(), [vec!["6".to_string()]]);
    assert_eq!(
        codes(&outcomes),
        [
            None,
            Some("not_run"),
            Some("gone_before_logoff"),
            None,
            Some("logged_off_unverified"),
            Some("not_run")
        ]
    );
}

#[test]
fn every_outcome_has_a_distinct_listed_code() {
    let all = [
        Outcome::LoggedOff,
        Outcome::LoggedOffUnverified(String::new()),
        Outcome::Disconnected,
        Outcome::AlreadyGone(String::new()),
        Outcome::GoneBeforeLogoff(String::new()),
        Outcome::ReusedId(String::new()),
        Outcome::Failed(String::new()),
        Outcome::TimedOut(Duration::ZERO),
        Outcome::StillPresent(String::new()),
        Outcome::Reset(String::new()),
        Outcome::ResetFailed(String::new()),
        Outcome::NotRun,
    ];
    let codes: Vec<&str> = all.iter().map(Outcome::code).collect();
    let distinct: std::collections::BTreeSet<&str> = codes.iter().copied().collect();
    assert_eq!(distinct.len(), codes.len(), "{codes:?}");
    for o in &all {
        let listed = crate::act::outcome::OutcomeCode::from(o);
        assert_eq!(listed.as_str(), o.code());
        assert!(!listed.words().is_empty());
    }
    assert!(!Outcome::StillPresent(String::new()).is_success());
    assert!(!Outcome::ResetFailed(String::new()).is_success());
}

#[test]
fn disconnect_runs_tsdiscon_and_done_means_disconnected_after_the_same_check() {
    let fake = FakeHost::new(|call, _| match call {
        Call::Disconnect(id) if id.get() == 4 => exited(1, "", "Error [5]: Access is denied."),
        _ => exited(0, "", ""),
    });
    let plan = the_plan();
    let checks = RefCell::new(vec![]);
    let mut outcomes = vec![None; plan.entries.len()];
    execute(
        &plan,
        &mut outcomes,
        &logoff(&fake, Verb::Disconnect),
        &mut |i, after_failure| {
            checks.borrow_mut().push((i, after_failure));
            match i {
                3 => Check::Settled(Outcome::ReusedId("now frank".into())),
                _ => approve(&plan, i, None, Verb::Disconnect),
            }
        },
        &mut |_| {},
        &mut |_, _| {},
    );
    let calls = fake.calls.lock().unwrap().clone();
    let tools: Vec<&str> = calls.iter().map(|(tool, _)| tool.as_str()).collect();
    assert!(tools.iter().all(|t| t.starts_with("tsdiscon")), "{tools:?}");
    assert_eq!(tools.len(), 4);
    let ids: Vec<&str> = calls.iter().map(|(_, argv)| argv[0].as_str()).collect();
    assert_eq!(ids, ["4", "6", "7", "2"]);
    // The check runs before every disconnect too, and again after a failed one.
    assert_eq!(
        checks.into_inner(),
        [(2, false), (3, true), (4, false), (5, false), (1, false)]
    );
    assert_eq!(
        codes(&outcomes),
        [
            None,
            Some("disconnected"),
            Some("failed"),
            Some("reused_id"),
            Some("disconnected"),
            Some("disconnected")
        ]
    );
}

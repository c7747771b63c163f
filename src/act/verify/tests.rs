//! Unit tests of verification and reset with scripted tables.

use super::*;
use crate::decode::{decode, CodePage};
use crate::host::fake::{exited, FakeHost};
use crate::plan::{plan, Options};
use crate::table::parse::parse;
use std::cell::Cell;

const HEAD: &str = " SESSIONNAME       USERNAME                 ID  STATE\n";

fn plan_of(rows: &str) -> Plan {
    let text = format!("{HEAD}{rows}");
    plan(
        parse(&decode(text.as_bytes(), CodePage::Default(437)).unwrap()).unwrap(),
        Options::default(),
    )
}

const ALL: &str = " rdp-tcp#1         alice                     3  Active
                   bob                       4  Down
 rdp-tcp#5         carol                     5  Active
";

fn logged_off(p: &Plan) -> Vec<Option<Outcome>> {
    p.entries
        .iter()
        .map(|_| Some(Outcome::LoggedOffUnverified("x".into())))
        .collect()
}

fn codes(outcomes: &[Option<Outcome>]) -> Vec<&'static str> {
    outcomes.iter().flatten().map(Outcome::code).collect()
}

#[test]
fn sessions_that_go_are_logged_off_and_one_that_stays_is_still_present() {
    let p = plan_of(ALL);
    let mut outcomes = logged_off(&p);
    // First look: all listed; second: 3 gone, 5 now someone else's; 4 stays until the end.
    let looks = Cell::new(0);
    let mut poll = || {
        looks.set(looks.get() + 1);
        Ok(match looks.get() {
            1 => plan_of(ALL),
            _ => plan_of("                   bob                       4  Down\n rdp-tcp#5         mallory                   5  Active\n"),
        })
    };
    let started = Instant::now();
    let stuck = verify(
        &p,
        &mut outcomes,
        Look {
            wait: Duration::from_millis(1200),
            poll: &mut poll,
            stop: &|| false,
        },
    );
    assert!(started.elapsed() >= Duration::from_millis(1200));
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(stuck, [1]);
    assert_eq!(
        codes(&outcomes),
        ["logged_off", "still_present", "logged_off"]
    );
    let m = outcomes[1].as_ref().unwrap().message().unwrap();
    assert!(
        m.contains("still listed ID 4 (user \"bob\", no session name)"),
        "{m}"
    );
    // 500 ms, then 700 ms (the rest of the wait): three looks.
    assert_eq!(looks.get(), 3);
}

#[test]
fn zero_wait_a_failed_query_or_ctrl_c_leave_it_unverified_and_say_why() {
    let p = plan_of(ALL);
    let mut outcomes = logged_off(&p);
    let mut never = || -> Result<Plan, String> { panic!("no look with --verify-wait 0") };
    let stuck = verify(
        &p,
        &mut outcomes,
        Look {
            wait: Duration::ZERO,
            poll: &mut never,
            stop: &|| false,
        },
    );
    assert!(stuck.is_empty());
    assert!(outcomes[0]
        .as_ref()
        .unwrap()
        .message()
        .unwrap()
        .contains("--verify-wait 0"));

    let mut outcomes = logged_off(&p);
    let mut failing = || Err("RPC server unavailable".to_string());
    verify(
        &p,
        &mut outcomes,
        Look {
            wait: Duration::from_millis(600),
            poll: &mut failing,
            stop: &|| false,
        },
    );
    assert_eq!(codes(&outcomes), ["logged_off_unverified"; 3]);
    assert!(outcomes[2]
        .as_ref()
        .unwrap()
        .message()
        .unwrap()
        .contains("RPC server unavailable"));

    let mut outcomes = logged_off(&p);
    let mut same = || Ok(plan_of(ALL));
    verify(
        &p,
        &mut outcomes,
        Look {
            wait: Duration::from_secs(30),
            poll: &mut same,
            stop: &|| true,
        },
    );
    assert!(outcomes[0]
        .as_ref()
        .unwrap()
        .message()
        .unwrap()
        .contains("Ctrl-C"));
}

#[test]
fn reset_runs_only_on_the_same_session_still_listed() {
    let p = plan_of(ALL);
    let mut outcomes: Vec<Option<Outcome>> = vec![Some(Outcome::StillPresent("stuck".into())); 3];
    let fake = FakeHost::new(|call, _| match call {
        Call::Reset(id) if id.get() == 5 => exited(1, "", "Error [5]:Access is denied."),
        _ => exited(0, "", ""),
    });
    // 3 is gone by the look before its reset; 4 and 5 are still there.
    let mut poll = || {
        Ok(plan_of("                   bob                       4  Down\n rdp-tcp#5         carol                     5  Active\n"))
    };
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let server = ServerName::parse("TS01").unwrap();
    reset_stuck(
        &p,
        &mut outcomes,
        &[0, 1, 2],
        Reset {
            host: &fake,
            server: Some(&server),
            timeout: Duration::from_secs(1),
            text: &text,
            poll: &mut poll,
            stop: &|| false,
        },
    );
    assert_eq!(
        fake.argvs(),
        [
            vec!["session".to_string(), "4".into(), "/server:TS01".into()],
            vec!["session".to_string(), "5".into(), "/server:TS01".into()]
        ]
    );
    assert_eq!(codes(&outcomes), ["logged_off", "reset", "reset_failed"]);
    assert!(outcomes[2]
        .as_ref()
        .unwrap()
        .message()
        .unwrap()
        .contains("Access is denied"));
}

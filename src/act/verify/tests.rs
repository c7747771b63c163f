//! Unit tests of verification and reset with scripted tables.

use super::*;
use crate::act::gate::Phase;
use crate::decode::{decode, CodePage};
use crate::host::fake::{exited, FakeHost};
use crate::host::Call;
use crate::plan::{plan, Options};
use crate::table::parse::parse;
use crate::vocab::ServerName;
use std::cell::{Cell, RefCell};

mod reset;

const HEAD: &str = " SESSIONNAME       USERNAME                 ID  STATE\n";

/// The gate's rules in the main part of a run.
fn rules() -> Rules {
    Rules {
        max_age: Duration::from_secs(10),
        stopping: false,
        phase: Phase::Main,
        unwarned: false,
    }
}

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
            note: &|_, _| {},
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
        m.contains("still listed ID 4 (user \"bob\", no session name, state \"Down\")"),
        "{m}"
    );
    // At once, 1 s later, then at the end of the wait: three looks.
    assert_eq!(looks.get(), 3);
}

#[test]
fn a_look_ends_about_a_second_after_the_one_before_began_and_never_overlaps_it() {
    let began = Instant::now();
    let after = |took_ms: u64| next_look(began, Duration::from_millis(took_ms)) - began;
    // A quick server: every second; a 200 ms query starts 800 ms after the last one began.
    assert_eq!(after(0), Duration::from_millis(1000));
    assert_eq!(after(200), Duration::from_millis(800));
    // A slow one: a quarter of a second after the last one ended.
    assert_eq!(after(900), Duration::from_millis(1150));
    assert_eq!(after(3000), Duration::from_millis(3250));
    for took in 0..3000 {
        let gap = after(took);
        assert!(gap >= Duration::from_millis(625), "{took} ms: {gap:?}");
        assert!(gap >= Duration::from_millis(took) + LEAST_PAUSE);
        // Seen at most about a second late when the query takes the same time again.
        let late = gap + Duration::from_millis(took);
        assert!(
            late <= LOOK_EVERY.max(Duration::from_millis(2 * took) + LEAST_PAUSE),
            "{took} ms: {late:?}"
        );
    }
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
            note: &|_, _| {},
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
            note: &|_, _| {},
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
            note: &|_, _| {},
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
fn verify_compares_id_user_and_session_name_and_quotes_what_the_table_showed() {
    // alice active as rdp-tcp#1; bob disconnected (no name); carol active as rdp-tcp#5.
    let p = plan_of(
        " rdp-tcp#1         alice                     3  Active
                   bob                       4  Disc
 rdp-tcp#5         carol                     5  Active
",
    );
    let mut outcomes = logged_off(&p);
    // alice disconnected (name dropped): still there. bob reconnected (gained a name): still
    // there. carol's ID holds her under another name: a new logon, or her session
    // disconnected and reconnected between two looks; not called gone. Only alice, shown as the
    // same session on every look, may be reset.
    let mut poll = || {
        Ok(plan_of(
            "                   alice                     3  Disc
 rdp-tcp#8         bob                       4  Active
 rdp-tcp#9         carol                     5  Active
",
        ))
    };
    let notes = RefCell::new(Vec::new());
    let stuck = verify(
        &p,
        &mut outcomes,
        Look {
            wait: Duration::from_millis(300),
            poll: &mut poll,
            stop: &|| false,
            note: &|i, m: &str| notes.borrow_mut().push(format!("{i}: {m}")),
        },
    );
    assert_eq!(stuck, [0]);
    assert_eq!(
        codes(&outcomes),
        ["still_present", "still_present", "still_present"]
    );
    let m = outcomes[0].as_ref().unwrap().message().unwrap();
    assert!(
        m.contains("still listed ID 3 (user \"alice\", no session name, state \"Disc\")"),
        "{m}"
    );
    let m = outcomes[1].as_ref().unwrap().message().unwrap();
    assert!(
        m.contains("ID 4 (user \"bob\", session \"rdp-tcp#8\", state \"Active\")"),
        "{m}"
    );
    assert!(m.contains("reconnected") && m.contains("not reset"), "{m}");
    let m = outcomes[2].as_ref().unwrap().message().unwrap();
    assert!(
        m.contains("session \"rdp-tcp#9\"") && m.contains("the same user under another"),
        "{m}"
    );
    assert!(notes.into_inner().is_empty());
}

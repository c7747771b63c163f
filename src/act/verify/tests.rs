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
fn reset_runs_only_on_the_same_session_still_listed() {
    let p = plan_of(ALL);
    let mut outcomes: Vec<Option<Outcome>> = vec![Some(Outcome::StillPresent("stuck".into())); 3];
    let fake = FakeHost::new(|call, _| match call {
        Call::Reset(id) if id.get() == 5 => exited(1, "", "Error [5]:Access is denied."),
        _ => exited(0, "", ""),
    });
    // 3 is gone by the look before its reset; 4 and 5 are still there. 4 is gone from the
    // look after its reset (the third look), which is what makes it `reset`.
    let looks = Cell::new(0);
    let mut poll = || {
        looks.set(looks.get() + 1);
        let bob = if looks.get() <= 2 {
            "                   bob                       4  Down\n"
        } else {
            ""
        };
        Ok(plan_of(&format!(
            "{bob} rdp-tcp#5         carol                     5  Active\n"
        )))
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
            note: &|_, _| {},
            rules: &rules,
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
    assert!(outcomes[1]
        .as_ref()
        .unwrap()
        .message()
        .unwrap()
        .contains("no longer lists it"));
    assert!(outcomes[2]
        .as_ref()
        .unwrap()
        .message()
        .unwrap()
        .contains("Access is denied"));
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs `reset_stuck` on every entry of `p` (all `still_present`) with `tables` as the answers
/// of successive looks (the last repeats; `None` is a failed query); returns the outcomes,
/// the `reset` argument lists and the notes.
fn reset_with(
    p: &Plan,
    fake: &FakeHost,
    tables: &[Option<&str>],
) -> (Vec<Option<Outcome>>, Vec<Vec<String>>, Vec<String>) {
    let mut outcomes: Vec<Option<Outcome>> =
        vec![Some(Outcome::StillPresent("stuck".into())); p.entries.len()];
    let looks = Cell::new(0);
    let mut poll = || {
        let k = looks.get().min(tables.len() - 1);
        looks.set(looks.get() + 1);
        tables[k]
            .map(plan_of)
            .ok_or_else(|| "RPC server unavailable".to_string())
    };
    let notes = RefCell::new(Vec::new());
    let stuck: Vec<usize> = (0..p.entries.len()).collect();
    reset_stuck(
        p,
        &mut outcomes,
        &stuck,
        Reset {
            host: fake,
            server: None,
            timeout: Duration::from_secs(1),
            text: &text,
            poll: &mut poll,
            stop: &|| false,
            note: &|i, m: &str| notes.borrow_mut().push(format!("{i}: {m}")),
            rules: &rules,
        },
    );
    (outcomes, fake.argvs(), notes.into_inner())
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

#[test]
fn reset_never_runs_on_a_new_session_a_reconnected_one_or_an_unclear_id() {
    let p = plan_of(
        " rdp-tcp#1         alice                     3  Active
                   bob                       4  Disc
 rdp-tcp#5         carol                     5  Active
 rdp-tcp#6         dave                      6  Active
",
    );
    let fake = FakeHost::new(|_, _| exited(0, "", ""));
    // 3: alice under another name (a new logon, or reconnected); 4: bob reconnected (or
    // logged on again); 5: on two rows; 6: disconnected meanwhile (name dropped): the same
    // session as far as the table tells, but it may be a new logon of dave that disconnected,
    // and a reset needs the planned name: nobody is reset.
    let (outcomes, argvs, notes) = reset_with(
        &p,
        &fake,
        &[Some(
            " rdp-tcp#7         alice                     3  Active
 rdp-tcp#8         bob                       4  Active
 rdp-tcp#5         carol                     5  Active
 rdp-tcp#5         carol                     5  Active
                   dave                      6  Disc
",
        )],
    );
    assert!(argvs.is_empty(), "{argvs:?}");
    assert_eq!(
        codes(&outcomes),
        [
            "still_present",
            "still_present",
            "still_present",
            "still_present"
        ]
    );
    assert!(notes.is_empty(), "{notes:?}");
    let m = outcomes[0].as_ref().unwrap().message().unwrap();
    assert!(m.contains("not reset") && m.contains("rdp-tcp#7"), "{m}");
    let m = outcomes[1].as_ref().unwrap().message().unwrap();
    assert!(
        m.contains("not reset") && m.contains("session \"rdp-tcp#8\""),
        "{m}"
    );
    let m = outcomes[2].as_ref().unwrap().message().unwrap();
    assert!(m.contains("not reset") && m.contains("2 rows"), "{m}");
    let m = outcomes[3].as_ref().unwrap().message().unwrap();
    assert!(
        m.contains("not reset") && m.contains("a reset needs the planned session name"),
        "{m}"
    );
}

#[test]
fn a_reset_answered_not_found_is_logged_off_only_once_a_fresh_table_confirms_it() {
    let p = plan_of(" rdp-tcp#1         alice                     3  Active\n");
    let still = " rdp-tcp#1         alice                     3  Active\n";
    let gone = " rdp-tcp#5         carol                     5  Active\n";
    let not_found = || FakeHost::new(|_, _| exited(1, "", "Session ID 3 not found"));
    // The look before the reset lists it; the look after the answer decides.
    for (after, code) in [
        (Some(gone), "logged_off"),
        (Some(still), "reset_failed"),
        (None, "still_present"),
    ] {
        let fake = not_found();
        let (outcomes, argvs, _) = reset_with(&p, &fake, &[Some(still), after]);
        assert_eq!(argvs.len(), 1);
        assert_eq!(codes(&outcomes), [code], "{outcomes:?}");
        if let Some(m) = outcomes[0].as_ref().unwrap().message() {
            assert!(m.contains("Session ID 3 not found"), "{m}");
        }
    }
}

/// Issue 20: `--reset-stuck` reported `reset` without checking that the session went. A reset
/// that exits 0 while the next table still lists the session is `reset_failed`.
#[test]
fn a_reset_that_exits_0_but_leaves_the_session_listed_is_reset_failed() {
    let p = plan_of(" rdp-tcp#5         carol                     5  Active\n");
    let mut outcomes = vec![Some(Outcome::StillPresent("stuck".into()))];
    let fake = FakeHost::new(|_, _| exited(0, "", ""));
    let mut poll = || {
        Ok(plan_of(
            " rdp-tcp#5         carol                     5  Down\n",
        ))
    };
    reset_stuck(
        &p,
        &mut outcomes,
        &[0],
        Reset {
            host: &fake,
            server: None,
            timeout: Duration::from_secs(1),
            text: &text,
            poll: &mut poll,
            stop: &|| false,
            note: &|_, _| {},
            rules: &rules,
        },
    );
    assert_eq!(codes(&outcomes), ["reset_failed"]);
    let m = outcomes[0].as_ref().unwrap().message().unwrap();
    assert!(
        m.contains("exited 0, but query session still listed"),
        "{m}"
    );
}

#[test]
fn ctrl_c_during_the_look_before_a_reset_means_no_reset() {
    let p = plan_of(ALL);
    let mut outcomes: Vec<Option<Outcome>> = vec![Some(Outcome::StillPresent("stuck".into())); 3];
    let fake = FakeHost::new(|_, _| exited(0, "", ""));
    let stopped = Cell::new(false);
    // Ctrl-C comes while the look before the first reset runs; the look still shows the same
    // sessions.
    let mut poll = || {
        stopped.set(true);
        Ok(plan_of(ALL))
    };
    let rules_now = || Rules {
        stopping: stopped.get(),
        ..rules()
    };
    reset_stuck(
        &p,
        &mut outcomes,
        &[0, 1, 2],
        Reset {
            host: &fake,
            server: None,
            timeout: Duration::from_secs(1),
            text: &text,
            poll: &mut poll,
            stop: &|| false,
            note: &|_, _| {},
            rules: &rules_now,
        },
    );
    assert!(fake.argvs().is_empty(), "{:?}", fake.argvs());
    let m = outcomes[0].as_ref().unwrap().message().unwrap();
    assert!(m.contains("not reset: stopped by Ctrl-C"), "{m}");
}

//! Unit tests of `--reset-stuck`: only the same session still listed is reset, and only on
//! the gate's rules of that moment.

use super::*;

/// The resets of a test: through `host`, on this computer, 1 s each, looking with `poll`,
/// never stopped, on the gate's `rules`.
fn reset_of<'a>(
    host: &'a FakeHost,
    poll: &'a mut dyn FnMut() -> Result<Plan, String>,
    rules: &'a dyn Fn() -> Rules,
) -> Reset<'a> {
    Reset {
        host,
        server: None,
        timeout: Duration::from_secs(1),
        text: &text,
        poll,
        stop: &|| false,
        note: &|_, _| {},
        rules,
    }
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
    let server = ServerName::parse("TS01").unwrap();
    reset_stuck(
        &p,
        &mut outcomes,
        &[0, 1, 2],
        Reset {
            server: Some(&server),
            ..reset_of(&fake, &mut poll, &rules)
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
    reset_stuck(&p, &mut outcomes, &[0], reset_of(&fake, &mut poll, &rules));
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
        reset_of(&fake, &mut poll, &rules_now),
    );
    assert!(fake.argvs().is_empty(), "{:?}", fake.argvs());
    let m = outcomes[0].as_ref().unwrap().message().unwrap();
    assert!(m.contains("not reset: stopped by Ctrl-C"), "{m}");
}

//! Unit tests of logoffs at once (`--parallel`): start order, overlap, failures, Ctrl-C and a
//! thread that dies.

use super::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Waits (up to 5 s) until `flag` is set: a call that must overlap another waits for it.
fn wait_for(flag: &AtomicBool) {
    let until = Instant::now() + Duration::from_secs(5);
    while !flag.load(Ordering::SeqCst) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// What a run of the test plan's logoffs did.
struct Ran {
    /// Each check: the plan index and whether it was told of a failure.
    checks: Vec<(usize, bool)>,
    /// Each outcome as it was said: the plan index and the code.
    said: Vec<(usize, &'static str)>,
    /// The plan indexes said to be under way, in order.
    begun: Vec<usize>,
    /// The outcomes at the end.
    outcomes: Vec<Option<Outcome>>,
}

/// Runs the test plan's logoffs through `fake`, `parallel` at once, stopping when `stop` says
/// so; each check calls `on_check(index, after_failure)`, then approves.
fn run(
    fake: &FakeHost,
    parallel: usize,
    stop: &(dyn Fn() -> bool + Sync),
    on_check: &dyn Fn(usize, bool),
) -> Ran {
    let plan = the_plan();
    let mut outcomes = vec![None; plan.entries.len()];
    let (checks, said, begun) = (
        RefCell::new(vec![]),
        RefCell::new(vec![]),
        RefCell::new(vec![]),
    );
    execute(
        &plan,
        &mut outcomes,
        &Logoff {
            parallel,
            stop,
            ..logoff(fake, Verb::Logoff)
        },
        &mut |i, after_failure| {
            on_check(i, after_failure);
            checks.borrow_mut().push((i, after_failure));
            approve(&plan, i, None, Verb::Logoff)
        },
        &mut |i| begun.borrow_mut().push(i),
        &mut |i, o| said.borrow_mut().push((i, o.code())),
    );
    let mut said = said.into_inner();
    said.sort_unstable();
    Ran {
        checks: checks.into_inner(),
        said,
        begun: begun.into_inner(),
        outcomes,
    }
}

/// The ID of each call, in the order they started.
fn started(fake: &FakeHost) -> Vec<String> {
    fake.argvs().into_iter().map(|c| c[0].clone()).collect()
}

#[test]
fn parallel_logoffs_start_in_plan_order_and_overlap_at_most_n() {
    let second_started = Arc::new(AtomicBool::new(false));
    let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let fake = {
        let (second_started, now, most) = (second_started.clone(), now.clone(), most.clone());
        FakeHost::new(move |call, _| {
            let running = now.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(running, Ordering::SeqCst);
            match call {
                // The first logoff lasts until the second has started: they overlap.
                Call::Logoff(id) if id.get() == 4 => wait_for(&second_started),
                Call::Logoff(id) if id.get() == 5 => second_started.store(true, Ordering::SeqCst),
                _ => std::thread::sleep(Duration::from_millis(5)),
            }
            now.fetch_sub(1, Ordering::SeqCst);
            exited(0, "", "")
        })
    };
    let ran = run(&fake, 2, &|| false, &|_, _| {});
    assert_eq!(
        started(&fake),
        ["4", "5", "6", "7", "2"],
        "started in plan order"
    );
    assert_eq!(most.load(Ordering::SeqCst), 2, "two at once, never more");
    assert_eq!(
        ran.begun,
        [2, 3, 4, 5, 1],
        "each said under way, in plan order"
    );
    let said: Vec<usize> = ran.said.iter().map(|(i, _)| *i).collect();
    assert_eq!(said, [1, 2, 3, 4, 5], "every outcome said once");
    assert!(ran.outcomes[1..]
        .iter()
        .all(|o| o.as_ref().map(Outcome::code) == Some("logged_off_unverified")));
}

#[test]
fn a_failure_while_others_run_makes_the_next_check_read_again() {
    let (checked_second, checked_third) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    );
    let fake = {
        let (checked_second, checked_third) = (checked_second.clone(), checked_third.clone());
        FakeHost::new(move |call, _| match call {
            // Fails once the second logoff was checked (so that check knew of no failure).
            Call::Logoff(id) if id.get() == 4 => {
                wait_for(&checked_second);
                exited(1, "", "Error [5]: Access is denied.")
            }
            // Still running when the third logoff is checked: only the failure freed a place.
            Call::Logoff(id) if id.get() == 5 => {
                wait_for(&checked_third);
                exited(0, "", "")
            }
            _ => exited(0, "", ""),
        })
    };
    let ran = run(&fake, 2, &|| false, &|i, _| match i {
        3 => checked_second.store(true, Ordering::SeqCst),
        4 => checked_third.store(true, Ordering::SeqCst),
        _ => {}
    });
    assert_eq!(
        ran.checks,
        [(2, false), (3, false), (4, true), (5, false), (1, false)]
    );
    assert_eq!(ran.outcomes[2].as_ref().map(Outcome::code), Some("failed"));
}

#[test]
fn ctrl_c_starts_nothing_new_and_keeps_what_was_running() {
    let stop = Arc::new(AtomicBool::new(false));
    let fake = {
        let stop = stop.clone();
        FakeHost::new(move |call, _| {
            // The first logoff is still running when Ctrl-C comes, and finishes after it.
            if matches!(call, Call::Logoff(id) if id.get() == 4) {
                wait_for(&stop);
            }
            exited(0, "", "")
        })
    };
    let stopping = || stop.load(Ordering::SeqCst);
    // Ctrl-C while the second logoff is being checked (the check approves it).
    let ran = run(&fake, 3, &stopping, &|i, _| {
        if i == 3 {
            stop.store(true, Ordering::SeqCst);
        }
    });
    assert_eq!(started(&fake), ["4", "5"]);
    assert_eq!(
        codes(&ran.outcomes),
        [
            None,
            Some("not_run"),
            Some("logged_off_unverified"),
            Some("logged_off_unverified"),
            Some("not_run"),
            Some("not_run")
        ]
    );
    assert_eq!(
        ran.said,
        [(2, "logged_off_unverified"), (3, "logged_off_unverified")]
    );
}

#[test]
fn a_failure_that_comes_in_while_a_check_approves_makes_it_check_again() {
    let (checking, fourth_answered) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    );
    let fake = {
        let (checking, fourth_answered) = (checking.clone(), fourth_answered.clone());
        FakeHost::new(move |call, _| match call {
            // Fails while the second check runs.
            Call::Logoff(id) if id.get() == 4 => {
                wait_for(&checking);
                fourth_answered.store(true, Ordering::SeqCst);
                exited(1, "", "Error [5]: Access is denied.")
            }
            _ => exited(0, "", ""),
        })
    };
    // The second check lasts until the first logoff has failed (as a re-check query would),
    // and approves.
    let ran = run(&fake, 3, &|| false, &|i, after_failure| {
        if i == 3 && !after_failure {
            checking.store(true, Ordering::SeqCst);
            wait_for(&fourth_answered);
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    assert_eq!(
        ran.checks,
        [
            (2, false),
            (3, false),
            (3, true),
            (4, false),
            (5, false),
            (1, false)
        ]
    );
    assert_eq!(
        started(&fake),
        ["4", "5", "6", "7", "2"],
        "each started once"
    );
}

#[test]
fn a_call_whose_thread_dies_still_has_an_outcome_and_nothing_hangs() {
    let (sent, got) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let fake = FakeHost::new(|call, _| match call {
            Call::Logoff(id) if id.get() == 5 => panic!("the host broke"),
            _ => exited(0, "", ""),
        });
        let plan = the_plan();
        let mut outcomes = vec![None; plan.entries.len()];
        let begun = RefCell::new(vec![]);
        // Not through `run`: the outcomes are read after the panic.
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            execute(
                &plan,
                &mut outcomes,
                &Logoff {
                    parallel: 2,
                    ..logoff(&fake, Verb::Logoff)
                },
                &mut |i, _| approve(&plan, i, None, Verb::Logoff),
                &mut |i| begun.borrow_mut().push(i),
                &mut |_, _| {},
            )
        }));
        let _ = sent.send((ran.is_err(), outcomes, begun.into_inner()));
    });
    let (panicked, outcomes, begun) = got
        .recv_timeout(Duration::from_secs(20))
        .expect("execute hung after a thread died");
    assert!(panicked, "the thread's panic is not hidden");
    let Some(Outcome::Failed(m)) = &outcomes[3] else {
        panic!("{outcomes:?}");
    };
    assert!(
        m.contains("whether it ended the session is not known"),
        "{m}"
    );
    assert_eq!(codes(&outcomes)[5], Some("logged_off_unverified"));
    assert_eq!(begun, [2, 3, 4, 5, 1]);
}

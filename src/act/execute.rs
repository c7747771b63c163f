//! Execute: run `logoff <id>` for each planned session, at most `--parallel` at a time, started
//! in plan order, each under the timeout, once the check before it (the gate) approved it. A
//! failure on one session never stops the others.
//!
//! The checks run one at a time on the calling thread, in plan order; only the approved calls
//! run on threads of their own. A logoff that failed or timed out makes the check before the
//! next start read the table again, whichever logoff it was. After Ctrl-C nothing new starts;
//! the calls already running finish under their timeout and their outcomes are kept.

use crate::act::classify::{classify, Answer};
use crate::act::gate::Approved;
use crate::act::outcome::Outcome;
use crate::host::Host;
use crate::plan::Plan;
use crate::vocab::Verb;
use std::sync::mpsc;
use std::time::Duration;

/// What the check before one logoff decided.
#[derive(Debug)]
pub(crate) enum Check<'a> {
    /// Run the call the gate approved.
    Go(Approved<'a>),
    /// Do not run it: this is the outcome.
    Settled(Outcome),
    /// Do not run it, and give it no outcome: the caller changed the plan (no longer matches).
    Dropped,
    /// Run nothing more: this and every later logoff is `NotRun`.
    Stop,
}

/// Where and how to run `logoff`.
pub(crate) struct Logoff<'a> {
    /// Runs the program.
    pub(crate) host: &'a dyn Host,
    /// Time each `logoff` may take.
    pub(crate) timeout: Duration,
    /// Decodes the child's messages for display.
    pub(crate) text: &'a (dyn Fn(&[u8]) -> String + Sync),
    /// Whether to stop (Ctrl-C): the logoffs not started yet are then `NotRun`.
    pub(crate) stop: &'a (dyn Fn() -> bool + Sync),
    /// What is done to each session: `logoff` or `tsdiscon`.
    pub(crate) verb: Verb,
    /// `--parallel`: how many calls may run at once on this server (at least 1).
    pub(crate) parallel: usize,
}

/// Runs every planned logoff that has no outcome yet in `outcomes` (one slot per plan entry),
/// starting them in plan order, at most `logoff.parallel` at once. Before each start,
/// `check(index, after_failure)` decides whether it still runs; `after_failure` is true when a
/// logoff failed or timed out since the previous check (one that becomes known while a check
/// approves makes it run again, with `true`). `begun` hears of each call once it is under way,
/// `progress` of each outcome as it is known. A logoff that exits 0 is `LoggedOffUnverified`
/// until verified. Every call started has an outcome when this returns.
pub(crate) fn execute<'a>(
    plan: &Plan,
    outcomes: &mut [Option<Outcome>],
    logoff: &Logoff<'_>,
    check: &mut dyn FnMut(usize, bool) -> Check<'a>,
    begun: &mut dyn FnMut(usize),
    progress: &mut dyn FnMut(usize, &Outcome),
) {
    let parallel = logoff.parallel.max(1);
    std::thread::scope(|scope| {
        let (done, finished) = mpsc::channel::<(usize, Outcome)>();
        let mut running = 0usize;
        let mut after_failure = false;
        let mut stopped = false;
        // Keeps an outcome as it becomes known: said and stored; tells whether it failed.
        let mut keep = |outcomes: &mut [Option<Outcome>], index: usize, outcome: Outcome| {
            let failed = outcome.is_failure();
            progress(index, &outcome);
            outcomes[index] = Some(outcome);
            failed
        };
        for index in plan.logoff_order() {
            // What finished so far counts for the check below: a failure makes it read again.
            while let Ok((i, outcome)) = finished.try_recv() {
                running -= 1;
                after_failure |= keep(outcomes, i, outcome);
            }
            if outcomes[index].is_some() {
                continue;
            }
            if stopped || (logoff.stop)() {
                outcomes[index] = Some(Outcome::NotRun);
                continue;
            }
            // Only understood sessions are planned for logoff; anything else is never acted on.
            if plan.entries[index].session().is_none() {
                continue;
            }
            // A free place first, so the check is as close to the start as it can be.
            while running >= parallel {
                let Ok((i, outcome)) = finished.recv() else {
                    break;
                };
                running -= 1;
                after_failure |= keep(outcomes, i, outcome);
            }
            if (logoff.stop)() {
                outcomes[index] = Some(Outcome::NotRun);
                continue;
            }
            // The check, again whenever a failure became known while it ran: a logoff starts
            // only on a check that knew of every failure known when it starts.
            let decided = loop {
                let failed = std::mem::take(&mut after_failure);
                let decided = check(index, failed);
                while let Ok((i, outcome)) = finished.try_recv() {
                    running -= 1;
                    after_failure |= keep(outcomes, i, outcome);
                }
                if !(after_failure && matches!(decided, Check::Go(_))) {
                    break decided;
                }
            };
            match decided {
                Check::Go(approved) if parallel == 1 => {
                    begun(index);
                    after_failure |= keep(outcomes, index, once(logoff, &approved));
                }
                Check::Go(approved) => {
                    let (under_way, started) = mpsc::channel::<()>();
                    // Until the thread runs, the answer is that the call never started.
                    let answer = Answered {
                        index,
                        done: done.clone(),
                        outcome: Some(Outcome::Failed(
                            "not started: the system could not make a thread for it".to_string(),
                        )),
                    };
                    let spawned = std::thread::Builder::new().spawn_scoped(scope, move || {
                        let mut answer = answer;
                        answer.outcome = None;
                        let noted = || {
                            let _ = under_way.send(());
                        };
                        answer.outcome = Some(once_noting(logoff, &approved, &noted));
                    });
                    // Either way one answer comes: the call's, or (no thread) "not started".
                    running += 1;
                    // Starts in plan order: the next check waits until this call is under way
                    // (or its thread ended, which drops the sender).
                    if spawned.is_ok() && started.recv().is_ok() {
                        begun(index);
                    }
                }
                Check::Settled(outcome) => after_failure |= keep(outcomes, index, outcome),
                Check::Dropped => {}
                Check::Stop => {
                    stopped = true;
                    keep(outcomes, index, Outcome::NotRun);
                }
            }
        }
        // Only the threads hold senders now: a thread that ended sent its answer on the way.
        drop(done);
        // The calls still running finish; each outcome is kept.
        while running > 0 {
            let Ok((i, outcome)) = finished.recv() else {
                break;
            };
            running -= 1;
            keep(outcomes, i, outcome);
        }
    });
}

/// A started call's answer, sent when the thread ends: the outcome, or, when the thread ended
/// without one, a failure saying so, so that no started call is ever missing from the report.
struct Answered {
    index: usize,
    done: mpsc::Sender<(usize, Outcome)>,
    outcome: Option<Outcome>,
}

impl Drop for Answered {
    fn drop(&mut self) {
        let outcome = self.outcome.take().unwrap_or_else(|| {
            Outcome::Failed(
                "the call was started, but its thread ended without its answer: whether it \
                 ended the session is not known"
                    .to_string(),
            )
        });
        // The receiver outlives every sender: the loops above drain it.
        let _ = self.done.send((self.index, outcome));
    }
}

/// Runs one approved `logoff` (or `tsdiscon`) and reads its answer.
pub(crate) fn once(logoff: &Logoff<'_>, approved: &Approved<'_>) -> Outcome {
    once_noting(logoff, approved, &|| {})
}

/// As [`once`], calling `started` once the call is under way.
fn once_noting(logoff: &Logoff<'_>, approved: &Approved<'_>, started: &dyn Fn()) -> Outcome {
    let result = approved.run_noting(logoff.host, logoff.timeout, started);
    match classify(result, approved.id(), logoff.text) {
        Answer::Done => Outcome::succeeded(logoff.verb),
        Answer::NotFound(m) => Outcome::AlreadyGone(m),
        Answer::Failed(m) => Outcome::Failed(m),
        Answer::TimedOut(t) => Outcome::TimedOut(t),
    }
}

#[cfg(test)]
mod tests;

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
use std::sync::{Condvar, Mutex, MutexGuard};
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
    let board = Board::default();
    std::thread::scope(|scope| {
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
            for (i, outcome) in board.answers(false) {
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
                for (i, outcome) in board.answers(true) {
                    running -= 1;
                    after_failure |= keep(outcomes, i, outcome);
                }
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
                for (i, outcome) in board.answers(false) {
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
                    // Until the thread runs, the answer is that the call never started.
                    let answer = Answered {
                        index,
                        board: &board,
                        outcome: Some(Outcome::Failed(
                            "not started: the system could not make a thread for it".to_string(),
                        )),
                    };
                    let board = &board;
                    let spawned = std::thread::Builder::new().spawn_scoped(scope, move || {
                        let mut answer = answer;
                        answer.outcome = None;
                        let noted = || board.post(|inbox| inbox.under_way.push(index));
                        answer.outcome = Some(once_noting(logoff, &approved, &noted));
                    });
                    // Either way one answer comes: the call's, or (no thread) "not started".
                    running += 1;
                    // Starts in plan order: the next check waits until this call is under way
                    // (or its thread ended, which posts its answer).
                    if spawned.is_ok() && board.wait_under_way(index) {
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
        // The calls still running finish; each outcome is kept.
        while running > 0 {
            for (i, outcome) in board.answers(true) {
                running -= 1;
                keep(outcomes, i, outcome);
            }
        }
    });
}

/// Where the calls' threads post to the checking thread: that a call is under way, and its
/// answer. Every thread posts its answer when it ends ([`Answered`]), so a wait here always
/// ends.
#[derive(Default)]
struct Board {
    inbox: Mutex<Inbox>,
    changed: Condvar,
}

/// What the threads posted and the checking thread has not taken yet.
#[derive(Default)]
struct Inbox {
    /// Calls under way, by plan index.
    under_way: Vec<usize>,
    /// Answers, by plan index.
    answers: Vec<(usize, Outcome)>,
}

impl Board {
    fn lock(&self) -> MutexGuard<'_, Inbox> {
        self.inbox.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Posts to the inbox and wakes the checking thread.
    fn post(&self, f: impl FnOnce(&mut Inbox)) {
        f(&mut self.lock());
        self.changed.notify_all();
    }

    /// Takes the answers posted so far; with `wait`, waits for at least one first.
    fn answers(&self, wait: bool) -> Vec<(usize, Outcome)> {
        let mut inbox = self.lock();
        while wait && inbox.answers.is_empty() {
            inbox = self.changed.wait(inbox).unwrap_or_else(|e| e.into_inner());
        }
        std::mem::take(&mut inbox.answers)
    }

    /// Waits until call `index` is under way (`true`) or its thread ended first (`false`).
    fn wait_under_way(&self, index: usize) -> bool {
        let mut inbox = self.lock();
        loop {
            if let Some(at) = inbox.under_way.iter().position(|&i| i == index) {
                inbox.under_way.swap_remove(at);
                return true;
            }
            if inbox.answers.iter().any(|(i, _)| *i == index) {
                return false;
            }
            inbox = self.changed.wait(inbox).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// A started call's answer, posted when its thread ends: the outcome, or, when the thread ended
/// without one, a failure saying so, so that no started call is ever missing from the report.
struct Answered<'b> {
    index: usize,
    board: &'b Board,
    outcome: Option<Outcome>,
}

impl Drop for Answered<'_> {
    fn drop(&mut self) {
        let outcome = self.outcome.take().unwrap_or_else(|| {
            Outcome::Failed(
                "the call was started, but its thread ended without its answer: whether it \
                 ended the session is not known"
                    .to_string(),
            )
        });
        let index = self.index;
        self.board
            .post(|inbox| inbox.answers.push((index, outcome)));
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

//! Execute: run `logoff <id>` for each planned session, one at a time, in plan order, each under
//! the timeout, once the check before it (the gate) approved it. A failure on one session never
//! stops the others.

use crate::act::classify::{classify, Answer};
use crate::act::gate::Approved;
use crate::act::outcome::Outcome;
use crate::host::Host;
use crate::plan::Plan;
use crate::vocab::Verb;
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
    pub(crate) text: &'a dyn Fn(&[u8]) -> String,
    /// Whether to stop (Ctrl-C): the logoffs not started yet are then `NotRun`.
    pub(crate) stop: &'a dyn Fn() -> bool,
    /// What is done to each session: `logoff` or `tsdiscon`.
    pub(crate) verb: Verb,
}

/// Runs every planned logoff in order that has no outcome yet in `outcomes` (one slot per plan
/// entry). Before each, `check(index, after_failure)` decides whether it still runs;
/// `after_failure` is true when the previous logoff failed or timed out. `progress` sees each
/// outcome as it happens. A logoff that exits 0 is `LoggedOffUnverified` until verified.
pub(crate) fn execute<'a>(
    plan: &Plan,
    outcomes: &mut [Option<Outcome>],
    logoff: &Logoff<'_>,
    check: &mut dyn FnMut(usize, bool) -> Check<'a>,
    progress: &mut dyn FnMut(usize, &Outcome),
) {
    let mut after_failure = false;
    let mut stopped = false;
    for index in plan.logoff_order() {
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
        let outcome = match check(index, after_failure) {
            Check::Go(approved) => once(logoff, &approved),
            Check::Settled(outcome) => outcome,
            Check::Dropped => continue,
            Check::Stop => {
                stopped = true;
                Outcome::NotRun
            }
        };
        after_failure = outcome.is_failure();
        progress(index, &outcome);
        outcomes[index] = Some(outcome);
    }
}

/// Runs one approved `logoff` (or `tsdiscon`) and reads its answer.
pub(crate) fn once(logoff: &Logoff<'_>, approved: &Approved<'_>) -> Outcome {
    let result = approved.run(logoff.host, logoff.timeout);
    match classify(result, approved.id(), logoff.text) {
        Answer::Done => Outcome::succeeded(logoff.verb),
        Answer::NotFound(m) => Outcome::AlreadyGone(m),
        Answer::Failed(m) => Outcome::Failed(m),
        Answer::TimedOut(t) => Outcome::TimedOut(t),
    }
}

#[cfg(test)]
mod tests;

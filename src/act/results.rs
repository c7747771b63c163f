//! Results: what the run learned and did on each server, kept by the act stage and read by
//! the report. One [`ServerResult`] per target, in the order given.

use crate::act::outcome::Warned;
use crate::act::outcome::{Outcome, OutcomeCode};
use crate::error::Error;
use crate::exit_code::{self, Cause, ExitCode};
use crate::plan::{Plan, ReasonCode};
use crate::table::idle::IdleTable;
use crate::vocab::{ServerName, Verb};
use std::time::{Duration, Instant};

/// What happened on one server.
#[derive(Debug)]
pub(crate) struct ServerResult {
    /// The server's name as shown ("localhost" for this computer).
    pub(crate) server: String,
    /// The server the tools reach (`None`: this computer, or a capture).
    pub(crate) target: Option<ServerName>,
    /// The plan and what came of it, once the table was read.
    pub(crate) done: Option<Done>,
    /// Why the server (or the rest of its run) was left alone, if it was.
    pub(crate) error: Option<Error>,
    /// Things worth knowing that did not stop the run (stderr text, counter lines, a failed
    /// event-log write).
    pub(crate) warnings: Vec<String>,
    /// Time spent on this server so far (survey, then the logoffs).
    pub(crate) elapsed: Duration,
}

impl ServerResult {
    /// A server not yet surveyed: `target` (`None`: this computer) shown as `server`.
    pub(crate) fn new(server: String, target: Option<ServerName>) -> ServerResult {
        ServerResult {
            server,
            target,
            done: None,
            error: None,
            warnings: Vec::new(),
            elapsed: Duration::ZERO,
        }
    }
}

/// A server whose table was read.
#[derive(Debug)]
pub(crate) struct Done {
    /// The decisions.
    pub(crate) plan: Plan,
    /// One outcome per entry once executed (`None` for skipped rows); `None` for a dry run or a
    /// plan that was not executed.
    pub(crate) outcomes: Option<Vec<Option<Outcome>>>,
    /// What became of the `--warn` message, one slot per entry; `None` without `--warn`.
    pub(crate) warned: Option<Vec<Option<Warned>>>,
    /// When the table was read, to tell whether it must be read again before logging off.
    pub(crate) read_at: Instant,
    /// The `query user` table, when it was read (`--idle-over`): the idle times reported.
    pub(crate) idle: Option<IdleTable>,
    /// What is done to the planned sessions (`--disconnect`: tsdiscon).
    pub(crate) verb: Verb,
}

impl Done {
    /// The outcome of entry `index`, once executed.
    pub(crate) fn outcome(&self, index: usize) -> Option<&Outcome> {
        self.outcomes
            .as_ref()
            .and_then(|o| o.get(index))
            .and_then(Option::as_ref)
    }

    /// What became of the message to entry `index`.
    pub(crate) fn warned(&self, index: usize) -> Option<&Warned> {
        self.warned
            .as_ref()
            .and_then(|w| w.get(index))
            .and_then(Option::as_ref)
    }
}

impl ServerResult {
    /// The exit code for one server's result: its error's bit, bit 1 for a failed logoff, bit 4
    /// for rows not understood and for sessions whose idle time `--idle-over` could not read.
    pub(crate) fn exit_code(&self) -> ExitCode {
        let result = self;
        let mut codes = vec![result
            .error
            .as_ref()
            .map_or(ExitCode::SUCCESS, Error::exit_code)];
        if let Some(done) = &result.done {
            let failed = done
                .outcomes
                .iter()
                .flatten()
                .flatten()
                .any(|o| OutcomeCode::from(o).is_failure());
            if failed {
                codes.push(Cause::LogoffFailed.into());
            }
            let unreadable = done
                .plan
                .entries
                .iter()
                .any(|e| ReasonCode::from(&e.reason).is_not_understood());
            if unreadable || done.plan.unreadable_idle() > 0 {
                codes.push(Cause::NotUnderstood.into());
            }
        }
        exit_code::fold(codes)
    }
}

//! Execute: run `logoff <id>` for each planned session, one at a time, in plan order, each under
//! the timeout, after a re-check when the caller asks for one. A failure on one session never
//! stops the others.

use crate::act::classify::{classify, Answer};
use crate::host::{Call, Host};
use crate::plan::Plan;
use crate::vocab::ServerName;
use crate::vocab::SessionId;
use crate::vocab::Verb;
use std::time::Duration;

/// What happened to one planned logoff. [`Outcome::code`] gives the stable code reports use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `logged_off`: `logoff` exited 0 and printed nothing, and a fresh `query session` no longer
    /// listed the session (ID, user and session name compared) within `--verify-wait`.
    LoggedOff,
    /// `logged_off_unverified`: `logoff` exited 0 and printed nothing, but nothing checked that
    /// the session went (`--verify-wait 0`, Ctrl-C, or the checking query failed); the text
    /// says which.
    LoggedOffUnverified(String),
    /// `disconnected`: `tsdiscon` (`--disconnect`) exited 0 and printed nothing; not verified,
    /// since a disconnected session stays listed.
    Disconnected,
    /// `already_gone`: `logoff` answered "session not found" (error 7022 or its exact words).
    AlreadyGone(String),
    /// `gone_before_logoff`: the re-check before the logoff no longer listed the ID; `logoff`
    /// was not run.
    GoneBeforeLogoff(String),
    /// `reused_id`: at the re-check the ID belonged to another user or session name; `logoff`
    /// was not run, and the text names who holds the ID now.
    ReusedId(String),
    /// `failed`: `logoff` failed or printed an error; the text keeps what it said.
    Failed(String),
    /// `timed_out`: `logoff` ran past the timeout and was stopped.
    TimedOut(Duration),
    /// `still_present`: `logoff` exited 0 but the session (same ID and user, and the same
    /// session name or none on one side) was still listed when `--verify-wait` ran out: a
    /// failed logoff.
    StillPresent(String),
    /// `reset`: still listed after the logoff, then ended with `reset session` (`--reset-stuck`).
    Reset(String),
    /// `reset_failed`: still listed after the logoff, and `reset session` failed too.
    ResetFailed(String),
    /// `not_run`: the run stopped before it (Ctrl-C, or a failed re-check).
    NotRun,
    /// `after_report`: the caller's own session, logged off (or disconnected) after everything
    /// else, the report and the logon-mode restore included, because ending it ends this
    /// program. Its result is said on standard error if the program lives to see it.
    AfterReport,
}

impl Outcome {
    /// A stable snake_case code for the reports.
    pub fn code(&self) -> &'static str {
        match self {
            Outcome::LoggedOff => "logged_off",
            Outcome::LoggedOffUnverified(_) => "logged_off_unverified",
            Outcome::Disconnected => "disconnected",
            Outcome::AlreadyGone(_) => "already_gone",
            Outcome::GoneBeforeLogoff(_) => "gone_before_logoff",
            Outcome::ReusedId(_) => "reused_id",
            Outcome::Failed(_) => "failed",
            Outcome::TimedOut(_) => "timed_out",
            Outcome::StillPresent(_) => "still_present",
            Outcome::Reset(_) => "reset",
            Outcome::ResetFailed(_) => "reset_failed",
            Outcome::NotRun => "not_run",
            Outcome::AfterReport => "after_report",
        }
    }

    /// Whether the planned session is no longer there, or was left alone because its ID now
    /// belongs to someone else: nothing failed. `reset` counts here too (the admin asked for it
    /// with `--reset-stuck`; the report names it apart from `logged_off`).
    pub fn is_success(&self) -> bool {
        matches!(
            self,
            Outcome::LoggedOff
                | Outcome::LoggedOffUnverified(_)
                | Outcome::Disconnected
                | Outcome::AlreadyGone(_)
                | Outcome::GoneBeforeLogoff(_)
                | Outcome::ReusedId(_)
                | Outcome::Reset(_)
                | Outcome::AfterReport
        )
    }

    /// Whether this is a failure that calls for a re-check before the next logoff.
    pub fn is_failure(&self) -> bool {
        matches!(self, Outcome::Failed(_) | Outcome::TimedOut(_))
    }

    /// The child's message, or why it was decided so, when there is one.
    pub fn message(&self) -> Option<String> {
        match self {
            Outcome::LoggedOff | Outcome::Disconnected | Outcome::NotRun => None,
            Outcome::AfterReport => Some(
                "your own session: done last, after this report was written (ending it ends \
                 this program)"
                    .to_string(),
            ),
            Outcome::LoggedOffUnverified(m)
            | Outcome::AlreadyGone(m)
            | Outcome::GoneBeforeLogoff(m)
            | Outcome::ReusedId(m)
            | Outcome::Failed(m)
            | Outcome::StillPresent(m)
            | Outcome::Reset(m)
            | Outcome::ResetFailed(m) => Some(m.clone()),
            Outcome::TimedOut(t) => Some(format!(
                "logoff did not finish within {} s and was stopped",
                t.as_secs_f64()
            )),
        }
    }
}

/// What the check before one logoff decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// Run `logoff`.
    Go,
    /// Do not run it: this is the outcome.
    Settled(Outcome),
    /// Do not run it, and give it no outcome: the caller changed the plan (no longer matches).
    Dropped,
    /// Run nothing more: this and every later logoff is `NotRun`.
    Stop,
}

/// Where and how to run `logoff`.
pub struct Logoff<'a> {
    /// Runs the program.
    pub host: &'a dyn Host,
    /// The server, `None` for this computer.
    pub server: Option<&'a ServerName>,
    /// Time each `logoff` may take.
    pub timeout: Duration,
    /// Decodes the child's messages for display.
    pub text: &'a dyn Fn(&[u8]) -> String,
    /// Whether to stop (Ctrl-C): the logoffs not started yet are then `NotRun`.
    pub stop: &'a dyn Fn() -> bool,
    /// What is done to each session: `logoff` or `tsdiscon`.
    pub verb: Verb,
}

/// Runs every planned logoff in order that has no outcome yet in `outcomes` (one slot per plan
/// entry). Before each, `check(index, after_failure)` decides whether it still runs;
/// `after_failure` is true when the previous logoff failed or timed out. `progress` sees each
/// outcome as it happens. A logoff that exits 0 is `LoggedOffUnverified` until verified.
pub fn execute(
    plan: &Plan,
    outcomes: &mut [Option<Outcome>],
    logoff: &Logoff<'_>,
    check: &mut dyn FnMut(usize, bool) -> Check,
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
        let Some(session) = plan.entries[index].session() else {
            continue;
        };
        let outcome = match check(index, after_failure) {
            Check::Go => once(logoff, session.id),
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

/// Runs one `logoff` (or `tsdiscon`) and reads its answer.
pub fn once(logoff: &Logoff<'_>, id: SessionId) -> Outcome {
    let result = logoff.host.run(
        &Call::of_verb(logoff.verb, id),
        logoff.server,
        logoff.timeout,
    );
    match classify(result, id, logoff.text) {
        Answer::Done if logoff.verb == Verb::Disconnect => Outcome::Disconnected,
        Answer::Done => {
            Outcome::LoggedOffUnverified("logoff succeeded, not verified yet".to_string())
        }
        Answer::NotFound(m) => Outcome::AlreadyGone(m),
        Answer::Failed(m) => Outcome::Failed(m),
        Answer::TimedOut(t) => Outcome::TimedOut(t),
    }
}

#[cfg(test)]
mod tests;

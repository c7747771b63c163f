//! Outcome: what came of one planned logoff (or disconnect), and its stable code.

use crate::vocab::duration::Secs;
use crate::vocab::Verb;
use std::time::Duration;

/// What happened to one planned logoff. [`Outcome::code`] gives the stable code reports use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
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
    /// `not_warned`: an active session that was to be warned, and `msg` failed; it was left
    /// alone (a failure: the run did not do what it was asked). The text names the user and
    /// says what `msg` answered.
    NotWarned(String),
    /// `not_run`: the run stopped before it (Ctrl-C, or a failed re-check).
    NotRun,
    /// `after_report`: the caller's own session, logged off (or disconnected) after everything
    /// else, the report and the logon-mode restore included, because ending it ends this
    /// program. Its result is said on standard error if the program lives to see it.
    AfterReport,
}

impl Outcome {
    /// What a call of `verb` that exited 0 and printed nothing comes to, before any
    /// verification.
    pub(crate) fn succeeded(verb: Verb) -> Outcome {
        match verb {
            Verb::Logoff => {
                Outcome::LoggedOffUnverified("logoff succeeded, not verified yet".to_string())
            }
            Verb::Disconnect => Outcome::Disconnected,
        }
    }

    /// A stable snake_case code for the reports.
    pub(crate) fn code(&self) -> &'static str {
        OutcomeCode::from(self).as_str()
    }

    /// Whether the planned session is no longer there, or was left alone because its ID now
    /// belongs to someone else: nothing failed. `reset` counts here too (the admin asked for it
    /// with `--reset-stuck`; the report names it apart from `logged_off`).
    pub(crate) fn is_success(&self) -> bool {
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
    pub(crate) fn is_failure(&self) -> bool {
        matches!(self, Outcome::Failed(_) | Outcome::TimedOut(_))
    }

    /// The child's message, or why it was decided so, when there is one.
    pub(crate) fn message(&self) -> Option<String> {
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
            | Outcome::ResetFailed(m)
            | Outcome::NotWarned(m) => Some(m.clone()),
            Outcome::TimedOut(t) => Some(format!(
                "logoff did not finish within {} s and was stopped",
                Secs(*t)
            )),
        }
    }
}

crate::vocab::codes::stable_codes! {
    /// What came of a planned logoff ([`Outcome`] without its details).
    pub(crate) enum OutcomeCode {
        /// Logged off, and verified gone.
        LoggedOff => "logged_off",
        /// `logoff` succeeded, but nothing checked that the session went.
        LoggedOffUnverified => "logged_off_unverified",
        /// Disconnected (`--disconnect`).
        Disconnected => "disconnected",
        /// `logoff` said it did not exist (any more).
        AlreadyGone => "already_gone",
        /// The re-check before the logoff no longer listed it; `logoff` was not run.
        GoneBeforeLogoff => "gone_before_logoff",
        /// At the re-check its ID belonged to another user or session name; left alone.
        ReusedId => "reused_id",
        /// `logoff` failed.
        Failed => "failed",
        /// `logoff` ran past the timeout.
        TimedOut => "timed_out",
        /// `logoff` succeeded, but the session was still listed when `--verify-wait` ran out.
        StillPresent => "still_present",
        /// Still listed after the logoff, then ended with `reset session` (`--reset-stuck`).
        Reset => "reset",
        /// Still listed after the logoff, and `reset session` failed too.
        ResetFailed => "reset_failed",
        /// Left alone: it was to be warned, and the warning failed.
        NotWarned => "not_warned",
        /// Not run (the run stopped first).
        NotRun => "not_run",
        /// The caller's own session: done last, after the report (ending it ends the program).
        AfterReport => "after_report",
    }
}

impl From<&Outcome> for OutcomeCode {
    fn from(o: &Outcome) -> OutcomeCode {
        match o {
            Outcome::LoggedOff => OutcomeCode::LoggedOff,
            Outcome::LoggedOffUnverified(_) => OutcomeCode::LoggedOffUnverified,
            Outcome::Disconnected => OutcomeCode::Disconnected,
            Outcome::AlreadyGone(_) => OutcomeCode::AlreadyGone,
            Outcome::GoneBeforeLogoff(_) => OutcomeCode::GoneBeforeLogoff,
            Outcome::ReusedId(_) => OutcomeCode::ReusedId,
            Outcome::Failed(_) => OutcomeCode::Failed,
            Outcome::TimedOut(_) => OutcomeCode::TimedOut,
            Outcome::StillPresent(_) => OutcomeCode::StillPresent,
            Outcome::Reset(_) => OutcomeCode::Reset,
            Outcome::ResetFailed(_) => OutcomeCode::ResetFailed,
            Outcome::NotWarned(_) => OutcomeCode::NotWarned,
            Outcome::NotRun => OutcomeCode::NotRun,
            Outcome::AfterReport => OutcomeCode::AfterReport,
        }
    }
}

impl OutcomeCode {
    /// The codes that count as done by `verb`: logged off (verified or not), disconnected.
    pub(crate) fn done_by(verb: Verb) -> &'static [OutcomeCode] {
        match verb {
            Verb::Logoff => &[OutcomeCode::LoggedOff, OutcomeCode::LoggedOffUnverified],
            Verb::Disconnect => &[OutcomeCode::Disconnected],
        }
    }

    /// Whether the planned logoff was tried and did not end the session (exit code bit 1):
    /// failed, timed out, still present after it, or a failed reset. A session gone before
    /// its logoff, or left alone because its ID now belongs to someone else, is no failure.
    pub(crate) fn is_failure(self) -> bool {
        !matches!(
            self,
            OutcomeCode::LoggedOff
                | OutcomeCode::LoggedOffUnverified
                | OutcomeCode::Disconnected
                | OutcomeCode::AlreadyGone
                | OutcomeCode::GoneBeforeLogoff
                | OutcomeCode::ReusedId
                | OutcomeCode::Reset
                | OutcomeCode::NotRun
                | OutcomeCode::AfterReport
        )
    }

    /// The outcome in words for summaries (`ID reused (left alone)`).
    pub(crate) fn words(self) -> &'static str {
        match self {
            OutcomeCode::LoggedOff => "logged off",
            OutcomeCode::LoggedOffUnverified => "logged off, not verified",
            OutcomeCode::Disconnected => "disconnected",
            OutcomeCode::AlreadyGone => "already gone",
            OutcomeCode::GoneBeforeLogoff => "gone before logoff",
            OutcomeCode::ReusedId => "ID reused (left alone)",
            OutcomeCode::Failed => "failed",
            OutcomeCode::TimedOut => "timed out",
            OutcomeCode::StillPresent => "still present",
            OutcomeCode::Reset => "reset",
            OutcomeCode::ResetFailed => "reset failed",
            OutcomeCode::NotWarned => "not warned (left alone)",
            OutcomeCode::NotRun => "not run",
            OutcomeCode::AfterReport => "last, after this report",
        }
    }
}

/// What became of the message to one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Warned {
    /// `msg` exited 0 and printed nothing.
    Sent,
    /// `msg` failed; the logoff still goes ahead after the grace period.
    Failed(String),
    /// Not sent: only active sessions can show a message (it is not queued).
    NotActive,
}

impl Warned {
    /// The failure message, if any.
    pub(crate) fn message(&self) -> Option<&str> {
        match self {
            Warned::Failed(m) => Some(m),
            _ => None,
        }
    }
}

crate::vocab::codes::stable_codes! {
    /// What became of the `--warn` message to a session.
    pub(crate) enum WarnCode {
        /// Sent.
        Sent => "sent",
        /// `msg` failed.
        Failed => "failed",
        /// Not sent: the session was not active.
        NotActive => "not_active",
    }
}

impl From<&Warned> for WarnCode {
    fn from(w: &Warned) -> WarnCode {
        match w {
            Warned::Sent => WarnCode::Sent,
            Warned::Failed(_) => WarnCode::Failed,
            Warned::NotActive => WarnCode::NotActive,
        }
    }
}

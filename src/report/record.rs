//! Records: one typed shape per session decision and per server error, shared by the JSON
//! report, the CSV report and the audit log, with the stable codes programs filter on.

use crate::act::execute::Outcome;
use crate::act::warn::Warned;
use crate::plan::filter::format_duration;
use crate::plan::{Action, Entry, Reason, Subject};
use crate::report::{Done, ServerResult};
use crate::vocab::Verb;
use serde::Serialize;

/// What the plan does with a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionCode {
    /// Log it off.
    Logoff,
    /// Disconnect it (`--disconnect`).
    Disconnect,
    /// Leave it alone.
    Skip,
}

impl ActionCode {
    /// The code of the plan's action, done with `verb`.
    pub fn of(action: Action, verb: Verb) -> ActionCode {
        match (action, verb) {
            (Action::Logoff, Verb::Logoff) => ActionCode::Logoff,
            (Action::Logoff, Verb::Disconnect) => ActionCode::Disconnect,
            (Action::Skip, _) => ActionCode::Skip,
        }
    }
}

/// Why the plan does it ([`Reason`] without its details).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// An ordinary user session.
    UserSession,
    /// The console, with `--include-console`.
    ConsoleIncluded,
    /// The caller's own session, with `--include-self`.
    OwnSessionIncluded,
    /// The console.
    Console,
    /// Session 0 / services.
    Services,
    /// A listener.
    Listener,
    /// Nobody logged on.
    NoUser,
    /// The caller's own session.
    OwnSession,
    /// The caller's own user on a server that could not be told from this computer.
    OwnUser,
    /// The caller's own user on such a server, with `--include-self`.
    OwnUserIncluded,
    /// A state word not known (it matches no `--state`).
    UnknownState,
    /// The ID is on more than one row, or on a protected row.
    DuplicateId,
    /// A row not understood.
    NotUnderstood,
    /// Left out by a filter.
    FilteredOut,
    /// At the re-check it no longer passed the checks.
    NoLongerMatches,
    /// `--disconnect`, and it is already disconnected.
    AlreadyDisconnected,
}

impl From<&Reason> for ReasonCode {
    fn from(r: &Reason) -> ReasonCode {
        match r {
            Reason::UserSession => ReasonCode::UserSession,
            Reason::ConsoleIncluded => ReasonCode::ConsoleIncluded,
            Reason::OwnSessionIncluded => ReasonCode::OwnSessionIncluded,
            Reason::Console => ReasonCode::Console,
            Reason::Services => ReasonCode::Services,
            Reason::Listener => ReasonCode::Listener,
            Reason::NoUser => ReasonCode::NoUser,
            Reason::OwnSession => ReasonCode::OwnSession,
            Reason::OwnUser => ReasonCode::OwnUser,
            Reason::OwnUserIncluded => ReasonCode::OwnUserIncluded,
            Reason::UnknownState(_) => ReasonCode::UnknownState,
            Reason::DuplicateId(_) => ReasonCode::DuplicateId,
            Reason::NotUnderstood(_) => ReasonCode::NotUnderstood,
            Reason::FilteredOut(_) => ReasonCode::FilteredOut,
            Reason::NoLongerMatches(_) => ReasonCode::NoLongerMatches,
            Reason::AlreadyDisconnected => ReasonCode::AlreadyDisconnected,
        }
    }
}

impl ReasonCode {
    /// The code as written in the reports.
    pub fn as_str(self) -> String {
        code_text(&self)
    }

    /// Whether a row skipped for this reason was not understood, or is not consistent with the
    /// rest of the table (exit code bit 4).
    pub fn is_not_understood(self) -> bool {
        matches!(
            self,
            ReasonCode::NotUnderstood | ReasonCode::UnknownState | ReasonCode::DuplicateId
        )
    }
}

/// What came of a planned logoff ([`Outcome`] without its details).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeCode {
    /// Logged off, and verified gone.
    LoggedOff,
    /// `logoff` succeeded, but nothing checked that the session went.
    LoggedOffUnverified,
    /// Disconnected (`--disconnect`).
    Disconnected,
    /// `logoff` said it did not exist (any more).
    AlreadyGone,
    /// The re-check before the logoff no longer listed it; `logoff` was not run.
    GoneBeforeLogoff,
    /// At the re-check its ID belonged to another user or session name; left alone.
    ReusedId,
    /// `logoff` failed.
    Failed,
    /// `logoff` ran past the timeout.
    TimedOut,
    /// `logoff` succeeded, but the session was still listed when `--verify-wait` ran out.
    StillPresent,
    /// Still listed after the logoff, then ended with `reset session` (`--reset-stuck`).
    Reset,
    /// Still listed after the logoff, and `reset session` failed too.
    ResetFailed,
    /// Not run (the run stopped first).
    NotRun,
    /// The caller's own session: done last, after the report (ending it ends the program).
    AfterReport,
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
            Outcome::NotRun => OutcomeCode::NotRun,
            Outcome::AfterReport => OutcomeCode::AfterReport,
        }
    }
}

impl OutcomeCode {
    /// The code as written in the reports.
    pub fn as_str(self) -> String {
        code_text(&self)
    }

    /// Whether the planned logoff was tried and did not end the session (exit code bit 1):
    /// failed, timed out, still present after it, or a failed reset. A session gone before
    /// its logoff, or left alone because its ID now belongs to someone else, is no failure.
    pub fn is_failure(self) -> bool {
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
    pub fn words(self) -> &'static str {
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
            OutcomeCode::NotRun => "not run",
            OutcomeCode::AfterReport => "last, after this report",
        }
    }
}

/// What became of the `--warn` message to a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarnCode {
    /// Sent.
    Sent,
    /// `msg` failed.
    Failed,
    /// Not sent: the session was not active.
    NotActive,
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

/// A code's serde name (`logged_off`, ...), the one spelling used everywhere.
fn code_text<T: Serialize>(code: &T) -> String {
    match serde_json::to_value(code) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// One row of the table: its decision, and what came of it. Every field is always present
/// (null when not known), so every reader sees one shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionRecord {
    /// The server ("localhost" for this computer).
    pub server: String,
    /// The session ID; null for a line not understood.
    pub id: Option<u32>,
    /// Whether it is the caller's own session.
    pub current: bool,
    /// The user as printed.
    pub user: Option<String>,
    /// The session name.
    pub session_name: Option<String>,
    /// The state word as printed.
    pub state: Option<String>,
    /// The state's English name (`active`, `disconnected`, ..., `unknown`).
    pub state_canonical: Option<String>,
    /// The TYPE column.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The DEVICE column.
    pub device: Option<String>,
    /// 1-based line number in the decoded output.
    pub line: usize,
    /// The line as printed, for a line not understood.
    pub raw: Option<String>,
    /// `logoff`, `disconnect` or `skip`.
    pub action: ActionCode,
    /// Why, as a code.
    pub reason_code: ReasonCode,
    /// Why, in words.
    pub reason: String,
    /// What came of the logoff; null when it was not executed (skip, dry run, cancelled).
    pub outcome: Option<OutcomeCode>,
    /// The tool's words when the logoff failed, or why it was stopped.
    pub message: Option<String>,
    /// What became of the `--warn` message; null without `--warn`.
    pub warning: Option<WarnCode>,
    /// Why the message failed.
    pub warning_message: Option<String>,
    /// Idle time from `query user` (`2h13m`); null when not known.
    pub idle: Option<String>,
    /// Idle time in seconds; null when not known.
    pub idle_seconds: Option<u64>,
    /// Logon time as `query user` printed it; null when not known.
    pub logon: Option<String>,
}

impl SessionRecord {
    /// The record of one plan entry, with its outcome and message once known.
    pub fn new(
        server: &str,
        entry: &Entry,
        outcome: Option<&Outcome>,
        warned: Option<&Warned>,
        verb: Verb,
    ) -> SessionRecord {
        let mut r = SessionRecord {
            server: server.to_string(),
            id: None,
            current: entry.current,
            user: None,
            session_name: None,
            state: None,
            state_canonical: None,
            kind: None,
            device: None,
            line: 0,
            raw: None,
            action: ActionCode::of(entry.action, verb),
            reason_code: (&entry.reason).into(),
            reason: entry.reason.text(),
            outcome: outcome.map(OutcomeCode::from),
            message: outcome.and_then(Outcome::message),
            warning: warned.map(WarnCode::from),
            warning_message: warned.and_then(|w| w.message().map(str::to_string)),
            idle: None,
            idle_seconds: None,
            logon: None,
        };
        match &entry.subject {
            Subject::Session(s) => {
                r.id = Some(s.id.get());
                r.user = s.user.as_deref().map(str::to_string);
                r.session_name = s.name.as_deref().map(str::to_string);
                r.state = Some(s.state_word.to_string());
                r.state_canonical = Some(s.state.canonical().to_string());
                r.kind = s.kind.as_deref().map(str::to_string);
                r.device = s.device.as_deref().map(str::to_string);
                r.line = s.line;
            }
            Subject::Line(line) => {
                r.line = line.line;
                r.raw = Some(line.raw.clone());
            }
        }
        r
    }

    /// The record of entry `index` of a server's plan, with everything known about it.
    pub fn of(result: &ServerResult, done: &Done, index: usize) -> SessionRecord {
        let entry = &done.plan.entries[index];
        let mut r = SessionRecord::new(
            &result.server,
            entry,
            done.outcome(index),
            done.warned(index),
            done.verb,
        );
        if let (Some(idle), Some(s)) = (&done.idle, entry.session()) {
            if let Ok(d) = idle.idle_of(s) {
                r.idle = Some(format_duration(d));
                r.idle_seconds = Some(d.as_secs());
            }
            // The logon time as printed, from the same user's row only.
            let same_user = |u: &str| s.user.as_deref().is_some_and(|v| v.eq_ignore_ascii_case(u));
            r.logon = idle
                .by_id
                .get(&s.id)
                .filter(|e| same_user(&e.user) && !e.logon.is_empty())
                .map(|e| e.logon.clone());
        }
        r
    }
}

/// A server-level error: the server was not done (or not finished).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorRecord {
    /// The server.
    pub server: String,
    /// A stable code: `query_failed`, `not_understood`, `input_unreadable`, ...
    pub kind: String,
    /// What went wrong, in words.
    pub message: String,
}

impl ErrorRecord {
    /// The record of a server's error, if it has one.
    pub fn of(result: &ServerResult) -> Option<ErrorRecord> {
        result.error.as_ref().map(|e| ErrorRecord {
            server: result.server.clone(),
            kind: e.kind().to_string(),
            message: e.to_string(),
        })
    }
}

/// Every session record of every server, in report order.
pub fn sessions(results: &[ServerResult]) -> impl Iterator<Item = SessionRecord> + '_ {
    results.iter().flat_map(|r| {
        r.done.iter().flat_map(move |done| {
            (0..done.plan.entries.len()).map(move |i| SessionRecord::of(r, done, i))
        })
    })
}

#[cfg(test)]
mod tests;

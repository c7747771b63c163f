//! Records: one typed shape per session decision and per server error, shared by the JSON
//! report, the CSV report and the audit log, with the stable codes programs filter on.

use crate::act::outcome::Outcome;
use crate::act::outcome::OutcomeCode;
use crate::act::outcome::{WarnCode, Warned};
use crate::act::{Done, ServerResult};
use crate::plan::filter::format_idle;
use crate::plan::{Action, Entry, ReasonCode, Subject};
use crate::report::logon;
use crate::vocab::Verb;
use serde::Serialize;

/// The code of the plan's action done with `verb`: the verb's noun (`logoff`, `disconnect`),
/// or `skip`.
pub(crate) fn action_code(action: Action, verb: Verb) -> &'static str {
    match action {
        Action::Logoff => verb.noun(),
        Action::Skip => "skip",
    }
}

/// One row of the table: its decision, and what came of it. Every field is always present
/// (null when not known), so every reader sees one shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct SessionRecord {
    /// The server ("localhost" for this computer).
    pub(crate) server: String,
    /// The session ID; null for a line not understood.
    pub(crate) id: Option<u32>,
    /// Whether it is the caller's own session.
    pub(crate) current: bool,
    /// The user as printed.
    pub(crate) user: Option<String>,
    /// The session name.
    pub(crate) session_name: Option<String>,
    /// The state word as printed.
    pub(crate) state: Option<String>,
    /// The state's English name (`active`, `disconnected`, ..., `unknown`).
    pub(crate) state_canonical: Option<String>,
    /// The TYPE column.
    #[serde(rename = "type")]
    pub(crate) kind: Option<String>,
    /// The DEVICE column.
    pub(crate) device: Option<String>,
    /// 1-based line number in the decoded output.
    pub(crate) line: usize,
    /// The line as printed, for a line not understood.
    pub(crate) raw: Option<String>,
    /// `logoff`, `disconnect` or `skip`.
    pub(crate) action: &'static str,
    /// Why, as a code.
    pub(crate) reason_code: ReasonCode,
    /// Why, in words.
    pub(crate) reason: String,
    /// What came of the logoff; null when it was not executed (skip, dry run, cancelled).
    pub(crate) outcome: Option<OutcomeCode>,
    /// The tool's words when the logoff failed, or why it was stopped.
    pub(crate) message: Option<String>,
    /// What became of the `--warn` message; null without `--warn`.
    pub(crate) warning: Option<WarnCode>,
    /// Why the message failed.
    pub(crate) warning_message: Option<String>,
    /// Idle time from `query user` (`2h13m`); null when not known.
    pub(crate) idle: Option<String>,
    /// Idle time in seconds; null when not known.
    pub(crate) idle_seconds: Option<u64>,
    /// Logon time as `query user` printed it; null when not known.
    pub(crate) logon: Option<String>,
    /// Idle time in whole minutes; null when not known.
    pub(crate) idle_minutes: Option<u64>,
    /// Logon time as ISO 8601 local time (`2026-11-23T08:02:00`); null when not known or not
    /// readable for certain ([`super::logon::logon_iso`]).
    pub(crate) logon_iso: Option<String>,
}

impl SessionRecord {
    /// The record of one plan entry, with its outcome and message once known.
    pub(crate) fn new(
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
            action: action_code(entry.action, verb),
            reason_code: (&entry.reason).into(),
            reason: entry.reason.text(),
            outcome: outcome.map(OutcomeCode::from),
            message: outcome.and_then(Outcome::message),
            warning: warned.map(WarnCode::from),
            warning_message: warned.and_then(|w| w.message().map(str::to_string)),
            idle: None,
            idle_seconds: None,
            logon: None,
            idle_minutes: None,
            logon_iso: None,
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
    pub(crate) fn of(result: &ServerResult, done: &Done, index: usize) -> SessionRecord {
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
                r.idle = Some(format_idle(d));
                r.idle_seconds = Some(d.as_secs());
                r.idle_minutes = Some(logon::idle_minutes(d));
            }
            // The logon time as printed, from the same user's row only.
            let same_user = |u: &str| s.user.as_deref().is_some_and(|v| v.eq_ignore_ascii_case(u));
            r.logon = idle
                .by_id
                .get(&s.id)
                .filter(|e| same_user(&e.user) && !e.logon.is_empty())
                .map(|e| e.logon.clone());
            r.logon_iso = r.logon.as_deref().and_then(logon::logon_iso);
        }
        r
    }
}

/// A server-level error: the server was not done (or not finished).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ErrorRecord {
    /// The server.
    pub(crate) server: String,
    /// A stable code: `query_failed`, `not_understood`, `input_unreadable`, ...
    pub(crate) kind: String,
    /// What went wrong, in words.
    pub(crate) message: String,
}

impl ErrorRecord {
    /// The record of a server's error, if it has one.
    pub(crate) fn of(result: &ServerResult) -> Option<ErrorRecord> {
        result.error.as_ref().map(|e| ErrorRecord {
            server: result.server.clone(),
            kind: e.kind().to_string(),
            message: e.to_string(),
        })
    }
}

/// Every session record of every server, in report order.
pub(crate) fn sessions(results: &[ServerResult]) -> impl Iterator<Item = SessionRecord> + '_ {
    results.iter().flat_map(|r| {
        r.done.iter().flat_map(move |done| {
            (0..done.plan.entries.len()).map(move |i| SessionRecord::of(r, done, i))
        })
    })
}

#[cfg(test)]
mod tests;

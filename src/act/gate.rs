//! Gate: the one place where an action on a session is allowed. Every call that ends or changes
//! a session (the verb's `logoff` or `tsdiscon`, the own session last, `reset session`, a
//! `--warn` message) is built here and nowhere else: [`decide`] takes the evidence and answers
//! with an [`Approved`] call, or with why not. The rules, in order:
//!
//! 1. Nothing starts after Ctrl-C.
//! 2. Only a row the plan chose for acting: an understood session planned for logoff (never a
//!    skipped row: console, services, listener, no user, an ID on two rows, a row not
//!    understood, the own session without `--include-self`); a message only to one that was
//!    active.
//! 3. The caller's own session only last, after everything else, and then nothing but it; it is
//!    never reset.
//! 4. Only on a fresh table: the latest look at the server is at most the re-check limit old
//!    (10 s, with one second for the call itself).
//! 5. Only the same session: in that latest table the ID is listed once, with the same user and
//!    session name (or none now, disconnected), and it still passes every check of the plan
//!    ([`recheck::compare`]).
//! 6. Not an active session that was to be warned and could not be (`msg` failed), unless
//!    `--even-if-unwarned` says so.
//! 7. A reset only to a session planned with a session name that it still has, or planned
//!    disconnected (no name) and stuck ending now (Down): a nameless session in any other state
//!    may be a new logon of the same user that disconnected.
//!
//! The call reaches the server named in the evidence, resolved once for the run.

use crate::act::outcome::Warned;
use crate::act::recheck::{self, Found};
use crate::host::runner::Output;
use crate::host::{Call, Host, HostError};
use crate::plan::{Action, Entry, Plan, Reason};
use crate::table::session::State;
use crate::vocab::{escape_for_display, ServerName, SessionId, Verb};
use std::time::Duration;

/// The time one call may add to the age of the table it was approved on.
pub(crate) const CALL_MARGIN: Duration = Duration::from_secs(1);

/// What is to be done to a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Act<'m> {
    /// The run's verb: `logoff ID` or `tsdiscon ID`.
    Verb(Verb),
    /// `reset session ID` (`--reset-stuck`), to a session still listed after its logoff.
    Reset,
    /// `msg ID /time:SECONDS TEXT` (`--warn`).
    Message {
        /// The text.
        text: &'m str,
        /// How long the message box stays.
        seconds: u64,
    },
}

/// Which part of the run asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Warnings, logoffs, verification and resets on every server.
    Main,
    /// The caller's own session, after everything else and the report.
    Last,
}

/// What the caller knows about the session when it asks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Evidence<'a> {
    /// The server the call will reach (`None`: this computer).
    pub(crate) server: Option<&'a ServerName>,
    /// The row as the plan decided it.
    pub(crate) entry: &'a Entry,
    /// The latest table of that server, planned with the run's flags.
    pub(crate) latest: &'a Plan,
    /// How old that table is.
    pub(crate) age: Duration,
    /// How it was read, for the report ("query session again, ...").
    pub(crate) checked: &'a str,
    /// What became of the `--warn` message to it; `None` when none was sent to it.
    pub(crate) warned: Option<&'a Warned>,
}

/// The run's standing rules.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules {
    /// The oldest table a call may be approved on (the re-check limit).
    pub(crate) max_age: Duration,
    /// Whether Ctrl-C asked the run to stop.
    pub(crate) stopping: bool,
    /// Which part of the run asks.
    pub(crate) phase: Phase,
    /// `--even-if-unwarned`: act on an active session whose warning could not be sent.
    pub(crate) unwarned: bool,
}

/// Why the gate said no.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Ctrl-C: nothing new starts.
    Stopped,
    /// The row is not one the plan chose for this (the text says why).
    NotPlanned(String),
    /// The table is older than the rules allow.
    Stale(Duration),
    /// The latest table does not show the same session, still planned.
    Changed(Found),
    /// An active session that was to be warned, and the warning failed; the text names the
    /// user and what `msg` said.
    NotWarned(String),
}

impl Refusal {
    /// The refusal in words, for messages and the report.
    pub(crate) fn text(&self) -> String {
        match self {
            Refusal::Stopped => "stopped by Ctrl-C".to_string(),
            Refusal::NotPlanned(why) => why.clone(),
            Refusal::Stale(age) => format!(
                "the table was {} s old, older than a call may act on",
                age.as_secs()
            ),
            Refusal::Changed(Found::Same) => "the same session".to_string(),
            Refusal::Changed(Found::Gone(m) | Found::Reused(m)) => m.clone(),
            Refusal::Changed(Found::NoLongerMatches(reason)) => reason.text(),
            Refusal::NotWarned(m) => m.clone(),
        }
    }
}

/// A call the gate approved: the only way to run one that ends or changes a session.
#[derive(Debug)]
pub(crate) struct Approved<'m> {
    act: Act<'m>,
    id: SessionId,
    /// The server in the evidence, kept: the call reaches that one.
    server: Option<ServerName>,
}

impl Approved<'_> {
    /// The session it acts on.
    pub(crate) fn id(&self) -> SessionId {
        self.id
    }

    /// Runs the approved call under `timeout`.
    pub(crate) fn run(&self, host: &dyn Host, timeout: Duration) -> Result<Output, HostError> {
        self.run_noting(host, timeout, &|| {})
    }

    /// Runs the approved call under `timeout`, calling `started` once it is under way.
    pub(crate) fn run_noting(
        &self,
        host: &dyn Host,
        timeout: Duration,
        started: &dyn Fn(),
    ) -> Result<Output, HostError> {
        let call = match self.act {
            Act::Verb(verb) => Call::of_verb(verb, self.id),
            Act::Reset => Call::Reset(self.id),
            Act::Message { text, seconds } => Call::Msg {
                id: self.id,
                seconds,
                message: text,
            },
        };
        host.run_noting(&call, self.server.as_ref(), timeout, started)
    }
}

/// Decides whether `act` may be done, on `evidence`, under `rules` (the module text says how).
pub(crate) fn decide<'m>(
    act: Act<'m>,
    evidence: &Evidence<'_>,
    rules: &Rules,
) -> Result<Approved<'m>, Refusal> {
    if rules.stopping {
        return Err(Refusal::Stopped);
    }
    let entry = evidence.entry;
    let Some(planned) = entry.session() else {
        return Err(Refusal::NotPlanned("a line that is not understood".into()));
    };
    if entry.action != Action::Logoff {
        return Err(Refusal::NotPlanned(format!(
            "not planned: {}",
            entry.reason.text()
        )));
    }
    if matches!(act, Act::Message { .. }) && planned.state != State::Active {
        return Err(Refusal::NotPlanned(
            "not active: msg reaches active sessions only".into(),
        ));
    }
    let own = entry.current || matches!(entry.reason, Reason::OwnUserIncluded);
    match (rules.phase, own, act) {
        (Phase::Main, true, Act::Verb(_)) => {
            return Err(Refusal::NotPlanned(
                "your own session goes last, after everything else".into(),
            ))
        }
        (_, true, Act::Reset) => {
            return Err(Refusal::NotPlanned(
                "your own session is never reset".into(),
            ))
        }
        (Phase::Last, false, _) | (Phase::Last, true, Act::Message { .. }) => {
            return Err(Refusal::NotPlanned(
                "only your own session goes last".into(),
            ))
        }
        _ => {}
    }
    if evidence.age > rules.max_age + CALL_MARGIN {
        return Err(Refusal::Stale(evidence.age));
    }
    match recheck::compare(planned, evidence.latest, evidence.checked) {
        Found::Same => {}
        found => return Err(Refusal::Changed(found)),
    }
    // A reset ends a session outright: only one whose session name is still the planned one.
    // A session that is disconnected now (no name) may be a new logon of the same user that
    // disconnected, which the table cannot tell apart.
    if act == Act::Reset {
        let now = evidence
            .latest
            .entries
            .iter()
            .filter_map(Entry::session)
            .find(|s| s.id == planned.id);
        // Planned with no name (disconnected), only one stuck ending (Down) is the same: a
        // new logon of the same user that disconnected shows Disc.
        let nameless_not_down =
            planned.name.is_none() && now.is_some_and(|now| now.state != State::Down);
        if nameless_not_down || now.is_some_and(|now| now.name != planned.name) {
            let why = match planned.name {
                None => "it was planned disconnected, with no session name, and is not stuck \
                         ending (Down): it may be a new logon of the same user that disconnected"
                    .to_string(),
                Some(_) => format!(
                    "ID {} holds {} now; a reset needs the planned session name",
                    planned.id,
                    recheck::describe(now.unwrap_or(planned))
                ),
            };
            return Err(Refusal::Changed(Found::Reused(why)));
        }
    }
    if let (Act::Verb(_), Some(Warned::Failed(why)), false) = (act, evidence.warned, rules.unwarned)
    {
        let user = planned
            .user
            .as_deref()
            .map_or("-".into(), escape_for_display);
        return Err(Refusal::NotWarned(format!(
            "not {}: {user} was to be warned and msg failed ({why}); add --even-if-unwarned to \
             act all the same",
            match act {
                Act::Verb(verb) => verb.past(),
                _ => "acted on",
            }
        )));
    }
    Ok(Approved {
        act,
        id: planned.id,
        server: evidence.server.cloned(),
    })
}

#[cfg(test)]
mod tests;

//! Plan: decide, for every row, log off or skip, always with a reason. The plan is a value; the
//! executor only walks its logoffs.

mod duplicate;
mod reason;
pub mod filter;

pub use reason::{Reason, ReasonCode};

use crate::plan::filter::{Filters, IdleSeen};
use crate::table::idle::IdleTable;
use crate::table::parse::{NotUnderstood, Row, Table};
use crate::table::session::{Session, State};
use crate::vocab::SessionId;
use crate::vocab::Verb;

/// What to do with a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Run `logoff <id>`.
    Logoff,
    /// Leave the session alone.
    Skip,
}

/// The row an entry is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// An understood session.
    Session(Session),
    /// A line that was not understood.
    Line(NotUnderstood),
}

/// One decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The row.
    pub subject: Subject,
    /// Whether this is the caller's own session (asked of the system, or marked `>`).
    pub current: bool,
    /// Log off or skip.
    pub action: Action,
    /// Why.
    pub reason: Reason,
    /// What `--idle-over` saw, when the session got as far as that check.
    pub idle: Option<IdleSeen>,
}

impl Entry {
    /// The session, when the row was understood.
    pub fn session(&self) -> Option<&Session> {
        match &self.subject {
            Subject::Session(s) => Some(s),
            Subject::Line(_) => None,
        }
    }
}

/// What the planner needs besides the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options<'a> {
    /// Log off the console too.
    pub include_console: bool,
    /// Log off the caller's own session too, last.
    pub include_self: bool,
    /// The caller's own session as the system reports it; `None` when unknown (off Windows, or
    /// the table is from another server), and then only the `>` marker tells.
    pub own_session: Option<SessionId>,
    /// Filters; a session that fails one is skipped.
    pub filters: Option<&'a Filters>,
    /// The `query user` table, when `--idle-over` needs it.
    pub idle: Option<&'a IdleTable>,
    /// The caller's user when the server could not be told from this computer: its sessions
    /// may be the caller's own, so they count as such (skipped, or last with `--include-self`).
    /// `None`: the server is known (or the user is not).
    pub own_user_unsure: Option<&'a str>,
}

/// All decisions for one table, in table order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// One entry per row.
    pub entries: Vec<Entry>,
}

impl Plan {
    /// Indexes of the entries to log off, in the order to do it: table order, the caller's own
    /// session last (so the run completes before its own session ends).
    pub fn logoff_order(&self) -> Vec<usize> {
        let order: Vec<usize> = (0..self.entries.len())
            .filter(|i| self.entries[*i].action == Action::Logoff)
            .collect();
        crate::vocab::order::last_by(order, |i| self.entries[*i].current)
    }
}

/// Decides every row of `table`, in table order.
pub fn plan(table: Table, options: Options<'_>) -> Plan {
    let shared = duplicate::shared_ids(&table);
    let entries = table
        .rows
        .into_iter()
        .map(|row| match row {
            Row::NotUnderstood(line) => Entry {
                current: line.raw.starts_with('>'),
                action: Action::Skip,
                reason: Reason::NotUnderstood(line.why.clone()),
                subject: Subject::Line(line),
                idle: None,
            },
            Row::Session(s) => {
                let known = s.marked_current || options.own_session == Some(s.id);
                let unsure = !known
                    && options
                        .own_user_unsure
                        .zip(s.user.as_deref())
                        .is_some_and(|(own, user)| filter::pattern::same_user(user, own));
                let current = known || unsure;
                let (mut action, mut reason, idle) = match decide(&s, current, options) {
                    (Action::Skip, Reason::OwnSession, idle) if unsure => {
                        (Action::Skip, Reason::OwnUser, idle)
                    }
                    (Action::Logoff, Reason::OwnSessionIncluded, idle) if unsure => {
                        (Action::Logoff, Reason::OwnUserIncluded, idle)
                    }
                    decided => decided,
                };
                if action == Action::Logoff && !shared.is_empty() {
                    if let Some(why) = shared.get(&s.id) {
                        (action, reason) = (Action::Skip, Reason::DuplicateId(why.clone()));
                    }
                }
                Entry {
                    subject: Subject::Session(s),
                    current,
                    action,
                    reason,
                    idle,
                }
            }
        })
        .collect();
    Plan { entries }
}

fn decide(s: &Session, current: bool, options: Options<'_>) -> (Action, Reason, Option<IdleSeen>) {
    use Action::{Logoff, Skip};
    if s.is_listener() {
        return (Skip, Reason::Listener, None);
    }
    if s.is_services() {
        return (Skip, Reason::Services, None);
    }
    if s.user.is_none() {
        return (Skip, Reason::NoUser, None);
    }
    if s.is_console() && !options.include_console {
        return (Skip, Reason::Console, None);
    }
    if current && !options.include_self {
        return (Skip, Reason::OwnSession, None);
    }
    if let (State::Unknown(word), Some(f)) = (&s.state, options.filters) {
        if !f.states.is_empty() {
            // A word nobody has seen cannot be said to be any of the states asked for.
            return (Skip, Reason::UnknownState(word.clone()), None);
        }
    }
    let (checked, idle) = match options.filters {
        Some(f) => f.check_seen(s, options.idle),
        None => (Ok(()), None),
    };
    if let Err(why) = checked {
        return (Skip, Reason::FilteredOut(why), idle);
    }
    let (action, reason) = if current {
        if options.include_self {
            (Logoff, Reason::OwnSessionIncluded)
        } else {
            (Skip, Reason::OwnSession)
        }
    } else if s.is_console() {
        (Logoff, Reason::ConsoleIncluded)
    } else {
        (Logoff, Reason::UserSession)
    };
    (action, reason, idle)
}

/// Whether a session in `state` has nothing left for `verb` to do: a disconnected session
/// cannot be disconnected again.
pub(crate) fn already_done(verb: Verb, state: &State) -> bool {
    verb.done_when_disconnected() && *state == State::Disconnected
}

/// Skips, with the reason, every planned session `verb` has nothing to do to.
pub(crate) fn apply_verb(plan: &mut Plan, verb: Verb) {
    for entry in &mut plan.entries {
        let done = entry
            .session()
            .is_some_and(|s| already_done(verb, &s.state));
        if entry.action == Action::Logoff && done {
            entry.action = Action::Skip;
            entry.reason = Reason::AlreadyDisconnected;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode, CodePage};
    use crate::table::parse::parse;

    const TABLE: &str = " SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE
 services                                    0  Disc
 console           Administrator             1  Active
>rdp-tcp#3         admin                     3  Active
                   bob                       4  Disc
 rdp-tcp#5         carol                     5  Active
 rdp-tcp                                 65536  Listen
";

    fn plan_of(options: Options<'_>) -> Plan {
        let table = parse(&decode(TABLE.as_bytes(), CodePage::Default(437)).unwrap()).unwrap();
        plan(table, options)
    }

    fn ids(plan: &Plan) -> Vec<u32> {
        plan.logoff_order()
            .iter()
            .map(|i| plan.entries[*i].session().unwrap().id.get())
            .collect()
    }

    #[test]
    fn default_plan_logs_off_only_other_users() {
        let p = plan_of(Options::default());
        assert_eq!(ids(&p), [4, 5]);
        let codes: Vec<&str> = p.entries.iter().map(|e| e.reason.code()).collect();
        assert_eq!(
            codes,
            [
                "services",
                "console",
                "own_session",
                "user_session",
                "user_session",
                "listener"
            ]
        );
    }

    #[test]
    fn include_flags_add_console_and_own_session_last() {
        let p = plan_of(Options {
            include_console: true,
            include_self: true,
            ..Options::default()
        });
        assert_eq!(ids(&p), [1, 4, 5, 3]);
    }

    #[test]
    fn the_system_s_own_session_wins_over_a_missing_marker() {
        let p = plan_of(Options {
            own_session: Some(SessionId::new(5)),
            ..Options::default()
        });
        // Both the `>` row (3) and the system's session (5) are kept: either may be ours.
        assert_eq!(ids(&p), [4]);
    }

    #[test]
    fn filters_skip_with_their_reason_but_never_add() {
        let filters = crate::plan::filter::Filters {
            states: vec![State::Disconnected],
            ..Default::default()
        };
        let p = plan_of(Options {
            filters: Some(&filters),
            ..Options::default()
        });
        assert_eq!(ids(&p), [4]);
        assert_eq!(p.entries[4].reason.code(), "filtered_out");
        // Services (Disc) stay skipped as services, not picked up by --state disc.
        assert_eq!(p.entries[0].reason.code(), "services");
    }

    #[test]
    fn a_disconnected_session_has_nothing_left_to_disconnect() {
        assert!(already_done(Verb::Disconnect, &State::Disconnected));
        assert!(!already_done(Verb::Disconnect, &State::Active));
        assert!(!already_done(Verb::Logoff, &State::Disconnected));
    }
}

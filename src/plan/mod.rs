//! Plan: decide, for every row, log off or skip, always with a reason. The plan is a value; the
//! executor only walks its logoffs.

mod duplicate;
pub mod filter;

use crate::plan::filter::{Filters, IdleSeen};
use crate::table::idle::IdleTable;
use crate::table::parse::{NotUnderstood, Row, Table};
use crate::table::session::{Session, State};
use crate::vocab::SessionId;
use crate::vocab::{quote, Verb};

/// What to do with a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Run `logoff <id>`.
    Logoff,
    /// Leave the session alone.
    Skip,
}

/// Why a row gets its action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// An ordinary user session.
    UserSession,
    /// The console, with `--include-console`.
    ConsoleIncluded,
    /// The caller's own session, with `--include-self`: logged off last.
    OwnSessionIncluded,
    /// The console without `--include-console`.
    Console,
    /// Session 0 / services (on NT4-2003 session 0 is the console): never logged off.
    Services,
    /// A listener (state Listen or ID >= 65536): never logged off.
    Listener,
    /// Nobody is logged on in it.
    NoUser,
    /// The caller's own session, without `--include-self`.
    OwnSession,
    /// The caller's own user on a server that could not be told from this computer: it may be
    /// the caller's own session, so it is skipped without `--include-self`.
    OwnUser,
    /// The caller's own user on a server that could not be told, with `--include-self`:
    /// logged off last.
    OwnUserIncluded,
    /// The state word is not known and a `--state` filter needs it.
    UnknownState(String),
    /// The ID is on more than one row (or on a line not understood), or belongs to a protected
    /// row: no row with it is logged off.
    DuplicateId(String),
    /// The row was not understood; it fails closed.
    NotUnderstood(String),
    /// A filter (--state, --user, --exclude-user, --idle-over) left it out.
    FilteredOut(String),
    /// At the re-check before logoff it no longer passed the checks.
    NoLongerMatches(String),
    /// `--disconnect`, and the session is already disconnected.
    AlreadyDisconnected,
}

impl Reason {
    /// A stable short code for programs reading the JSON report.
    pub fn code(&self) -> &'static str {
        ReasonCode::from(self).as_str()
    }

    /// The reason in words, saying how to change the decision where a flag can.
    pub fn text(&self) -> String {
        match self {
            Reason::UserSession => "user session".into(),
            Reason::ConsoleIncluded => "console session (--include-console)".into(),
            Reason::OwnSessionIncluded => {
                "your own session (--include-self), logged off last".into()
            }
            Reason::Console => "console session; add --include-console to log it off".into(),
            Reason::Services => {
                "services session (session 0; the console on NT4-2003); never logged off".into()
            }
            Reason::Listener => "listener; never logged off".into(),
            Reason::NoUser => "nobody logged on".into(),
            Reason::OwnSession => "your own session; add --include-self to log it off last".into(),
            Reason::OwnUser => {
                "own user, and the server could not be told from this computer \
                                (it may be your own session); add --include-self to log it off last"
                    .into()
            }
            Reason::OwnUserIncluded => "own user on a server that could not be told from this \
                                        computer (--include-self), logged off last"
                .into(),
            Reason::UnknownState(word) => {
                format!("unknown state word {}; it matches no --state", quote(word))
            }
            Reason::DuplicateId(why) => format!("duplicate ID: {why}; not logged off to be safe"),
            Reason::NotUnderstood(why) => format!("not understood: {why}"),
            Reason::FilteredOut(why) => format!("filtered out: {why}"),
            Reason::NoLongerMatches(why) => format!("at the re-check: {why}"),
            Reason::AlreadyDisconnected => "already disconnected".into(),
        }
    }
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
        let mut order: Vec<usize> = (0..self.entries.len())
            .filter(|i| self.entries[*i].action == Action::Logoff)
            .collect();
        order.sort_by_key(|i| self.entries[*i].current);
        order
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

crate::vocab::codes::stable_codes! {
    /// Why the plan does it ([`Reason`] without its details).
    pub enum ReasonCode {
        /// An ordinary user session.
        UserSession => "user_session",
        /// The console, with `--include-console`.
        ConsoleIncluded => "console_included",
        /// The caller's own session, with `--include-self`.
        OwnSessionIncluded => "own_session_included",
        /// The console.
        Console => "console",
        /// Session 0 / services.
        Services => "services",
        /// A listener.
        Listener => "listener",
        /// Nobody logged on.
        NoUser => "no_user",
        /// The caller's own session.
        OwnSession => "own_session",
        /// The caller's own user on a server that could not be told from this computer.
        OwnUser => "own_user",
        /// The caller's own user on such a server, with `--include-self`.
        OwnUserIncluded => "own_user_included",
        /// A state word not known (it matches no `--state`).
        UnknownState => "unknown_state",
        /// The ID is on more than one row, or on a protected row.
        DuplicateId => "duplicate_id",
        /// A row not understood.
        NotUnderstood => "not_understood",
        /// Left out by a filter.
        FilteredOut => "filtered_out",
        /// At the re-check it no longer passed the checks.
        NoLongerMatches => "no_longer_matches",
        /// `--disconnect`, and it is already disconnected.
        AlreadyDisconnected => "already_disconnected",
    }
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
    /// Whether a row skipped for this reason was not understood, or is not consistent with the
    /// rest of the table (exit code bit 4).
    pub fn is_not_understood(self) -> bool {
        matches!(
            self,
            ReasonCode::NotUnderstood | ReasonCode::UnknownState | ReasonCode::DuplicateId
        )
    }
}

/// Whether a session in `state` has nothing left for `verb` to do: a disconnected session
/// cannot be disconnected again.
pub fn already_done(verb: Verb, state: &State) -> bool {
    verb == Verb::Disconnect && *state == State::Disconnected
}

/// Skips, with the reason, every planned session `verb` has nothing to do to.
pub fn apply_verb(plan: &mut Plan, verb: Verb) {
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

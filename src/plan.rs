//! Plan: decide, for every row, log off or skip, always with a reason. The plan is a value; the
//! executor only walks its logoffs.

use crate::parse::{NotUnderstood, Row, Table};
use crate::session::{Session, SessionId, State};

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
    /// The state word is not known; the row fails closed.
    UnknownState(String),
    /// The row was not understood; it fails closed.
    NotUnderstood(String),
}

impl Reason {
    /// A stable short code for programs reading the JSON report.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::UserSession => "user_session",
            Reason::ConsoleIncluded => "console_included",
            Reason::OwnSessionIncluded => "own_session_included",
            Reason::Console => "console",
            Reason::Services => "services",
            Reason::Listener => "listener",
            Reason::NoUser => "no_user",
            Reason::OwnSession => "own_session",
            Reason::UnknownState(_) => "unknown_state",
            Reason::NotUnderstood(_) => "not_understood",
        }
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
            Reason::UnknownState(word) => {
                format!("unknown state word {word:?}; not logged off to be safe")
            }
            Reason::NotUnderstood(why) => format!("not understood: {why}"),
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
pub struct Options {
    /// Log off the console too.
    pub include_console: bool,
    /// Log off the caller's own session too, last.
    pub include_self: bool,
    /// The caller's own session as the system reports it; `None` when unknown (off Windows, or
    /// the table is from another server), and then only the `>` marker tells.
    pub own_session: Option<SessionId>,
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

/// Decides every row of `table`.
pub fn plan(table: &Table, options: Options) -> Plan {
    let entries = table
        .rows
        .iter()
        .map(|row| match row {
            Row::NotUnderstood(line) => Entry {
                subject: Subject::Line(line.clone()),
                current: line.raw.starts_with('>'),
                action: Action::Skip,
                reason: Reason::NotUnderstood(line.why.clone()),
            },
            Row::Session(s) => {
                let current = s.marked_current || options.own_session == Some(s.id);
                let (action, reason) = decide(s, current, options);
                Entry {
                    subject: Subject::Session(s.clone()),
                    current,
                    action,
                    reason,
                }
            }
        })
        .collect();
    Plan { entries }
}

fn decide(s: &Session, current: bool, options: Options) -> (Action, Reason) {
    use Action::{Logoff, Skip};
    if s.is_listener() {
        return (Skip, Reason::Listener);
    }
    if s.is_services() {
        return (Skip, Reason::Services);
    }
    if let State::Unknown(word) = &s.state {
        return (Skip, Reason::UnknownState(word.clone()));
    }
    if s.user.is_none() {
        return (Skip, Reason::NoUser);
    }
    if s.is_console() && !options.include_console {
        return (Skip, Reason::Console);
    }
    if current {
        return if options.include_self {
            (Logoff, Reason::OwnSessionIncluded)
        } else {
            (Skip, Reason::OwnSession)
        };
    }
    if s.is_console() {
        return (Logoff, Reason::ConsoleIncluded);
    }
    (Logoff, Reason::UserSession)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode, CodePage};
    use crate::parse::parse;

    const TABLE: &str = " SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE
 services                                    0  Disc
 console           Administrator             1  Active
>rdp-tcp#3         admin                     3  Active
                   bob                       4  Disc
 rdp-tcp#5         carol                     5  Active
 rdp-tcp                                 65536  Listen
";

    fn plan_of(options: Options) -> Plan {
        let table = parse(&decode(TABLE.as_bytes(), CodePage::Default(437)).unwrap()).unwrap();
        plan(&table, options)
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
            own_session: None,
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
}

//! Reason: why a row gets its action, in words for people and as a stable code for programs.

use crate::vocab::quote;

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

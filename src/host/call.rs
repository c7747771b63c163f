//! Calls: every stock program the run may start, as a plain value that knows its program, its
//! argv (with a validated `/server:NAME` in the one place each tool wants it) and how much output
//! is kept. What would run is data, tested without running anything; no shell is ever involved.

use crate::host::runner::{QUERY_OUTPUT_LIMIT, TOOL_OUTPUT_LIMIT};
use crate::host::tools::Tool;
use crate::vocab::ServerName;
use crate::vocab::{SessionId, Verb};

/// The logon mode of `change logon`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LogonMode {
    /// `/query`: print the current mode.
    Query,
    /// `/enable`: logons allowed.
    Enable,
    /// `/disable`: no new logons, and no reconnections.
    Disable,
    /// `/drain`: no new logons; reconnections allowed.
    Drain,
    /// `/drainuntilrestart`: as drain, until the next restart.
    DrainUntilRestart,
}

impl LogonMode {
    /// The `change logon` switch for this mode.
    pub(crate) fn switch(self) -> &'static str {
        match self {
            LogonMode::Query => "/query",
            LogonMode::Enable => "/enable",
            LogonMode::Disable => "/disable",
            LogonMode::Drain => "/drain",
            LogonMode::DrainUntilRestart => "/drainuntilrestart",
        }
    }

    /// The mode of a `change logon` switch (as [`LogonMode::switch`] writes it).
    pub(crate) fn from_switch(switch: &str) -> Option<LogonMode> {
        [
            LogonMode::Query,
            LogonMode::Enable,
            LogonMode::Disable,
            LogonMode::Drain,
            LogonMode::DrainUntilRestart,
        ]
        .into_iter()
        .find(|m| m.switch().eq_ignore_ascii_case(switch))
    }
}

/// One call of a stock program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Call<'a> {
    /// `query session [/server:NAME]`.
    QuerySession,
    /// `query user [/server:NAME]`.
    QueryUser,
    /// `logoff ID [/server:NAME]`.
    Logoff(SessionId),
    /// `tsdiscon ID [/server:NAME]`.
    Disconnect(SessionId),
    /// `reset session ID [/server:NAME]`: ends a session that a logoff did not end.
    Reset(SessionId),
    /// `msg ID [/server:NAME] /time:SECONDS MESSAGE` (the message as one argument, last).
    Msg {
        /// The session.
        id: SessionId,
        /// How long the message box stays.
        seconds: u64,
        /// The text, one line.
        message: &'a str,
    },
    /// `eventcreate /l APPLICATION /so logoff-all /t TYPE /id N /d TEXT` on this computer.
    EventCreate {
        /// Information (true) or warning (false).
        ok: bool,
        /// The description.
        text: &'a str,
    },
    /// `change logon MODE` on this computer (it has no `/server:`).
    ChangeLogon(LogonMode),
}

impl Call<'static> {
    /// The call that does `verb` to session `id`: `logoff ID` or `tsdiscon ID`.
    pub(crate) fn of_verb(verb: Verb, id: SessionId) -> Call<'static> {
        match verb {
            Verb::Logoff => Call::Logoff(id),
            Verb::Disconnect => Call::Disconnect(id),
        }
    }
}

impl Call<'_> {
    /// The program this call runs.
    pub(crate) fn tool(&self) -> Tool {
        match self {
            Call::QuerySession | Call::QueryUser => Tool::Query,
            Call::Logoff(_) => Tool::Logoff,
            Call::Disconnect(_) => Tool::TsDiscon,
            Call::Reset(_) => Tool::Reset,
            Call::Msg { .. } => Tool::Msg,
            Call::EventCreate { .. } => Tool::EventCreate,
            Call::ChangeLogon(_) => Tool::Change,
        }
    }

    /// Whether a second Ctrl-C may stop it half-way: it only reads or tells (`query`, `msg`,
    /// `eventcreate`). A call that ends or changes a session, or the logon mode, runs to its
    /// end or its timeout, so that what it did is known and reported.
    pub(crate) fn may_be_cut(&self) -> bool {
        match self {
            Call::QuerySession | Call::QueryUser | Call::Msg { .. } | Call::EventCreate { .. } => {
                true
            }
            Call::Logoff(_) | Call::Disconnect(_) | Call::Reset(_) | Call::ChangeLogon(_) => false,
        }
    }

    /// The most output kept before the call fails as "output too large".
    pub(crate) fn output_limit(&self) -> usize {
        match self {
            Call::QuerySession | Call::QueryUser => QUERY_OUTPUT_LIMIT,
            _ => TOOL_OUTPUT_LIMIT,
        }
    }

    /// The arguments, built only from validated values: decimal session IDs, a checked server
    /// name, and a message passed as one argument.
    pub(crate) fn argv(&self, server: Option<&ServerName>) -> Vec<String> {
        let server_arg = server.map(|s| format!("/server:{s}"));
        let mut argv: Vec<String> = match self {
            Call::QuerySession => vec!["session".into()],
            Call::QueryUser => vec!["user".into()],
            Call::Logoff(id) | Call::Disconnect(id) => vec![id.to_string()],
            Call::Reset(id) => vec!["session".into(), id.to_string()],
            Call::Msg { id, .. } => vec![id.to_string()],
            Call::EventCreate { ok, text } => {
                let (kind, event_id) = if *ok {
                    ("INFORMATION", "1")
                } else {
                    ("WARNING", "2")
                };
                let args = [
                    "/l",
                    "APPLICATION",
                    "/so",
                    "logoff-all",
                    "/t",
                    kind,
                    "/id",
                    event_id,
                    "/d",
                    text,
                ];
                // The event goes to this computer's log, whichever server it is about.
                return args.iter().map(|s| s.to_string()).collect();
            }
            Call::ChangeLogon(mode) => return vec!["logon".into(), mode.switch().into()],
        };
        argv.extend(server_arg);
        if let Call::Msg {
            seconds, message, ..
        } = self
        {
            argv.push(format!("/time:{seconds}"));
            argv.push((*message).to_string());
        }
        argv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(call: Call<'_>, server: Option<&str>) -> Vec<String> {
        let server = server.map(|s| ServerName::parse(s).unwrap());
        call.argv(server.as_ref())
    }

    #[test]
    fn every_call_builds_its_argv_with_the_server_where_the_tool_wants_it() {
        let id = SessionId::new(4);
        assert_eq!(argv(Call::QuerySession, None), ["session"]);
        assert_eq!(
            argv(Call::QuerySession, Some("TS01")),
            ["session", "/server:TS01"]
        );
        assert_eq!(
            argv(Call::QueryUser, Some("TS01")),
            ["user", "/server:TS01"]
        );
        assert_eq!(argv(Call::Logoff(id), None), ["4"]);
        assert_eq!(argv(Call::Logoff(id), Some("TS01")), ["4", "/server:TS01"]);
        assert_eq!(
            argv(Call::Disconnect(id), Some("TS01")),
            ["4", "/server:TS01"]
        );
        assert_eq!(
            argv(Call::Reset(id), Some("TS01")),
            ["session", "4", "/server:TS01"]
        );
        assert_eq!(
            argv(
                Call::Msg {
                    id,
                    seconds: 300,
                    message: "Save your work & log off"
                },
                Some("TS01")
            ),
            ["4", "/server:TS01", "/time:300", "Save your work & log off"]
        );
        assert_eq!(
            argv(Call::ChangeLogon(LogonMode::Drain), Some("TS01")),
            ["logon", "/drain"]
        );
        let event = argv(
            Call::EventCreate {
                ok: false,
                text: "x",
            },
            Some("TS01"),
        );
        assert_eq!(event[5], "WARNING");
        assert_eq!(event[9], "x");
        assert_eq!(
            argv(
                Call::EventCreate {
                    ok: true,
                    text: "x"
                },
                None
            )[5],
            "INFORMATION"
        );
    }

    #[test]
    fn queries_may_print_more_than_the_other_tools() {
        assert!(Call::QuerySession.output_limit() > Call::Logoff(SessionId::new(1)).output_limit());
        assert_eq!(Call::QueryUser.output_limit(), QUERY_OUTPUT_LIMIT);
    }
}

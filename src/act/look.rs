//! Look: read one server's sessions from the run's [`Source`] and plan them with the run's
//! flags. The first survey, every re-check, the verification, the own session's last look and
//! `--list` all read through here, so they all apply the same checks to the same kind of table.

use crate::config::Config;
use crate::error::Error;
use crate::plan::{self, Options, Plan, Reason, Subject};
use crate::source::Source;
use crate::table::idle::IdleTable;
use crate::vocab::ServerName;
use std::time::Instant;

/// A server's table, planned.
#[derive(Debug)]
pub(crate) struct Look {
    /// The decisions.
    pub(crate) plan: Plan,
    /// When the table was read.
    pub(crate) read_at: Instant,
    /// The `query user` table, when it was read (`--idle-over`).
    pub(crate) idle: Option<IdleTable>,
    /// Things worth knowing that did not stop the read.
    pub(crate) warnings: Vec<String>,
}

impl Look {
    /// The server's result once surveyed: the plan, nothing done yet.
    pub(crate) fn into_done(self, verb: crate::vocab::Verb) -> crate::act::Done {
        crate::act::Done {
            plan: self.plan,
            outcomes: None,
            warned: None,
            read_at: self.read_at,
            idle: self.idle,
            verb,
        }
    }
}

/// Reads and plans, the one way the run does.
#[derive(Clone, Copy)]
pub(crate) struct Planner<'a> {
    /// Where the sessions come from.
    pub(crate) source: &'a dyn Source,
    /// The flags that decide.
    pub(crate) config: &'a Config,
}

impl Planner<'_> {
    /// Reads `server` again, after `first` was planned from it, and accepts the fresh table only
    /// when it is as complete as the first: every row that never goes away (services, the
    /// console, a listener, the caller's own session) is still listed, and no line is cut off
    /// that the first table did not have. A table cut short would make sessions look gone.
    pub(crate) fn look_again(
        &self,
        server: Option<&ServerName>,
        first: &Plan,
    ) -> Result<Look, Error> {
        let look = self.look(server)?;
        match incomplete(first, &look.plan) {
            Some(why) => Err(Error::Incomplete(why)),
            None => Ok(look),
        }
    }

    /// Reads `server` (`None`: this computer) and plans it; for `--idle-over` the `query user`
    /// table is read too.
    pub(crate) fn look(&self, server: Option<&ServerName>) -> Result<Look, Error> {
        let config = self.config;
        let snapshot = self
            .source
            .read(server, config.filters.idle_over.is_some())?;
        // A live table that stops in the middle of a line was cut short: its last row may hold
        // a name cut in two, which could match what the whole name does not.
        if !snapshot.whole {
            return Err(Error::Incomplete(
                "the output stops in the middle of a line".to_string(),
            ));
        }
        let mut plan = plan::plan(
            snapshot.table,
            Options {
                include_console: config.include_console,
                include_self: config.include_self,
                own_session: snapshot.own_session,
                filters: Some(&config.filters),
                idle: snapshot.idle.as_ref(),
                own_user_unsure: snapshot.own_user.as_deref(),
            },
        );
        plan::apply_verb(&mut plan, config.verb);
        Ok(Look {
            plan,
            read_at: snapshot.read_at,
            idle: snapshot.idle,
            warnings: snapshot.warnings,
        })
    }
}

/// Why `fresh` is less complete than `first`, if it is.
fn incomplete(first: &Plan, fresh: &Plan) -> Option<String> {
    // Rows the run leaves alone and that never go away by themselves; a row planned to go
    // (the console with --include-console, the own session with --include-self) may be gone.
    let lasting = first.entries.iter().filter_map(|e| {
        let s = e.session()?;
        // The console is not among them: when its user logs off, it comes back under a new ID.
        // Nor is a session only suspected to be the caller's (its user's, on a server that
        // cannot be told): it may end by itself.
        let lasts = e.action == crate::plan::Action::Skip
            && matches!(
                e.reason,
                Reason::Services | Reason::Listener | Reason::OwnSession
            );
        lasts.then_some(s.id)
    });
    for id in lasting {
        if !fresh
            .entries
            .iter()
            .any(|e| e.session().is_some_and(|s| s.id == id))
        {
            return Some(format!(
                "session {id}, which never goes away, is not listed"
            ));
        }
    }
    let lines = |plan: &Plan| -> Vec<String> {
        plan.entries
            .iter()
            .filter_map(|e| match &e.subject {
                Subject::Line(line) => Some(line.raw.to_string()),
                Subject::Session(_) => None,
            })
            .collect()
    };
    let before = lines(first);
    lines(fresh)
        .into_iter()
        .find(|raw| !before.contains(raw))
        .map(|raw| format!("a line not understood: {}", crate::vocab::quote(&raw)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode, CodePage};
    use crate::table::parse::parse;

    fn plan_of(text: &str) -> Plan {
        let table = parse(&decode(text.as_bytes(), CodePage::Default(437)).unwrap()).unwrap();
        plan::plan(table, Options::default())
    }

    const FULL: &str = " SESSIONNAME       USERNAME                 ID  STATE
 services                                    0  Disc
 console                                     1  Conn
 rdp-tcp#1         alice                     2  Active
 rdp-tcp                                 65536  Listen
";

    #[test]
    fn a_table_cut_short_is_not_accepted_as_proof() {
        let first = plan_of(FULL);
        assert_eq!(incomplete(&first, &first), None);
        // The console's user logged off: the console comes back under another ID. Complete.
        let console = FULL.replace(" console                                     1  Conn\n", "");
        assert_eq!(incomplete(&first, &plan_of(&console)), None);
        // alice logged off: complete.
        let gone = FULL.replace(
            " rdp-tcp#1         alice                     2  Active\n",
            "",
        );
        assert_eq!(incomplete(&first, &plan_of(&gone)), None);
        // Cut after alice's row: the listener is missing.
        let cut = &FULL[..FULL.find(" rdp-tcp  ").unwrap()];
        assert!(incomplete(&first, &plan_of(cut)).unwrap().contains("65536"));
        // Cut in the middle of a row: `ends_with_line_end` in the source tells (see there).
        // A row planned to go (the own session with --include-self) may be gone.
        let own = " SESSIONNAME       USERNAME                 ID  STATE
 services                                    0  Disc
>rdp-tcp#1         admin                     2  Active
 rdp-tcp                                 65536  Listen
";
        let table = parse(&decode(own.as_bytes(), CodePage::Default(437)).unwrap()).unwrap();
        let with_self = plan::plan(
            table,
            Options {
                include_self: true,
                ..Options::default()
            },
        );
        let after = own.replace(
            ">rdp-tcp#1         admin                     2  Active\n",
            "",
        );
        assert_eq!(incomplete(&with_self, &plan_of(&after)), None);
        assert!(incomplete(&plan_of(own), &plan_of(&after)).is_some());
    }
}

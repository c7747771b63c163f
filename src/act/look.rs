//! Look: read one server's sessions from the run's [`Source`] and plan them with the run's
//! flags. The first survey, every re-check, the verification, the own session's last look and
//! `--list` all read through here, so they all apply the same checks to the same kind of table.

use crate::config::Config;
use crate::error::Error;
use crate::plan::{self, Options, Plan};
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

/// Reads and plans, the one way the run does.
#[derive(Clone, Copy)]
pub(crate) struct Planner<'a> {
    /// Where the sessions come from.
    pub(crate) source: &'a dyn Source,
    /// The flags that decide.
    pub(crate) config: &'a Config,
}

impl Planner<'_> {
    /// Reads `server` (`None`: this computer) and plans it; for `--idle-over` the `query user`
    /// table is read too.
    pub(crate) fn look(&self, server: Option<&ServerName>) -> Result<Look, Error> {
        let config = self.config;
        let snapshot = self
            .source
            .read(server, config.filters.idle_over.is_some())?;
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

//! Filter: what admins narrow a run to: states, user and session name patterns (exclusions
//! win), idle time. A session that fails a filter is skipped with the filter's reason.

pub(crate) mod hidden;
pub(crate) mod list;
pub mod pattern;

pub use pattern::Pattern;

use crate::table::idle::IdleTable;
use crate::table::session::{Session, State};
use crate::table::vocab;
use crate::vocab::quote;
use std::time::Duration;

/// Parses `--state` names: the English state names (active, disconnected, ...) and the short
/// words `query` prints in English (disc, conn, ...), case-insensitively; a localized word of
/// the vocabulary is taken as its state too. Rows are matched through the vocabulary, so `disc`
/// also selects `Getr.`, `Desc` or `Диск` rows; a state word the vocabulary does not know
/// matches no `--state`.
pub fn parse_state(word: &str) -> Result<State, String> {
    vocab::state_of_name(word)
        .or_else(|| vocab::state_of_word(word))
        .ok_or_else(|| {
            format!(
                "unknown state {word:?} for --state: use active, connected (conn), connectquery, \
                 shadow, disconnected (disc), idle, listen, reset, down or init"
            )
        })
}

/// The filters of one run; the default filters nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// `--state`: keep only sessions in these states; empty means any state.
    pub states: Vec<State>,
    /// `--user`: keep only users matching one of these (the whole name as printed); empty
    /// means every user.
    pub users: Vec<Pattern>,
    /// `--exclude-user` and `--exclude-file`: never users matching one of these (also the
    /// printed name cut to 20 characters).
    pub exclude_users: Vec<Pattern>,
    /// `--idle-over`: keep only sessions idle longer than this (from `query user`); `None`
    /// means idle time does not matter.
    pub idle_over: Option<Duration>,
    /// `--session-name`: keep only sessions whose name matches one of these; empty means any
    /// session. A session with no name (disconnected) matches none.
    pub session_names: Vec<Pattern>,
    /// `--unknown-idle`: what `--idle-over` does with a session whose idle time cannot be read.
    pub unknown_idle: UnknownIdle,
}

/// `--unknown-idle`: a session whose idle time is unreadable or missing from `query user`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UnknownIdle {
    /// Skip it, with the reason (the default).
    #[default]
    Skip,
    /// Treat it as idle long enough; every other check still applies.
    Logoff,
}

/// What `--idle-over` saw for a session that reached it (every other filter passed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdleSeen {
    /// Idle this long, over the limit.
    Over {
        /// The idle time read from `query user`.
        idle: Duration,
        /// `--idle-over`.
        limit: Duration,
    },
    /// Idle this long, not over the limit.
    NotOver(Duration),
    /// The idle time could not be read (absurd, malformed, or not listed); why.
    Unreadable(String),
}

impl IdleSeen {
    /// "idle 3h 12m, over 2h", or why the idle time is unknown.
    pub fn note(&self) -> String {
        match self {
            IdleSeen::Over { idle, limit } => {
                format!("idle {}, over {}", format_idle(*idle), format_idle(*limit))
            }
            IdleSeen::NotOver(idle) => format!("idle {}", format_idle(*idle)),
            IdleSeen::Unreadable(why) => why.clone(),
        }
    }
}

impl Filters {
    /// Warnings about the patterns: any that can never match a name `query` prints, and notes
    /// from exclusion files; for stderr when the run starts.
    pub fn warnings(&self) -> Vec<String> {
        let excludes = self
            .exclude_users
            .iter()
            .filter_map(|p| p.warning("exclusion", true));
        let includes = self.users.iter().filter_map(|p| p.warning("--user", false));
        excludes.chain(includes).collect()
    }

    /// Checks a session with a user; `Err` says why it is filtered out. `idle` is the `query
    /// user` table, needed when `idle_over` is set (missing or unreadable means filtered out,
    /// unless `--unknown-idle logoff`).
    pub fn check(&self, s: &Session, idle: Option<&IdleTable>) -> Result<(), String> {
        self.check_seen(s, idle).0
    }

    /// As [`Filters::check`], and what `--idle-over` saw when the session got that far.
    pub fn check_seen(
        &self,
        s: &Session,
        idle: Option<&IdleTable>,
    ) -> (Result<(), String>, Option<IdleSeen>) {
        let user = s.user.as_deref().unwrap_or("");
        if !self.states.is_empty() && !self.states.contains(&s.state) {
            let names: Vec<&str> = self.states.iter().map(State::canonical).collect();
            let why = format!(
                "state {} is not one of --state {}",
                s.state.canonical(),
                names.join(",")
            );
            return (Err(why), None);
        }
        if let Some(p) = self.exclude_users.iter().find(|p| p.matches_cut(user)) {
            return (
                Err(format!("user matches exclusion {}", quote(p.as_str()))),
                None,
            );
        }
        if !self.users.is_empty() && !self.users.iter().any(|p| p.matches(user)) {
            return (Err("user matches no --user pattern".to_string()), None);
        }
        if !self.session_names.is_empty() {
            let matched = s
                .name
                .as_deref()
                .is_some_and(|n| self.session_names.iter().any(|p| p.matches(n)));
            if !matched {
                let why = match &s.name {
                    None => "no session name (disconnected); --session-name matches named \
                             sessions only"
                        .to_string(),
                    Some(n) => format!(
                        "session name {} matches no --session-name pattern",
                        quote(n)
                    ),
                };
                return (Err(why), None);
            }
        }
        let Some(limit) = self.idle_over else {
            return (Ok(()), None);
        };
        let read = match idle {
            None => Err("idle time unknown: query user was not run".to_string()),
            Some(table) => table.idle_of(s),
        };
        match read {
            Ok(d) if d > limit => (Ok(()), Some(IdleSeen::Over { idle: d, limit })),
            Ok(d) => (
                Err(format!(
                    "idle {} is not over --idle-over {}",
                    format_duration(d),
                    format_duration(limit)
                )),
                Some(IdleSeen::NotOver(d)),
            ),
            Err(why) => {
                let seen = Some(IdleSeen::Unreadable(why.clone()));
                // Another user on the same ID in `query user` is proof that the ID changed hands
                // between the two tables: never acted on, whatever --unknown-idle says.
                let user = s.user.as_deref().unwrap_or("");
                let changed_hands = idle
                    .and_then(|t| t.by_id.get(&s.id))
                    .is_some_and(|e| !crate::table::vocab::same_word(&e.user, user));
                if changed_hands {
                    return (
                        Err(format!(
                            "{why}: the ID changed hands between query session and query user; \
                             skipped whatever --unknown-idle says"
                        )),
                        seen,
                    );
                }
                match self.unknown_idle {
                    UnknownIdle::Logoff => (Ok(()), seen),
                    UnknownIdle::Skip => (
                        Err(format!(
                            "{why}; skipped (--unknown-idle logoff acts on such sessions)"
                        )),
                        seen,
                    ),
                }
            }
        }
    }
}

/// Formats an idle time for people: `1d 2h 13m`, `45m`, `0m` (whole minutes, as query user
/// prints them; seconds only below a minute).
pub fn format_idle(d: Duration) -> String {
    let secs = d.as_secs();
    if secs < 60 {
        return if secs == 0 {
            "0m".to_string()
        } else {
            format!("{secs}s")
        };
    }
    let mut parts = Vec::new();
    for (value, unit) in [
        (secs / 86400, "d"),
        (secs % 86400 / 3600, "h"),
        (secs % 3600 / 60, "m"),
    ] {
        if value > 0 {
            parts.push(format!("{value}{unit}"));
        }
    }
    parts.join(" ")
}

pub use crate::vocab::duration::format_duration;

impl crate::plan::Plan {
    /// Sessions whose idle time `--idle-over` could not read (skipped, or acted on with
    /// `--unknown-idle logoff`).
    pub fn unreadable_idle(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| matches!(e.idle, Some(IdleSeen::Unreadable(_))))
            .count()
    }
}

#[cfg(test)]
mod tests;

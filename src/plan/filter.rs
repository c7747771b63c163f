//! Filter: what admins narrow a run to: states, user name patterns (exclusions win), idle time.
//! A session that fails a filter is skipped with the filter's reason.

pub mod list;
pub mod pattern;

pub use pattern::Pattern;

use crate::table::idle::IdleTable;
use crate::table::session::{Session, State};
use std::time::Duration;

/// Parses `--state` words: canonical names (active, disconnected, ...), the short words query
/// prints (disc, conn, ...) and their localized forms, case-insensitively.
pub fn parse_state(word: &str) -> Result<State, String> {
    match State::from_word(word) {
        State::Unknown(_) => Err(format!(
            "unknown state {word:?} for --state: use active, connected, connectquery, shadow, \
             disconnected (disc), idle, listen, reset, down or init"
        )),
        state => Ok(state),
    }
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
    /// user` table, needed when `idle_over` is set (missing or unreadable means filtered out).
    pub fn check(&self, s: &Session, idle: Option<&IdleTable>) -> Result<(), String> {
        let user = s.user.as_deref().unwrap_or("");
        if !self.states.is_empty() && !self.states.contains(&s.state) {
            let names: Vec<&str> = self.states.iter().map(State::canonical).collect();
            return Err(format!(
                "state {} is not one of --state {}",
                s.state.canonical(),
                names.join(",")
            ));
        }
        if let Some(p) = self.exclude_users.iter().find(|p| p.matches_cut(user)) {
            return Err(format!("user matches exclusion {:?}", p.as_str()));
        }
        if !self.users.is_empty() && !self.users.iter().any(|p| p.matches(user)) {
            return Err("user matches no --user pattern".to_string());
        }
        if let Some(limit) = self.idle_over {
            let idle = idle
                .ok_or("idle time unknown: query user was not run")?
                .idle_of(s)?;
            if idle <= limit {
                return Err(format!(
                    "idle {} is not over --idle-over {}",
                    format_duration(idle),
                    format_duration(limit)
                ));
            }
        }
        Ok(())
    }
}

/// Formats a duration as the shortest of `1d2h3m`, `2h`, `45m`, `30s`.
pub fn format_duration(d: Duration) -> String {
    let mut secs = d.as_secs();
    if secs == 0 {
        return "0m".to_string();
    }
    let mut out = String::new();
    for (unit, size) in [("d", 86400), ("h", 3600), ("m", 60), ("s", 1)] {
        if secs >= size {
            out.push_str(&format!("{}{unit}", secs / size));
            secs %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::session::SessionId;

    fn session(user: &str, state: State) -> Session {
        Session {
            id: SessionId::new(3),
            name: None,
            user: Some(user.to_string()),
            state_word: state.canonical().to_string(),
            state,
            kind: None,
            device: None,
            marked_current: false,
            line: 1,
        }
    }

    #[test]
    fn exclusion_wins_over_inclusion() {
        let f = Filters {
            users: vec![Pattern::new("*").unwrap()],
            exclude_users: vec![Pattern::new("admin*").unwrap()],
            ..Filters::default()
        };
        assert!(f.check(&session("alice", State::Active), None).is_ok());
        let why = f
            .check(&session("Administrator", State::Active), None)
            .unwrap_err();
        assert!(why.contains("exclusion"), "{why}");
    }

    #[test]
    fn state_filter_uses_canonical_and_localized_words() {
        let f = Filters {
            states: vec![parse_state("disc").unwrap(), parse_state("Getr.").unwrap()],
            ..Filters::default()
        };
        assert!(f.check(&session("a", State::Disconnected), None).is_ok());
        assert!(f.check(&session("a", State::Active), None).is_err());
        assert!(parse_state("sleeping").is_err());
        assert_eq!(parse_state("ACTIVE"), Ok(State::Active));
    }

    #[test]
    fn idle_filter_without_a_table_fails_closed() {
        let f = Filters {
            idle_over: Some(Duration::from_secs(60)),
            ..Filters::default()
        };
        assert!(f.check(&session("a", State::Disconnected), None).is_err());
    }

    #[test]
    fn durations_format_compactly() {
        assert_eq!(format_duration(Duration::from_secs(7200)), "2h");
        assert_eq!(format_duration(Duration::from_secs(129_600)), "1d12h");
        assert_eq!(format_duration(Duration::from_secs(2700)), "45m");
    }
}

//! Filter: what admins narrow a run to: states, user name patterns (exclusions win), idle time.
//! A session that fails a filter is skipped with the filter's reason.

use crate::table::idle::IdleTable;
use crate::table::session::{Session, State};
use crate::table::vocab;
use regex::Regex;
use std::time::Duration;

/// A case-insensitive user name pattern with `*` and `?` wildcards. `DOMAIN\user` matches on
/// the user part, since `query` prints user names without their domain.
#[derive(Debug, Clone)]
pub struct Pattern {
    text: String,
    regex: Regex,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Pattern {}

impl Pattern {
    /// Compiles a pattern; empty ones (or `DOMAIN\` alone) are refused.
    pub fn new(text: &str) -> Result<Pattern, String> {
        let user = text.trim().rsplit('\\').next().unwrap_or("");
        if user.is_empty() {
            return Err(format!(
                "empty user pattern {text:?}: give a user name, with * and ? as wildcards"
            ));
        }
        // Case-insensitive by lower-casing both sides, which keeps Unicode case tables out of
        // the regex engine (and the exe).
        let mut re = String::from("^");
        for c in user.to_lowercase().chars() {
            match c {
                '*' => re.push_str(".*"),
                '?' => re.push('.'),
                c => re.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
            }
        }
        re.push('$');
        let regex = Regex::new(&re).map_err(|e| format!("bad user pattern {text:?}: {e}"))?;
        Ok(Pattern {
            text: text.trim().to_string(),
            regex,
        })
    }

    /// Whether `user` matches.
    pub fn matches(&self, user: &str) -> bool {
        self.regex.is_match(&user.to_lowercase())
    }

    /// The pattern as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

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
    /// `--user`: keep only users matching one of these; empty means every user.
    pub users: Vec<Pattern>,
    /// `--exclude-user` and `--exclude-file`: never users matching one of these.
    pub exclude_users: Vec<Pattern>,
    /// `--idle-over`: keep only sessions idle longer than this (from `query user`); `None`
    /// means idle time does not matter.
    pub idle_over: Option<Duration>,
}

impl Filters {
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
        if let Some(p) = self.exclude_users.iter().find(|p| p.matches(user)) {
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
    fn wildcards_are_case_insensitive_and_anchored() {
        let p = Pattern::new("adm*").unwrap();
        assert!(p.matches("Administrator") && p.matches("ADM") && !p.matches("sysadm"));
        let p = Pattern::new("user?").unwrap();
        assert!(p.matches("user1") && !p.matches("user12") && !p.matches("user"));
        assert!(Pattern::new("JÜRGEN").unwrap().matches("jürgen"));
        assert!(Pattern::new("a.b").unwrap().matches("a.b"));
        assert!(
            !Pattern::new("a.b").unwrap().matches("axb"),
            "dots are literal"
        );
    }

    #[test]
    fn domain_prefix_matches_the_user_part() {
        let p = Pattern::new(r"CONTOSO\svc_*").unwrap();
        assert!(p.matches("svc_backup"));
        assert!(Pattern::new(r"CONTOSO\").is_err());
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

//! Pattern: a user name pattern as admins write them: case-insensitive, `*` and `?` wildcards,
//! `DOMAIN\user` matching on the user part (`query` prints names without their domain). An
//! exclusion also matches the name as `query` cuts it to 20 characters.

use crate::vocab::quote;

/// How many characters of a user name `query` prints (`UserName[21]` in the session table).
pub const PRINTED_USER_CHARS: usize = 20;

/// Characters a Windows user name cannot hold (besides control characters); `*` and `?` are
/// wildcards in a pattern, and `\` separates the domain.
const NOT_IN_USER_NAMES: &[char] = &['"', '/', '[', ']', ':', ';', '|', '=', ',', '+', '<', '>'];

/// A case-insensitive user name pattern with `*` and `?` wildcards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    text: String,
    /// What is matched (the user part of a user pattern, or a whole session name pattern),
    /// lower-cased, as characters.
    user: Vec<char>,
    /// Where it came from (`keep.txt:3`), for warnings; `None`: the command line.
    origin: Option<String>,
    /// Something to warn about when the run starts; `None`: nothing.
    note: Option<String>,
}

impl Pattern {
    /// Compiles a pattern; empty ones (or `DOMAIN\` alone) are refused.
    pub fn new(text: &str) -> Result<Pattern, String> {
        let user = text.trim().rsplit('\\').next().unwrap_or("");
        if user.is_empty() {
            return Err(format!(
                "empty user pattern {}: give a user name, with * and ? as wildcards",
                quote(text)
            ));
        }
        Ok(Pattern {
            text: text.trim().to_string(),
            user: user.to_lowercase().chars().collect(),
            origin: None,
            note: None,
        })
    }

    /// Compiles a session name pattern (`rdp-tcp#*`, `ica-cgp#*`): the whole text, no domain
    /// part; empty ones are refused.
    pub fn session_name(text: &str) -> Result<Pattern, String> {
        if text.trim().is_empty() {
            return Err(format!(
                "empty --session-name pattern {}: give a session name such as rdp-tcp#* \
                 or ica-cgp#*, with * and ? as wildcards",
                quote(text)
            ));
        }
        Ok(Pattern {
            text: text.trim().to_string(),
            user: text.trim().to_lowercase().chars().collect(),
            origin: None,
            note: None,
        })
    }

    /// The same pattern, noted as coming from `origin` (e.g. `keep.txt:3`).
    pub fn from(mut self, origin: String) -> Pattern {
        self.origin = Some(origin);
        self
    }

    /// The same pattern with a warning to give when the run starts.
    pub fn noting(mut self, note: String) -> Pattern {
        self.note = Some(note);
        self
    }

    /// What to warn about this pattern, if anything: its note, or why it can never match
    /// (`cut`: it is an exclusion, which also matches names cut to 20 characters).
    pub fn warning(&self, flag: &str, cut: bool) -> Option<String> {
        let why = self.note.clone().or_else(|| self.never_matches(cut))?;
        Some(format!(
            "{}{flag} pattern {:?}: {why}",
            self.origin(),
            self.text
        ))
    }

    /// Whether `user` (as `query` printed it) matches the whole pattern: the rule for `--user`,
    /// which must never select more than asked.
    pub fn matches(&self, user: &str) -> bool {
        let user: Vec<char> = user.to_lowercase().chars().collect();
        glob(&self.user, &user, false)
    }

    /// Whether `user` matches, or is exactly 20 characters long (cut by `query`) and is the
    /// start of a name the pattern matches: the rule for exclusions, which fails closed
    /// (`Administrator.CONTOSO` excludes the printed `Administrator.CONTOS`).
    pub fn matches_cut(&self, user: &str) -> bool {
        let printed: Vec<char> = user.to_lowercase().chars().collect();
        glob(&self.user, &printed, false)
            || (printed.len() == PRINTED_USER_CHARS && glob(&self.user, &printed, true))
    }

    /// The pattern as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Where the pattern came from, for messages: `keep.txt:3: ` or nothing.
    pub fn origin(&self) -> String {
        self.origin
            .as_ref()
            .map_or(String::new(), |o| format!("{o}: "))
    }

    /// Why the pattern can never match a user name `query` prints, when it cannot: a character
    /// no user name holds, or (for an include, `cut` false) more than 20 literal characters.
    pub fn never_matches(&self, cut: bool) -> Option<String> {
        if let Some(c) = self
            .user
            .iter()
            .find(|c| NOT_IN_USER_NAMES.contains(c) || c.is_control())
        {
            return Some(format!(
                "{c:?} cannot be part of a Windows user name ({} are not allowed)",
                NOT_IN_USER_NAMES.iter().collect::<String>()
            ));
        }
        let fixed = self.user.iter().take_while(|c| **c != '*').count();
        if !cut && fixed > PRINTED_USER_CHARS {
            return Some(format!(
                "query prints user names cut to {PRINTED_USER_CHARS} characters; give the \
                 first {PRINTED_USER_CHARS} (\"{}\") or end it with *",
                self.text
                    .rsplit('\\')
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(PRINTED_USER_CHARS)
                    .collect::<String>()
            ));
        }
        None
    }
}

/// Whether `printed` (a user name as `query` prints it) names the user `full` (`DOMAIN\user` or
/// `user`): the same name case-insensitively, or, when `printed` is 20 characters long, the
/// start of it (`query` cuts longer names).
pub fn same_user(printed: &str, full: &str) -> bool {
    let full: Vec<char> = full
        .rsplit('\\')
        .next()
        .unwrap_or("")
        .to_lowercase()
        .chars()
        .collect();
    let printed: Vec<char> = printed.to_lowercase().chars().collect();
    !printed.is_empty()
        && (printed == full || (printed.len() == PRINTED_USER_CHARS && full.starts_with(&printed)))
}

/// Whether `text` matches the wildcard pattern `pattern` (`*` any run, `?` one character);
/// with `prefix`, whether `text` is the start of some string the pattern matches.
fn glob(pattern: &[char], text: &[char], prefix: bool) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    prefix || pattern[p..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(Pattern::new("*x*y").unwrap().matches("axbxy"));
        assert!(!Pattern::new("*x*y").unwrap().matches("axbx"));
        assert!(Pattern::new("c#admin").unwrap().matches("C#Admin"));
    }

    #[test]
    fn session_name_patterns_take_the_whole_text() {
        let p = Pattern::session_name("RDP-Tcp#*").unwrap();
        assert!(p.matches("rdp-tcp#12") && !p.matches("ica-cgp#1"));
        assert!(Pattern::session_name(r"a\b").unwrap().matches(r"a\b"));
        assert!(Pattern::session_name("  ").is_err());
    }

    #[test]
    fn domain_prefix_matches_the_user_part() {
        let p = Pattern::new(r"CONTOSO\svc_*").unwrap();
        assert!(p.matches("svc_backup"));
        assert!(Pattern::new(r"CONTOSO\").is_err());
    }

    /// Issue 11 item 3: `query` cuts user names to 20 characters, so an exclusion of the full
    /// name must still exclude the printed one.
    #[test]
    fn a_long_exclusion_matches_the_name_cut_to_20_characters() {
        let p = Pattern::new("Administrator.CONTOSO").unwrap();
        assert!(p.matches_cut("Administrator.CONTOS"));
        assert!(p.matches_cut("administrator.contoso"));
        assert!(!p.matches("Administrator.CONTOS"), "includes stay exact");
        // Only a name of exactly 20 characters can have been cut.
        assert!(!p.matches_cut("Administrator.CONT"));
        assert!(!p.matches_cut("Administrator.CONTOX"));
        let p = Pattern::new(r"CONTOSO\svc_backup_nightly_*").unwrap();
        assert!(p.matches_cut("svc_backup_nightly_s"));
        let p = Pattern::new("svc_?????????????????x").unwrap();
        assert!(p.matches_cut("svc_abcdefghijklmnop"));
        assert!(!p.matches_cut("svx_abcdefghijklmnop"));
    }

    #[test]
    fn the_own_user_is_recognised_by_its_printed_name() {
        assert!(same_user("Administrator", r"CONTOSO\administrator"));
        assert!(same_user("Administrator.CONTOS", "Administrator.CONTOSO"));
        assert!(!same_user("Administrator.CONT", "Administrator.CONTOSO"));
        assert!(!same_user("alice", "bob"));
        assert!(!same_user("", ""));
    }

    #[test]
    fn patterns_that_can_never_match_are_named() {
        for bad in [
            "a/b", "adm[1]", "x:y", "a|b", "a=b", "a,b", "a+b", "a<b>", "\"q\"",
        ] {
            let p = Pattern::new(bad).unwrap();
            assert!(p.never_matches(true).is_some(), "{bad}");
        }
        let long = Pattern::new("Administrator.CONTOSO").unwrap();
        assert!(
            long.never_matches(true).is_none(),
            "an exclusion matches the cut name"
        );
        let why = long.warning("--user", false).unwrap();
        assert!(
            why.starts_with("--user pattern \"Administrator.CONTOSO\": query prints"),
            "{why}"
        );
        assert!(why.contains("\"Administrator.CONTOS\""), "{why}");
        assert!(Pattern::new("Administrator.CONTOS*")
            .unwrap()
            .never_matches(false)
            .is_none());
        for ok in [
            "adm*",
            "user?",
            "c#admin",
            "John Smith",
            r"CONTOSO\svc_*",
            "j.doe-smith",
        ] {
            assert!(
                Pattern::new(ok).unwrap().never_matches(false).is_none(),
                "{ok}"
            );
        }
    }
}

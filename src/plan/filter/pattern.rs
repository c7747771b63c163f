//! Pattern: a user name pattern as admins write them: case-insensitive, `*` and `?` wildcards.
//! `query` prints names without their domain, so a domain cannot be checked: `--user` refuses
//! a pattern with one (`DOMAIN\\user`, `user@domain`), an exclusion excludes the user part and
//! says so. An exclusion also matches the name as `query` cuts it to 20 characters.

use super::hidden;
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
    /// An exclusion `user@domain` also matches the whole text, lower-cased (`@` may be part
    /// of a user name); `None`: only `user` is matched.
    whole: Option<Vec<char>>,
    /// Where it came from (`keep.txt:3`), for warnings; `None`: the command line.
    origin: Option<String>,
    /// Something to warn about when the run starts; `None`: nothing.
    note: Option<String>,
}

/// The domain and user parts of a pattern: `DOMAIN\\user` (the last `\\`) or `user@domain`
/// (the first `@`, both sides not empty); `None`: no domain.
fn domain_of(text: &str) -> Option<(&str, &str)> {
    if let Some((domain, user)) = text.rsplit_once('\\') {
        return Some((domain, user));
    }
    match text.split_once('@') {
        Some((user, domain)) if !user.is_empty() && !domain.is_empty() => Some((domain, user)),
        _ => None,
    }
}

impl Pattern {
    fn compiled(text: String, user: &str, whole: Option<&str>) -> Result<Pattern, String> {
        if user.is_empty() {
            return Err(format!(
                "empty user pattern {}: give a user name, with * and ? as wildcards",
                quote(&text)
            ));
        }
        Ok(Pattern {
            user: user.to_lowercase().chars().collect(),
            whole: whole.map(|w| w.to_lowercase().chars().collect()),
            text,
            origin: None,
            note: None,
        })
    }

    /// Compiles a `--user` pattern. Refused: an empty one, one with a domain (it could only be
    /// checked on the user part, so `STUDENTS\\*` would select every user), and one holding
    /// an invisible character (see [`hidden`]), which would select a name nobody sees.
    pub fn include(text: &str) -> Result<Pattern, String> {
        let clean = hidden::clean(text, false).map_err(|c| {
            format!(
                "--user {} holds the invisible character {}: retype the name without it (or \
                 write ? in its place if the user name holds it)",
                quote(text),
                hidden::describe(c)
            )
        })?;
        if let Some((domain, user)) = domain_of(&clean) {
            return Err(format!(
                "--user {}: query prints user names without their domain, so the domain {} \
                 cannot be checked and the pattern would select {} in every domain; give the \
                 user name alone (--user {}) if every domain's {} is meant",
                quote(&clean),
                quote(domain),
                quote(user),
                quote(user),
                quote(user)
            ));
        }
        Pattern::compiled(clean.clone(), &clean, None)
    }

    /// Compiles an exclusion (`--exclude-user`, an `--exclude-file` line). The invisible
    /// characters of pasted and joined text are dropped, blanks are spaces, any other
    /// invisible character refuses it (`Err` names it). A domain (`DOMAIN\\user`,
    /// `user@domain`) cannot be checked: the user part is excluded in every domain (and
    /// `user@domain` as a whole name too), with a note saying so.
    pub fn exclusion(text: &str) -> Result<Pattern, String> {
        let clean = hidden::clean(text, true).map_err(|c| {
            format!(
                "exclusion {} holds the invisible character {}: retype the name without it (or \
                 write ? in its place if the user name holds it)",
                quote(text),
                hidden::describe(c)
            )
        })?;
        let Some((domain, user)) = domain_of(&clean) else {
            return Pattern::compiled(clean.clone(), &clean, None);
        };
        let whole = (!clean.contains('\\')).then_some(clean.as_str());
        let (user, domain) = (user.to_string(), domain.to_string());
        let also = if whole.is_some() {
            format!(" (and the user named {} as a whole)", quote(&clean))
        } else {
            String::new()
        };
        Ok(
            Pattern::compiled(clean.clone(), &user, whole)?.noting(format!(
            "query prints user names without their domain, so the domain {} cannot be checked: \
             it excludes {} in every domain{also}",
            quote(&domain),
            quote(&user)
        )),
        )
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
            whole: None,
            origin: None,
            note: None,
        })
    }

    /// The same pattern, noted as coming from `origin` (e.g. `keep.txt:3`).
    pub fn from(mut self, origin: String) -> Pattern {
        self.origin = Some(origin);
        self
    }

    /// The same pattern with a warning to give when the run starts (after any it has).
    pub fn noting(mut self, note: String) -> Pattern {
        self.note = Some(match self.note.take() {
            Some(first) => format!("{first}; {note}"),
            None => note,
        });
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
    /// The characters an exclusion drops (a zero-width space, ...) are ignored in the name
    /// too, so the same name with or without them is excluded.
    pub fn matches_cut(&self, user: &str) -> bool {
        let printed: Vec<char> = user.to_lowercase().chars().collect();
        let cut = printed.len() == PRINTED_USER_CHARS;
        let seen: Vec<char> = printed
            .into_iter()
            .filter(|c| !hidden::is_ignorable(*c))
            .collect();
        [Some(&self.user), self.whole.as_ref()]
            .into_iter()
            .flatten()
            .any(|p| glob(p, &seen, false) || (cut && glob(p, &seen, true)))
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
mod tests;

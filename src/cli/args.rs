//! The Windows habits on the command line, rewritten into clap's syntax before clap sees them:
//! `/?`, `/help`, `/server:NAME`, `-server:NAME`, `/server NAME` (any case), and the slash form
//! of every other flag (`/y`, `/n`, `/yes`, `/dry-run`, `/format:csv`); odd forms get a hint
//! that says what to write instead. A flag's value is never rewritten (`--input /n` reads the
//! file `/n`).

use crate::error::Error;
use crate::vocab::duration::negative;
use crate::vocab::quote;
use std::ffi::OsString;

/// The flags whose value is a duration: a value with a minus sign is refused here, by name.
const DURATION_FLAGS: &[&str] = &["--idle-over", "--grace", "--timeout", "--verify-wait"];

/// How to name a server, for the hints.
const SERVER_HINT: &str = "write /server:TS01, -server:TS01, /server TS01 or --server TS01";

/// The flags of the command line, by name, and whether each takes a value.
#[derive(Debug, Default)]
pub(crate) struct Flags {
    longs: Vec<(String, bool)>,
    shorts: Vec<(char, bool)>,
}

impl Flags {
    /// The flags of `command`.
    pub(crate) fn of(command: &clap::Command) -> Flags {
        let mut flags = Flags::default();
        for arg in command.get_arguments() {
            let takes = arg.get_action().takes_values();
            if let Some(long) = arg.get_long() {
                flags.longs.push((long.to_string(), takes));
            }
            if let Some(short) = arg.get_short() {
                flags.shorts.push((short, takes));
            }
        }
        flags
    }

    /// Whether `word` (`yes`, `y`; any case) names a flag, its clap spelling, and whether it
    /// takes a value.
    fn find(&self, word: &str) -> Option<(String, bool)> {
        let lower = word.to_ascii_lowercase();
        if let Some((long, takes)) = self.longs.iter().find(|(l, _)| *l == lower) {
            return Some((format!("--{long}"), *takes));
        }
        let mut chars = word.chars();
        match (chars.next(), chars.next()) {
            // The letter as given, else the one letter that differs only in case (`/Y`).
            (Some(c), None) => {
                let alike: Vec<&(char, bool)> = self
                    .shorts
                    .iter()
                    .filter(|(s, _)| s.eq_ignore_ascii_case(&c))
                    .collect();
                let found = alike
                    .iter()
                    .find(|(s, _)| *s == c)
                    .copied()
                    .or(match alike[..] {
                        [one] => Some(one),
                        _ => None,
                    });
                found.map(|(s, takes)| (format!("-{s}"), *takes))
            }
            _ => None,
        }
    }

    /// Whether `arg`, as clap reads it (`--input`, `-i`), is a flag whose value is the next
    /// argument.
    fn value_follows(&self, arg: &str) -> bool {
        if let Some(long) = arg.strip_prefix("--") {
            return !long.contains('=') && self.longs.iter().any(|(l, t)| *t && l == long);
        }
        match arg.strip_prefix('-').map(|r| r.chars().collect::<Vec<_>>()) {
            Some(c) if c.len() == 1 => self.shorts.iter().any(|(s, t)| *t && *s == c[0]),
            _ => false,
        }
    }
}

/// Rewrites the arguments (program name first): `/?`, `-?`, `/help`, `-help` → `--help`;
/// `/server:NAME`, `-server:NAME`, `--server:NAME`, `/server NAME`, `-server NAME` (any case)
/// → `--server NAME`. An empty name or a `=` form is refused with a hint. Nothing after `--`
/// is touched. `/NAME` and `/NAME:VALUE` for any other flag of `flags` become `--NAME` (or its
/// short form for one letter); the value after a flag that takes one is left as it is.
pub(crate) fn normalize(
    args: impl IntoIterator<Item = OsString>,
    flags: &Flags,
) -> Result<Vec<OsString>, Error> {
    let mut out = Vec::new();
    let mut args = args.into_iter();
    if let Some(program) = args.next() {
        out.push(program);
    }
    while let Some(arg) = args.next() {
        let Some(text) = arg.to_str() else {
            out.push(arg);
            continue;
        };
        if text == "--" {
            out.push(arg);
            out.extend(args.by_ref());
            break;
        }
        // `/format:csv` is done; `/format` (its value next) goes on as `--format`.
        let (arg, text) = match slash_form(text, flags)? {
            Some(mut slash) if slash.len() == 1 => {
                let flag = slash.remove(0);
                let text = flag.to_string_lossy().into_owned();
                (flag, text)
            }
            Some(slash) => {
                out.extend(slash);
                continue;
            }
            None => (arg.clone(), text.to_string()),
        };
        let text = text.as_str();
        let lower = text.to_ascii_lowercase();
        // `--idle-over -5`: the parser would take `-5` for a flag it does not know.
        if DURATION_FLAGS.contains(&lower.as_str()) {
            if let Some(value) = args.next() {
                let v = value.to_string_lossy();
                if v.starts_with('-') && v[1..].starts_with(|c: char| c.is_ascii_digit()) {
                    return Err(Error::Usage(format!("{text} {v}: {}", negative(&v))));
                }
                out.push(arg);
                out.push(value);
                continue;
            }
        }
        // A flag's value is the admin's text: `--input /n` names a file.
        if flags.value_follows(text) {
            out.push(arg);
            match args.next() {
                Some(value) => out.push(value),
                None => break,
            }
            continue;
        }
        if matches!(lower.as_str(), "/?" | "-?" | "/help" | "-help" | "/h") {
            out.push("--help".into());
            continue;
        }
        let Some(rest) = ["/server", "-server", "--server"]
            .iter()
            .find_map(|p| lower.strip_prefix(p).map(|r| (p.len(), r)))
        else {
            out.push(arg);
            continue;
        };
        let (prefix_len, rest) = rest;
        let prefix = &text[..prefix_len];
        if rest.is_empty() {
            if prefix == "--server" {
                // clap's own form; its value follows.
                out.push(arg);
                continue;
            }
            match args.next() {
                Some(name) if !name.to_string_lossy().starts_with(['-', '/']) => {
                    out.push("--server".into());
                    out.push(name);
                }
                _ => {
                    return Err(Error::Usage(format!(
                        "{prefix} needs a server name after it: {SERVER_HINT}"
                    )))
                }
            }
        } else if rest.starts_with(':') {
            let name = &text[prefix_len + 1..];
            if name.trim().is_empty() {
                return Err(Error::Usage(format!(
                    "\"{prefix}:\" names no server: {SERVER_HINT}"
                )));
            }
            out.push("--server".into());
            out.push(name.into());
        } else if rest.starts_with('=') && prefix != "--server" {
            return Err(Error::Usage(format!(
                "{} is not a form logoff-all reads: {SERVER_HINT}",
                quote(text)
            )));
        } else {
            // `--server=NAME` (clap's), or another flag that merely starts alike.
            out.push(arg);
        }
    }
    Ok(out)
}

/// `/y`, `/yes`, `/dry-run`, `/format:csv` as clap's `-y`, `--yes`, `--dry-run`, `--format
/// csv`; `None` for anything else (`/?`, `/server...` and words that are no flag, left to the
/// rest of [`normalize`] and to clap).
fn slash_form(text: &str, flags: &Flags) -> Result<Option<Vec<OsString>>, Error> {
    let Some(rest) = text.strip_prefix('/') else {
        return Ok(None);
    };
    let (name, value) = match rest.split_once(':') {
        Some((name, value)) => (name, Some(value)),
        None => (rest, None),
    };
    if name.eq_ignore_ascii_case("server") || name.eq_ignore_ascii_case("help") {
        return Ok(None);
    }
    let Some((flag, takes)) = flags.find(name) else {
        return Ok(None);
    };
    match (takes, value) {
        (false, None) => Ok(Some(vec![flag.into()])),
        (true, Some(v)) if !v.is_empty() => Ok(Some(vec![flag.into(), v.into()])),
        (true, None) => Ok(Some(vec![flag.into()])),
        (true, Some(_)) => Err(Error::Usage(format!(
            "{} gives no value after the colon: write /{name}:VALUE or {flag} VALUE",
            quote(text)
        ))),
        (false, Some(_)) => Err(Error::Usage(format!(
            "{} takes no value: write /{name} or {flag} alone",
            quote(text)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(args: &[&str]) -> Result<Vec<String>, String> {
        let all = std::iter::once("logoff-all")
            .chain(args.iter().copied())
            .map(OsString::from);
        let flags = Flags::of(&<crate::cli::Cli as clap::CommandFactory>::command());
        normalize(all, &flags)
            .map(|v| {
                v.into_iter()
                    .skip(1)
                    .map(|a| a.into_string().unwrap())
                    .collect()
            })
            .map_err(|e| e.to_string())
    }

    #[test]
    fn every_windows_server_form_becomes_the_flag() {
        for form in [
            &["/server:TS01"][..],
            &["/SERVER:TS01"],
            &["-server:TS01"],
            &["-Server:TS01"],
            &["--server:TS01"],
            &["/server", "TS01"],
            &["-server", "TS01"],
            &["/Server", "TS01"],
        ] {
            assert_eq!(norm(form).unwrap(), ["--server", "TS01"], "{form:?}");
        }
        assert_eq!(norm(&["--server", "TS01"]).unwrap(), ["--server", "TS01"]);
        assert_eq!(norm(&["--server=TS01"]).unwrap(), ["--server=TS01"]);
        assert_eq!(norm(&["-s", "TS01"]).unwrap(), ["-s", "TS01"]);
    }

    #[test]
    fn help_in_every_spelling() {
        for h in ["/?", "-?", "/help", "/HELP", "-help", "/h"] {
            assert_eq!(norm(&[h]).unwrap(), ["--help"], "{h}");
        }
    }

    #[test]
    fn empty_and_odd_server_forms_get_a_specific_hint() {
        for (form, words) in [
            (&["/server:"][..], "\"/server:\" names no server"),
            (&["-server:"], "\"-server:\" names no server"),
            (&["/server"], "/server needs a server name"),
            (&["/server", "-n"], "/server needs a server name"),
            (&["/server=TS01"], "\"/server=TS01\" is not a form"),
            (&["-server=TS01"], "is not a form"),
        ] {
            let e = norm(form).unwrap_err();
            assert!(e.contains(words), "{form:?}: {e}");
            assert!(e.contains("/server:TS01"), "{form:?}: {e}");
        }
    }

    /// `/y` and `/n` used to be refused while `/server:` worked: every flag has its slash form.
    #[test]
    fn every_flag_has_its_slash_form() {
        for (form, flag) in [
            (&["/y"][..], &["-y"][..]),
            (&["/n"], &["-n"]),
            (&["/Y"], &["-y"]),
            (&["/yes"], &["--yes"]),
            (&["/dry-run"], &["--dry-run"]),
            (&["/DRY-RUN"], &["--dry-run"]),
            (&["/format:csv"], &["--format", "csv"]),
            (&["/format", "csv"], &["--format", "csv"]),
            (&["/include-console"], &["--include-console"]),
            (&["/list"], &["--list"]),
        ] {
            assert_eq!(norm(form).unwrap(), flag, "{form:?}");
        }
        assert!(norm(&["/yes:1"]).unwrap_err().contains("takes no value"));
        assert!(norm(&["/format:"])
            .unwrap_err()
            .contains("no value after the colon"));
        // A value is the admin's text, and an unknown word is left for the parser to refuse.
        assert_eq!(norm(&["--input", "/n"]).unwrap(), ["--input", "/n"]);
        assert_eq!(norm(&["-o", "/y"]).unwrap(), ["-o", "/y"]);
        assert_eq!(norm(&["/frobnicate"]).unwrap(), ["/frobnicate"]);
        assert_eq!(norm(&["/input", "/n"]).unwrap(), ["--input", "/n"]);
        assert!(norm(&["/idle-over", "-5"])
            .unwrap_err()
            .contains("negative"));
    }

    #[test]
    fn values_and_everything_after_double_dash_are_left_alone() {
        assert_eq!(
            norm(&["--input", "/tmp/x", "--", "/server:TS01"]).unwrap(),
            ["--input", "/tmp/x", "--", "/server:TS01"]
        );
        assert_eq!(
            norm(&["--servers-file", "f"]).unwrap(),
            ["--servers-file", "f"]
        );
    }
}

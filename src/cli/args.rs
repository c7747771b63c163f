//! The Windows habits on the command line, rewritten into clap's syntax before clap sees them:
//! `/?`, `/help`, `/server:NAME`, `-server:NAME`, `/server NAME` (any case); odd forms get a
//! hint that says what to write instead.

use crate::error::Error;
use crate::vocab::duration::negative;
use crate::vocab::quote;
use std::ffi::OsString;

/// The flags whose value is a duration: a value with a minus sign is refused here, by name.
const DURATION_FLAGS: &[&str] = &["--idle-over", "--grace", "--timeout", "--verify-wait"];

/// How to name a server, for the hints.
const SERVER_HINT: &str = "write /server:TS01, -server:TS01, /server TS01 or --server TS01";

/// Rewrites the arguments (program name first): `/?`, `-?`, `/help`, `-help` → `--help`;
/// `/server:NAME`, `-server:NAME`, `--server:NAME`, `/server NAME`, `-server NAME` (any case)
/// → `--server NAME`. An empty name or a `=` form is refused with a hint. Nothing after `--`
/// is touched.
pub(crate) fn normalize(args: impl IntoIterator<Item = OsString>) -> Result<Vec<OsString>, Error> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(args: &[&str]) -> Result<Vec<String>, String> {
        let all = std::iter::once("logoff-all")
            .chain(args.iter().copied())
            .map(OsString::from);
        normalize(all)
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

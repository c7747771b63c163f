//! Unit tests from the command line to the config: forms, values, contradictions, help.

use super::*;
use crate::cli::{flag, Cli, CONFLICTS};
use crate::error::Error;
use crate::exit_code;
use crate::vocab::ServerName;
use clap::CommandFactory;
use std::ffi::OsString;

fn parse_args(args: &[&str]) -> Result<Config, Error> {
    let args = std::iter::once("logoff-all")
        .chain(args.iter().copied())
        .map(OsString::from);
    from_args(args)
}

fn config(args: &[&str]) -> Result<Config, String> {
    parse_args(args).map_err(|e| e.to_string())
}

#[test]
fn clap_definition_is_well_formed() {
    Cli::command().debug_assert();
}

#[test]
fn windows_style_server_and_help_are_accepted() {
    let c = config(&["/SERVER:ts01"]).unwrap();
    assert_eq!(
        c.source,
        Source::Query(vec![ServerName::parse("ts01").unwrap()])
    );
    let c = config(&["-server:ts01"]).unwrap();
    assert_eq!(c.targets(), [Some(ServerName::parse("ts01").unwrap())]);
    for h in ["/?", "/help", "-h", "--help"] {
        let e = parse_args(&[h]).unwrap_err();
        assert!(e.exit_code().is_success(), "{h}");
        assert!(e.to_string().contains("Usage"), "{h}");
    }
}

#[test]
fn help_ends_with_examples_and_the_exit_table() {
    for h in ["-h", "--help"] {
        let text = parse_args(&[h]).unwrap_err().to_string();
        let examples = text.find("Examples:").expect("examples");
        let codes = text.find("Exit codes").expect("exit codes");
        assert!(examples < codes, "{h}");
        // The help is wrapped to 80 columns: a meaning may go on on the next line.
        let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        for row in exit_code::TABLE {
            assert!(words(&text).contains(row.meaning), "{h}: {}", row.meaning);
        }
        for words in [
            "--state disc",
            "--idle-over 2h",
            "--exclude-user",
            "--warn",
            "--servers-file",
            "schtasks",
        ] {
            assert!(text.contains(words), "{h}: {words}");
        }
    }
}

#[test]
fn misspelled_flags_get_a_suggestion() {
    let e = parse_args(&["--servr", "TS01"]).unwrap_err();
    assert_eq!(e.exit_code().code(), 16);
    assert!(e.to_string().contains("--server"), "{e}");
}

#[test]
fn input_implies_dry_run() {
    let input = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/en-2019-mixed.txt");
    assert_eq!(config(&["--input", input]).unwrap().mode, Mode::DryRun);
    assert_eq!(config(&["-n"]).unwrap().mode, Mode::DryRun);
    assert_eq!(config(&[]).unwrap().mode, Mode::Act);
}

#[test]
fn a_missing_input_file_is_a_file_error_named_as_such() {
    let e = parse_args(&["--input", "/nonexistent/capture.txt"]).unwrap_err();
    assert_eq!(e.exit_code().code(), 16);
    assert!(
        e.to_string()
            .starts_with("cannot read --input /nonexistent/capture.txt"),
        "{e}"
    );
    assert!(!e.to_string().contains("localhost"));
}

#[test]
fn bad_values_are_usage_errors_naming_the_value() {
    for (args, value) in [
        (&["--server", "a&b"][..], "a&b"),
        (&["--codepage", "936"], "936"),
        (&["--timeout", "0"], "0"),
        (&["--timeout", "5x"], "5x"),
    ] {
        let e = parse_args(args).unwrap_err();
        assert_eq!(e.exit_code().code(), 16, "{args:?}");
        assert!(e.to_string().contains(value), "{args:?}: {e}");
    }
}

#[test]
fn server_names_are_quoted_as_given() {
    let e = config(&["--server", r"\\ts 01"]).unwrap_err();
    assert!(e.contains(r#""\\ts 01""#), "{e}");
}

/// Review finding 9: `--tools-dir` is the only override, and a relative one is pinned to the
/// folder it meant at startup.
#[test]
fn a_relative_tools_dir_is_made_absolute_once() {
    let c = config(&["--tools-dir", "standins"]).unwrap();
    let expected = std::env::current_dir().unwrap().join("standins");
    assert_eq!(c.tools_dir.as_deref(), Some(expected.as_path()));
    assert_eq!(config(&[]).unwrap().tools_dir, None);
    let e = config(&["--tools-dir", ""]).unwrap_err();
    assert!(e.contains("--tools-dir"), "{e}");
}

#[test]
fn servers_repeat_and_split_on_commas() {
    let c = config(&["-s", "TS01,ts02", "/server:TS03"]).unwrap();
    let names: Vec<Option<String>> = c
        .targets()
        .into_iter()
        .map(|s| s.map(|s| s.to_string()))
        .collect();
    assert_eq!(
        names,
        [
            Some("TS01".into()),
            Some("ts02".into()),
            Some("TS03".into())
        ]
    );
    assert_eq!(config(&[]).unwrap().targets(), [None]);
}

/// A temporary folder for list files, removed when dropped.
struct Dir(std::path::PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!("logoff-all-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }

    fn file(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Issue 20: one server named twice (on the command line, in the file, or across both) was
/// merged silently, though the README says it is refused.
#[test]
fn a_server_named_twice_is_refused_naming_both_places() {
    let dir = Dir::new("servers-twice");
    let farm = dir.file(
        "farm.txt",
        b"ts01\r\n# the farm\r\nts02\r\nTS01 # again\r\n",
    );
    for (args, first, second) in [
        (
            vec!["-s", "TS01,ts02", "/server:ts01"],
            r#"--server "TS01""#,
            r#"--server "ts01""#,
        ),
        (
            vec!["--servers-file", &farm],
            &*format!(r#"--servers-file {farm}:1 "ts01""#),
            &*format!(r#"--servers-file {farm}:4 "TS01""#),
        ),
        (
            vec!["-s", r"\\TS02", "--servers-file", &farm],
            r#"--server "\\TS02""#,
            &*format!(r#"--servers-file {farm}:3 "ts02""#),
        ),
    ] {
        let e = parse_args(&args).unwrap_err();
        assert_eq!(e.exit_code().code(), 16, "{args:?}");
        let text = e.to_string();
        assert!(text.contains(&format!("{first} and {second}")), "{text}");
        assert!(text.contains("give each server once"), "{text}");
    }
}

/// Issue 20: Windows PowerShell 5.1 writes UTF-8 with a byte order mark (`Out-File -Encoding
/// utf8`) or UTF-16 LE with one (`Out-File`, `>`); --servers-file refused both.
#[test]
fn a_servers_file_is_read_as_windows_saves_it() {
    let dir = Dir::new("servers-encodings");
    let text = "ts01\r\n# comment\r\nts02.corp.example.com\r\n";
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(text.as_bytes());
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    for (name, bytes) in [("utf8.txt", bom), ("utf16.txt", utf16)] {
        let path = dir.file(name, &bytes);
        let c = config(&["--servers-file", &path]).unwrap();
        let names: Vec<String> = c
            .targets()
            .into_iter()
            .flatten()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(names, ["ts01", "ts02.corp.example.com"], "{name}");
    }
    let empty = dir.file("empty.txt", b"\xEF\xBB\xBF# nothing yet\r\n");
    let e = config(&["--servers-file", &empty]).unwrap_err();
    assert!(e.contains("names no server"), "{e}");
}

/// Issue 20: the list files and captures were read whole, without limit (a 3 GB file took
/// 24 GB of memory, `/dev/zero` never ended, a FIFO hung): each is checked to be a regular file
/// within its limit before it is opened, a usage error naming the flag and the path.
#[test]
fn list_files_and_captures_must_be_regular_files_within_their_limit() {
    let dir = Dir::new("limits");
    let big_list = dir.file("big.txt", &vec![b'a'; (1 << 20) + 1]);
    let big_capture = dir.file("big-capture.txt", &vec![b' '; (4 << 20) + 1]);
    let folder = dir.0.display().to_string();
    for (args, words) in [
        (vec!["--exclude-file", &big_list], "larger than 1 MiB"),
        (vec!["--servers-file", &big_list], "larger than 1 MiB"),
        (vec!["--input", &big_capture], "larger than 4 MiB"),
        (
            vec!["--exclude-file", &folder],
            "a folder, not a regular file",
        ),
        (
            vec!["--servers-file", &folder],
            "a folder, not a regular file",
        ),
        (vec!["--input", &folder], "a folder, not a regular file"),
    ] {
        let e = parse_args(&args).unwrap_err();
        assert_eq!(e.exit_code().code(), 16, "{args:?}");
        let text = e.to_string();
        assert!(text.contains(args[0]) && text.contains(args[1]), "{text}");
        assert!(text.contains(words), "{args:?}: {text}");
    }
    let input = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/en-2019-mixed.txt");
    let e = parse_args(&["--input", input, "--input-user", &big_capture]).unwrap_err();
    assert_eq!(e.exit_code().code(), 16);
    assert!(e.to_string().contains("--input-user"), "{e}");
    #[cfg(unix)]
    for flag in ["--exclude-file", "--servers-file", "--input"] {
        let e = parse_args(&[flag, "/dev/zero"]).unwrap_err().to_string();
        assert!(e.contains("a device, not a regular file"), "{flag}: {e}");
    }
}

#[test]
fn warn_gets_a_default_grace_and_bad_messages_are_refused() {
    let c = config(&["--warn", "Logging off in 5 minutes"]).unwrap();
    assert_eq!(c.warning.unwrap().grace, DEFAULT_GRACE);
    assert!(config(&["--grace", "1m"]).is_err(), "--grace needs --warn");
    assert!(config(&["--warn", "/time:0"])
        .unwrap_err()
        .contains("option"));
    assert!(config(&["--warn", "a\nb"])
        .unwrap_err()
        .contains("line break"));
    assert!(config(&["--warn", &"x".repeat(300)])
        .unwrap_err()
        .contains("255"));
}

#[test]
fn filters_are_checked_at_parse_time() {
    assert!(config(&["--state", "disc,active"]).is_ok());
    assert!(config(&["--state", "sleepy"])
        .unwrap_err()
        .contains("sleepy"));
    assert!(config(&["--user", "CONTOSO\\"]).is_err());
    assert!(config(&["--idle-over", "2h"]).is_ok());
    assert!(config(&["--jobs", "0"]).is_err());
    assert!(config(&["--parallel", "0"]).is_err());
    assert!(config(&["--parallel", "33"]).is_err());
    assert_eq!(config(&[]).map(|c| c.parallel), Ok(4));
}

/// An example command line for each flag a conflict names.
fn sample(id: &str) -> Vec<&'static str> {
    let input = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/en-2019-mixed.txt");
    match id {
        "input" => vec!["--input", input],
        "server" => vec!["/server:TS01"],
        "servers_file" => vec!["--servers-file", input],
        "warn" => vec!["--warn", "bye"],
        "event_log" => vec!["--event-log"],
        "jobs" => vec!["--jobs", "2"],
        "parallel" => vec!["--parallel", "2"],
        "idle_over" => vec!["--idle-over", "2h"],
        "timeout" => vec!["--timeout", "30s"],
        "tools_dir" => vec!["--tools-dir", "/tmp"],
        "drain" => vec!["--drain"],
        "list" => vec!["--list"],
        "disconnect" => vec!["--disconnect"],
        "log" => vec!["--log", "audit.jsonl"],
        "include_console" => vec!["--include-console"],
        "include_self" => vec!["--include-self"],
        "state" => vec!["--state", "disc"],
        "user" => vec!["--user", "alice"],
        "exclude_user" => vec!["--exclude-user", "adm*"],
        "exclude_file" => vec!["--exclude-file", input],
        "session_name" => vec!["--session-name", "rdp-tcp#*"],
        "verify_wait" => vec!["--verify-wait", "1m"],
        "reset_stuck" => vec!["--reset-stuck"],
        "check" => vec!["--check"],
        "save_capture" => vec!["--save-capture", "captures"],
        other => panic!("no sample for {other}: add one"),
    }
}

#[test]
fn every_contradiction_in_the_table_is_refused_naming_both_flags() {
    let ids: Vec<String> = Cli::command()
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for c in CONFLICTS {
        assert!(ids.iter().any(|i| i == c.first), "{}", c.first);
        assert!(ids.iter().any(|i| i == c.second), "{}", c.second);
        for (a, b) in [(c.first, c.second), (c.second, c.first)] {
            let mut args = sample(a);
            args.extend(sample(b));
            let e = parse_args(&args).unwrap_err();
            assert_eq!(e.exit_code().code(), 16, "{args:?}");
            let text = e.to_string();
            assert!(
                text.contains(&flag(a)) && text.contains(&flag(b)),
                "{args:?}: {text}"
            );
            assert!(text.contains(c.why), "{text}");
        }
        // Each alone is fine.
        assert!(parse_args(&sample(c.first)).is_ok(), "{}", c.first);
    }
}

#[test]
fn harmless_pairs_are_accepted() {
    assert!(config(&["--dry-run", "--yes"]).is_ok());
    assert!(config(&["--dry-run", "--warn", "bye"]).is_ok());
    let input = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/en-2019-mixed.txt");
    assert!(config(&["--input", input, "--yes", "--format", "csv"]).is_ok());
}

#[test]
fn reset_stuck_needs_verification_and_a_logoff_to_verify() {
    let e = parse_args(&["--reset-stuck", "--verify-wait", "0"]).unwrap_err();
    assert_eq!(e.exit_code().code(), 16);
    assert!(e.to_string().contains("--verify-wait 0"), "{e}");
    assert!(parse_args(&["--reset-stuck", "--verify-wait", "2m"]).is_ok());
    assert!(parse_args(&["--verify-wait", "0"]).is_ok());
    let e = parse_args(&["--disconnect", "--reset-stuck"]).unwrap_err();
    assert!(e.to_string().contains("not verified"), "{e}");
}

mod workflow;

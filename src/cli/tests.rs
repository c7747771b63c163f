//! Unit tests of the command line: forms, values, contradictions, help.

use super::*;
use crate::config::{Mode, ServerName, Source};
use crate::exit_code;

fn parse_args(args: &[&str]) -> Result<Config, Error> {
    let args = std::iter::once("logoff-all")
        .chain(args.iter().copied())
        .map(OsString::from);
    parse(args)
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
        for row in exit_code::TABLE {
            assert!(text.contains(row.meaning), "{h}: {}", row.meaning);
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
fn servers_repeat_split_on_commas_and_dedupe() {
    let c = config(&["-s", "TS01,ts02", "/server:TS01", "--server", "ts03"]).unwrap();
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
            Some("ts03".into())
        ]
    );
    assert_eq!(config(&[]).unwrap().targets(), [None]);
}

#[test]
fn warn_gets_a_default_grace_and_bad_messages_are_refused() {
    let c = config(&["--warn", "Logging off in 5 minutes"]).unwrap();
    assert_eq!(c.warning.unwrap().grace, config::DEFAULT_GRACE);
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

/// Issue 20: `--grace` and `--verify-wait` took up to 2^64-1 seconds, and `--idle-over 120`
/// meant 120 seconds where idle tools count minutes; each is a usage error naming the flag.
#[test]
fn durations_are_bounded_and_idle_over_needs_its_unit() {
    for (args, words) in [
        (
            &["--idle-over", "120"][..],
            "120m for 120 minutes (as query user counts idle time) or 120s for 120 seconds",
        ),
        (
            &["--warn", "bye", "--grace", "18446744073709551615"],
            "give 0 to 1d",
        ),
        (&["--verify-wait", "18446744073709551615"], "give 0 to 1h"),
        (&["--timeout", "1d"], "give 1s to 1h"),
    ] {
        let e = parse_args(args).unwrap_err();
        assert_eq!(e.exit_code().code(), 16, "{args:?}");
        let text = e.to_string();
        assert!(text.contains(args[args.len() - 2]), "{args:?}: {text}");
        assert!(text.contains(words), "{args:?}: {text}");
    }
    let c = config(&["--warn", "bye", "--grace", "1d", "--verify-wait", "1h"]).unwrap();
    assert_eq!(c.warning.unwrap().grace.as_secs(), 86400);
    assert_eq!(c.verify_wait.as_secs(), 3600);
    assert_eq!(
        config(&["--idle-over", "120m"]).unwrap().filters.idle_over,
        Some(std::time::Duration::from_secs(7200))
    );
}

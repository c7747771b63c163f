//! Unit tests of the admin-workflow flags and the bounds of durations, from the command line to
//! the config.

use super::{config, parse_args};
use crate::config::Mode;
use crate::plan::filter::UnknownIdle;
use crate::vocab::Verb;

const S: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/en-2019-mixed.txt");

#[test]
fn workflow_flags_reach_the_config() {
    let c = config(&[
        "--disconnect",
        "--drain",
        "--session-name",
        "rdp-tcp#*",
        "--idle-over",
        "2h",
        "--unknown-idle",
        "logoff",
    ])
    .unwrap();
    assert_eq!(c.verb, Verb::Disconnect);
    assert!(c.drain && c.mode == Mode::Act);
    assert_eq!(c.filters.session_names[0].as_str(), "rdp-tcp#*");
    assert_eq!(c.filters.unknown_idle, UnknownIdle::Logoff);
    assert_eq!(config(&[]).unwrap().verb, Verb::Logoff);
}

#[test]
fn workflow_flags_that_cannot_work_together_are_refused() {
    assert!(config(&["--input-user", "u.txt"]).is_err(), "needs --input");
    assert!(config(&["--input", S, "--input-user", "-"])
        .unwrap_err()
        .contains("--input-user -"));
    assert!(config(&["--input", S, "--idle-over", "1h"])
        .unwrap_err()
        .contains("--input-user"));
    assert!(
        config(&["--unknown-idle", "skip"]).is_err(),
        "needs --idle-over"
    );
    assert!(config(&["--warn-exact"]).is_err(), "needs --warn");
    assert!(config(&["--drain", "--input", S]).is_err());
    assert!(config(&["--list", "--state", "disc"]).is_err());
    assert!(config(&["--session-name", " "]).is_err());
    // The grace appended must still fit msg's limit.
    let long = "x".repeat(240);
    assert!(config(&["--warn", &long, "--warn-exact"]).is_ok());
    assert!(config(&["--warn", &long]).unwrap_err().contains("255"));
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
        (&["--timeout", "2d"], "give 1s to 1d"),
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

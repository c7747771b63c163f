//! The real binary against fake `query` / `logoff` programs (shell scripts first on PATH) that
//! print fixtures and record their calls.
#![cfg(unix)]

use crate::common::{assert_calls, assert_lines, json, TestEnv};
use std::time::{Duration, Instant};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The mixed fixture: own session (2, `>`) last with --include-self; a hanging logoff (4) is
/// killed at the timeout, a failing one (5) is reported, and the rest still run.
#[test]
fn mixed_run_logs_off_in_plan_order_own_session_last_despite_hang_and_failure() {
    let env = TestEnv::new("mixed");
    env.fake_query("en-2019-mixed.txt", 0);
    env.fake_logoff(
        "4) exec sleep 30 ;;\n\
         5) echo 'Error [5]:Access is denied.' >&2; exit 1 ;;",
    );
    let started = Instant::now();
    let out = env.run(&[
        "--parallel",
        "1",
        "--include-self",
        "--timeout",
        "1",
        "--format",
        "json",
    ]);
    assert!(started.elapsed() < Duration::from_secs(20));
    // After the hung logoff (4) and the failed one (5) the table is read again; the last look
    // verifies that the ended sessions are gone; the own session (2) goes after everything,
    // the report included.
    assert_lines(
        &[
            "query session",
            "logoff 3",
            "logoff 4",
            "query session",
            "logoff 5",
            "query session",
            "logoff 6",
            "query session",
            // Read again right before the own session, which goes last.
            "query session",
            "logoff 2",
        ],
        &env.calls(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    let outcomes: Vec<(u64, &str)> = report["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["action"] == "logoff")
        .map(|s| (s["id"].as_u64().unwrap(), s["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (2, "after_report"),
            (3, "logged_off"),
            (4, "timed_out"),
            (5, "failed"),
            (6, "logged_off")
        ]
    );
    let failed = &report["sessions"][5];
    assert!(failed["message"]
        .as_str()
        .unwrap()
        .contains("Access is denied"));
    assert_eq!(report["exit_code"]["code"], 1);
    assert_eq!(
        report["exit_code"]["bits"],
        serde_json::json!(["logoff_failed"])
    );
}

#[test]
fn without_a_terminal_it_proceeds_like_the_batch_file_and_exits_0() {
    let env = TestEnv::new("plain");
    env.fake_query("en-2019-mixed-lf.txt", 0);
    env.fake_logoff("");
    let out = env.run(&["--parallel", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_lines(
        &[
            "query session",
            "logoff 3",
            "logoff 4",
            "logoff 5",
            "logoff 6",
            "query session",
        ],
        &env.calls(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("localhost: 4 logged off, 4 skipped"),
        "{text}"
    );
}

/// "Session not found" is `already_gone` only when no table read afterwards lists the session:
/// here the table still lists it, so it is `still_present` (exit 1); unchecked
/// (`--verify-wait 0`) it is `already_gone`, saying it was not verified.
#[test]
fn session_not_found_counts_as_already_gone_only_when_the_table_agrees() {
    let env = TestEnv::new("gone");
    env.fake_query("en-2019-console-user.txt", 0);
    env.fake_logoff("2) echo 'Session ID 2 not found'; exit 1 ;;");
    let out = env.run(&["--format", "json", "--verify-wait", "1s"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let row = &json(&out)["sessions"][2];
    assert_eq!(row["outcome"], "still_present", "{row}");
    assert!(
        row["message"]
            .as_str()
            .unwrap()
            .contains("Session ID 2 not found"),
        "{row}"
    );
    let out = env.run(&["--format", "json", "--verify-wait", "0"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let row = &json(&out)["sessions"][2];
    assert_eq!(row["outcome"], "already_gone", "{row}");
    assert!(
        row["message"].as_str().unwrap().contains("not verified"),
        "{row}"
    );
}

#[test]
fn logoff_exit_0_with_an_error_text_is_a_failure() {
    let env = TestEnv::new("exit0err");
    env.fake_query("en-2019-console-user.txt", 0);
    env.fake_logoff("2) echo 'Could not logoff session ID 2, Error code 5'; exit 0 ;;");
    let out = env.run(&["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["sessions"][2]["outcome"], "failed");
}

#[test]
fn dry_run_runs_query_but_no_logoff() {
    let env = TestEnv::new("dry");
    env.fake_query("en-2019-mixed.txt", 0);
    env.fake_logoff("");
    let out = env.run(&["-n", "--include-console", "--include-self"]);
    assert_eq!(out.status.code(), Some(0));
    assert_calls(&["query session"], &env.calls());
    assert!(String::from_utf8_lossy(&out.stdout).contains("dry run"));
}

#[test]
fn server_is_passed_to_query_and_logoff_in_every_spelling() {
    for flag in [
        &["--server", "TS01"][..],
        &["/SERVER:TS01"][..],
        &["-server:TS01"][..],
        &["/server", "TS01"][..],
    ] {
        let env = TestEnv::new("server");
        env.fake_query("en-2019-console-user.txt", 0);
        env.fake_logoff("");
        let out = env.run(flag);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_calls(
            &[
                "query session /server:TS01",
                "logoff 2 /server:TS01",
                "query session /server:TS01",
            ],
            &env.calls(),
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("TS01"));
    }
}

#[test]
fn an_invalid_server_name_is_refused_before_anything_runs() {
    let env = TestEnv::new("badserver");
    env.fake_query("en-2019-mixed.txt", 0);
    let out = env.run(&["--server", "ts01 & del /q c:\\"]);
    assert_eq!(out.status.code(), Some(16));
    assert!(stderr(&out).contains("invalid server name"));
    assert!(env.calls().is_empty());
}

#[test]
fn query_failures_have_their_own_exit_code_and_log_off_nobody() {
    let cases: &[(&str, &str)] = &[
        (
            "echo 'No session exists for *' >&2; exit 1",
            "No session exists",
        ),
        (
            "echo 'Error [1722]:The RPC server is unavailable.'; exit 0",
            "RPC server",
        ),
        ("exit 0", "printed nothing"),
        ("exec sleep 30", "did not answer within 1 s"),
        ("kill -SEGV $$", "failed"),
    ];
    for (body, message) in cases {
        let env = TestEnv::new("queryfail");
        env.script("query", body);
        env.fake_logoff("");
        let out = env.run(&["--timeout", "1", "--format", "json"]);
        assert_eq!(out.status.code(), Some(2), "{body}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{body}: {}", stderr(&out));
        let report = json(&out);
        assert_eq!(report["errors"][0]["kind"], "query_failed");
        assert_eq!(report["sessions"].as_array().unwrap().len(), 0);
        assert!(env.calls().is_empty(), "{body}");
    }
}

#[test]
fn a_missing_query_program_is_a_query_failure() {
    let env = TestEnv::new("noquery");
    let out = crate::common::command(&["--tools-dir", env.bin.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not found"), "{}", stderr(&out));
}

#[test]
fn tools_dir_override_is_used_instead_of_path() {
    let env = TestEnv::new("toolsdir");
    env.fake_query("en-2019-console-user.txt", 0);
    env.fake_logoff("");
    let out = crate::common::command(&["--tools-dir", env.bin.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_calls(
        &["query session", "logoff 2", "query session"],
        &env.calls(),
    );
}

#[test]
fn unrecognised_output_logs_off_nobody_with_exit_4() {
    let env = TestEnv::new("garbage");
    env.fake_query("garbage-binary.txt", 0);
    env.fake_logoff("");
    let out = env.run(&[]);
    assert_eq!(out.status.code(), Some(4));
    assert!(stderr(&out).contains("not understood"));
    assert_calls(&["query session"], &env.calls());
}

#[test]
fn input_from_stdin_is_a_dry_run() {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = crate::common::command(&["--input", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let bytes = std::fs::read(crate::common::fixtures().join("en-2019-mixed.txt")).unwrap();
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report = json(&out);
    assert_eq!(report["mode"], "dry_run");
    assert_eq!(report["sessions"].as_array().unwrap().len(), 8);
}

#[test]
fn usage_errors_exit_16_and_say_what_to_do() {
    for (args, words) in [
        (&["--codepage", "12345"][..], "not supported"),
        (&["--timeout", "soon"][..], "invalid duration"),
        (&["--format", "xml"][..], "xml"),
        (
            &["--input", "/nonexistent/capture.txt"][..],
            "cannot read --input",
        ),
    ] {
        let out = crate::common::run(args);
        assert_eq!(out.status.code(), Some(16), "{args:?}");
        assert!(stderr(&out).contains(words), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn help_is_printed_for_slash_question_mark() {
    let out = crate::common::run(&["/?"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("--include-console"));
}

#[test]
fn a_header_only_table_means_nothing_to_do() {
    let env = TestEnv::new("headeronly");
    env.fake_query("header-only.txt", 0);
    env.fake_logoff("");
    let out = env.run(&["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_calls(&["query session"], &env.calls());
    let report = json(&out);
    assert_eq!(report["sessions"].as_array().unwrap().len(), 0);
    assert_eq!(report["errors"].as_array().unwrap().len(), 0);
}

/// Issue 20: `--output` naming the `--exclude-file` overwrote it, and the next night's run
/// logged off the users it protected; `--output` through a link planted in its place did the
/// same to another file. Both are refused (exit 16) and the files stay as they were.
#[test]
fn output_never_overwrites_a_file_the_run_reads_or_writes_through_a_link() {
    let env = TestEnv::new("output-identity");
    env.fake_query("en-2019-mixed.txt", 0);
    env.fake_logoff("");
    let keep = env.dir.join("keep.txt");
    std::fs::write(&keep, "alice\n").unwrap();
    let keep_arg = keep.to_string_lossy().to_string();
    let also = env.dir.join(".").join("keep.txt");
    let also_arg = also.to_string_lossy().to_string();
    let out = env.run(&["-n", "--exclude-file", &keep_arg, "--output", &also_arg]);
    assert_eq!(out.status.code(), Some(16), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("same file as --exclude-file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&keep).unwrap(), "alice\n");
    #[cfg(unix)]
    {
        let link = env.dir.join("report.csv");
        std::os::unix::fs::symlink(&keep, &link).unwrap();
        let link_arg = link.to_string_lossy().to_string();
        let out = env.run(&["-n", "--output", &link_arg]);
        assert_eq!(out.status.code(), Some(16), "{}", stderr(&out));
        assert!(stderr(&out).contains("is a link"), "{}", stderr(&out));
        let out = env.run(&["-n", "--log", &link_arg]);
        assert_eq!(out.status.code(), Some(16), "{}", stderr(&out));
        assert_eq!(std::fs::read_to_string(&keep).unwrap(), "alice\n");
    }
    let log = env.dir.join("audit.jsonl").to_string_lossy().to_string();
    let out = env.run(&["-n", "--log", &log, "--output", &log]);
    assert_eq!(out.status.code(), Some(16), "{}", stderr(&out));
}

/// Issue 20: the stock tools' own words reached the table report and stderr unescaped: a
/// terminal control sequence or a bidi override in them could rewrite what an admin reads.
#[test]
fn a_tools_words_reach_the_report_and_stderr_escaped() {
    let env = TestEnv::new("tool-escape");
    env.fake_query("en-2019-console-user.txt", 0);
    env.fake_logoff("2) printf 'Error\\033[2J\\342\\200\\256 denied' >&2; exit 1 ;;");
    let out = env.run(&["--verify-wait", "0"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(
        !all.contains('\u{1b}') && !all.contains('\u{202e}'),
        "{all:?}"
    );
    assert!(all.contains("\\u{1b}[2J\\u{202e}"), "{all}");
}

//! Issue 11, driven from outside with stand-in tools: never act on stale or unsafe evidence, and
//! report only what is true. Each test names the promise it proves (TESTING.md lists them).
#![cfg(unix)]

mod exclusions;
mod own_last;
mod recheck;
mod verify;
mod standin;
mod targets;

use crate::common::{assert_calls, json, TestEnv};
use standin::{by_id, query_tables, run_with, stderr, table};
use std::process::Command;
use std::time::{Duration, Instant};

/// Item 1: with a terminal on stdin the plan is shown and a person asked, also when stdout is
/// piped (`logoff-all | cat`) or redirected (`> plan.txt`); the plan goes to the console, not
/// into the report. `script` (util-linux) gives the run a pseudo-terminal.
#[test]
fn asks_on_a_terminal_whatever_stdout_is() {
    if Command::new("script").arg("--version").output().is_err() {
        panic!("this test needs `script` from util-linux to make a pseudo-terminal");
    }
    let bin = env!("CARGO_BIN_EXE_logoff-all");
    for (answer, redirect) in [("n", "| cat >"), ("n", ">"), ("y", "| cat >")] {
        let env = TestEnv::new("tty");
        env.fake_query("en-2019-mixed.txt", 0);
        env.fake_logoff("");
        let report = env.dir.join("report.txt");
        let line = format!(
            "'{bin}' --tools-dir '{}' {redirect} '{}'\nexit ${{PIPESTATUS[0]}}\n",
            env.bin.display(),
            report.display()
        );
        let run = env.dir.join("run.sh");
        std::fs::write(&run, line).unwrap();
        let mut child = Command::new("script")
            .args(["-qec", &format!("bash '{}'", run.display()), "/dev/null"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{answer}\n").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let console = String::from_utf8_lossy(&out.stdout).into_owned();
        let written = std::fs::read_to_string(&report).unwrap_or_default();
        assert!(
            console.contains("Log off 4 session(s) on localhost? [y/N]"),
            "{redirect}: {console}"
        );
        assert!(
            console.contains("j.doe-smith"),
            "the plan is shown: {console}"
        );
        if answer == "n" {
            assert_eq!(out.status.code(), Some(8), "{console}");
            assert_calls(&["query session"], &env.calls());
            assert_eq!(written, "", "nothing goes to the report when cancelled");
        } else {
            assert_eq!(out.status.code(), Some(0), "{console}");
            assert_eq!(env.calls().len(), 6, "{:?}", env.calls());
            // The report holds the outcome once; the plan went to the console only.
            assert_eq!(written.matches("SERVER").count(), 1, "{written}");
            assert!(written.contains("4 logged off"), "{written}");
        }
    }
}

/// Item 3: an exclusion file saved by Notepad (UTF-8 with BOM, or UTF-16) keeps its first line;
/// `c#admin` is a name, not `c` and a comment; `Administrator.CONTOSO` excludes the printed
/// `Administrator.CONTOS`; patterns that can never match are warned about.
#[test]
fn exclusion_files_as_admins_save_them_exclude_what_they_say() {
    let rows = table(&[
        ("rdp-tcp#1", "Administrator.CONTOS", 3, "Active"),
        ("rdp-tcp#2", "c#admin", 4, "Active"),
        ("rdp-tcp#3", "Jürgen", 5, "Active"),
        ("rdp-tcp#4", "alice", 6, "Active"),
    ]);
    let text = "Administrator.CONTOSO\r\nc#admin\r\n  # a comment line\r\njürgen\r\nadm/in\r\nalice # the boss\r\n";
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(text.as_bytes());
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    for (name, bytes) in [("utf8-bom", bom), ("utf16", utf16)] {
        let env = TestEnv::new(name);
        query_tables(&env, std::slice::from_ref(&rows));
        env.fake_logoff("");
        let file = env.dir.join("keep.txt");
        std::fs::write(&file, bytes).unwrap();
        let out = run_with(&env, &["--exclude-file", file.to_str().unwrap()], &[]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        // Only alice: her line holds a trailing "comment", so it is a pattern of its own.
        assert_calls(
            &["query session", "logoff 6", "query session"],
            &env.calls(),
        );
        let err = stderr(&out);
        assert!(
            err.contains("keep.txt:5: exclusion pattern \"adm/in\""),
            "{err}"
        );
        assert!(
            err.contains("keep.txt:6: exclusion pattern \"alice # the boss\""),
            "{err}"
        );
    }

    // The same 20-character rule for --exclude-user; --user stays exact and says why.
    let env = TestEnv::new("cut");
    query_tables(&env, &[rows]);
    env.fake_logoff("");
    let out = run_with(
        &env,
        &[
            "--exclude-user",
            "Administrator.CONTOSO",
            "--user",
            "*a*",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(by_id(&json(&out), 3)["reason_code"], "filtered_out");
    let out = run_with(&env, &["-n", "--user", "Administrator.CONTOSO"], &[]);
    assert!(
        stderr(&out).contains("cut to 20 characters"),
        "{}",
        stderr(&out)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 would be logged off"));
}

/// Item 4: when the server cannot be told from this computer, a session of the caller's own
/// user may be the caller's own: skipped without --include-self, last with it.
#[test]
fn on_a_server_that_cannot_be_told_the_own_user_is_protected() {
    let rows = table(&[
        ("rdp-tcp#1", "alice", 3, "Active"),
        ("rdp-tcp#2", "CarolAdmin", 4, "Active"),
        ("rdp-tcp#3", "dave", 5, "Active"),
    ]);
    let env = TestEnv::new("unknown");
    query_tables(&env, std::slice::from_ref(&rows));
    env.fake_logoff("");
    let args = ["--server", "ts-nowhere.invalid", "--format", "json"];
    let out = run_with(&env, &args, &[("USER", "carolAdmin")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    let own = by_id(&report, 4);
    assert_eq!(own["action"], "skip");
    assert_eq!(own["reason_code"], "own_user");
    assert!(own["reason"]
        .as_str()
        .unwrap()
        .contains("could not be told from this computer"));
    let calls: Vec<String> = env.calls();
    assert!(
        !calls.iter().any(|c| c.starts_with("logoff 4")),
        "{calls:?}"
    );

    let env = TestEnv::new("unknown-self");
    query_tables(&env, &[rows]);
    env.fake_logoff("");
    let out = run_with(
        &env,
        &[
            "--server",
            "ts-nowhere.invalid",
            "--include-self",
            "--format",
            "json",
        ],
        &[("USER", r"CONTOSO\carolAdmin")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_calls(
        &[
            "query session /server:ts-nowhere.invalid",
            "logoff 3 /server:ts-nowhere.invalid",
            "logoff 5 /server:ts-nowhere.invalid",
            "query session /server:ts-nowhere.invalid",
            // Possibly the caller's own session: after everything else, the report included,
            // and after one more look at the table.
            "query session /server:ts-nowhere.invalid",
            "logoff 4 /server:ts-nowhere.invalid",
        ],
        &env.calls(),
    );
    let own = by_id(&json(&out), 4);
    assert_eq!(own["reason_code"], "own_user_included");
    assert_eq!(own["outcome"], "after_report");
}

/// Item 5: only "session not found" (7022 or its exact words) is `already_gone`; network
/// errors that contain "not found" are failures with their text, and the exit code says so.
#[test]
fn only_session_not_found_is_already_gone() {
    let env = TestEnv::new("classify");
    env.fake_query("en-2019-mixed.txt", 0);
    env.fake_logoff(
        "3) echo 'Error [53]:The network path was not found.' >&2; exit 1 ;;\n\
         4) echo 'Error [67]:The network name cannot be found.' >&2; exit 1 ;;\n\
         5) echo 'Element not found.' >&2; exit 1 ;;\n\
         6) echo 'Session ID 6 not found'; exit 1 ;;",
    );
    let out = run_with(&env, &["--format", "json", "--verify-wait", "1s"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    for (id, words) in [
        (3, "The network path was not found."),
        (4, "The network name cannot be found."),
        (5, "Element not found."),
    ] {
        let s = by_id(&report, id);
        assert_eq!(s["outcome"], "failed", "{s}");
        assert!(s["message"].as_str().unwrap().contains(words), "{s}");
    }
    // "Not found", but the table still lists it: not called gone.
    let six = by_id(&report, 6);
    assert_eq!(six["outcome"], "still_present", "{six}");
    assert!(
        six["message"].as_str().unwrap().contains("not found"),
        "{six}"
    );
}

/// Item 7: a session still listed after a logoff that exited 0 is `still_present` (a failure);
/// `--reset-stuck` ends it with `reset session` and says so; `--verify-wait 0` reports
/// "not verified" and does not look again.
#[test]
fn logoffs_are_verified_and_stuck_sessions_reset_on_request() {
    let stuck = |env: &TestEnv| {
        env.fake_query("en-2019-console-user.txt", 0);
        // Exits 0 without ending the session: it stays listed.
        env.fake_logoff("2) exit 0 ;;");
    };
    let env = TestEnv::new("stuck");
    stuck(&env);
    let started = Instant::now();
    let out = run_with(&env, &["--verify-wait", "2s", "--format", "json"], &[]);
    assert!(started.elapsed() >= Duration::from_secs(2));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let s = by_id(&json(&out), 2);
    assert_eq!(s["outcome"], "still_present");
    // One line for the session, in words, with its final outcome (it used to be two lines of
    // codes: logged_off_unverified, then still_present).
    let err = stderr(&out);
    let said: Vec<&str> = err.lines().filter(|l| l.contains("carol (2)")).collect();
    assert_eq!(
        said,
        ["logoff-all: localhost: carol (2) still present"],
        "{err}"
    );
    assert!(s["message"]
        .as_str()
        .unwrap()
        .contains("still listed ID 2 (user \"carol\""));
    // 0.5 s, 1 s, then the rest of the wait: the first query and four looks.
    assert_eq!(
        env.calls().iter().filter(|c| *c == "query session").count(),
        5
    );

    for (ends, code, outcome) in [(true, 0, "reset"), (false, 1, "reset_failed")] {
        let env = TestEnv::new("reset");
        stuck(&env);
        let body = if ends {
            format!(
                "session) echo \"$2 $3\" >> '{}' ;;",
                env.gone_file().display()
            )
        } else {
            "session) echo 'Error [5]:Access is denied.' >&2; exit 1 ;;".to_string()
        };
        env.fake_tool("reset", &body);
        let out = run_with(
            &env,
            &["--verify-wait", "1", "--reset-stuck", "--format", "json"],
            &[],
        );
        assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
        let calls = env.calls();
        // A reset that exits 0 is checked by one more look; a failed one needs none.
        let tail: Vec<&str> = calls
            .iter()
            .rev()
            .take(2)
            .rev()
            .map(String::as_str)
            .collect();
        let expected: &[&str] = if ends {
            &["reset session 2", "query session"]
        } else {
            &["query session", "reset session 2"]
        };
        assert_eq!(tail, expected, "{calls:?}");
        assert_eq!(by_id(&json(&out), 2)["outcome"], outcome);
    }

    let env = TestEnv::new("noverify");
    stuck(&env);
    let out = run_with(&env, &["--verify-wait", "0", "--format", "json"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_calls(&["query session", "logoff 2"], &env.calls());
    let s = by_id(&json(&out), 2);
    assert_eq!(s["outcome"], "logged_off_unverified");
    assert!(s["message"].as_str().unwrap().contains("not verified"));
    // One progress line for the session, in words: nothing checks it, so it is final at once.
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().filter(|l| l.contains("carol (2)")).collect();
    assert_eq!(
        lines,
        ["logoff-all: localhost: carol (2) logged off, not verified"],
        "{err}"
    );
}

/// Item 8: bidi and invisible characters in names are shown escaped in the table, CSV and
/// messages, and kept exact in JSON; the logoff goes to the session the name belongs to.
#[test]
fn names_with_bidi_or_invisible_characters_are_shown_escaped() {
    let rows = table(&[
        ("rdp-tcp#1", "admin\u{202e}nimda", 3, "Active"),
        ("rdp-tcp#2\u{200b}", "bob", 4, "Active"),
    ]);
    for (format, escaped) in [("table", true), ("csv", true), ("json", false)] {
        let env = TestEnv::new("bidi");
        query_tables(&env, std::slice::from_ref(&rows));
        env.fake_logoff("");
        let out = run_with(&env, &["--format", format], &[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let report = String::from_utf8(out.stdout.clone()).unwrap();
        let err = stderr(&out);
        assert!(
            !err.contains('\u{202e}') && !err.contains('\u{200b}'),
            "{err}"
        );
        assert!(err.contains("admin\\u{202e}nimda"), "{err}");
        if escaped {
            assert!(report.contains("admin\\u{202e}nimda"), "{report}");
            assert!(report.contains("rdp-tcp#2\\u{200b}"), "{report}");
            assert!(!report.contains('\u{202e}') && !report.contains('\u{200b}'));
        } else {
            let report = json(&out);
            assert_eq!(by_id(&report, 3)["user"], "admin\u{202e}nimda");
            assert_eq!(by_id(&report, 4)["session_name"], "rdp-tcp#2\u{200b}");
        }
        assert_calls(
            &["query session", "logoff 3", "logoff 4", "query session"],
            &env.calls(),
        );
    }
}

//! What schedulers, PowerShell and people read: exit-code bits, help, progress lines, CSV and
//! JSON read back with strict readers, and messages printed once and as printed.
#![cfg(unix)]

use crate::common::TestEnv;
use logoff_all::exit_code;
use std::path::Path;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Three servers: ts01 fine, ts02 unreachable, ts03 refuses the logoff.
fn three_server_farm(env: &TestEnv) -> std::path::PathBuf {
    let log = env.dir.join("calls.log");
    let table = crate::common::fixtures().join("en-2019-console-user.txt");
    env.script(
        "query",
        &format!(
            "echo \"query $*\" >> '{}'\ncase \"$2\" in\n\
             /server:ts02) echo 'Error [1722]:The RPC server is unavailable.' >&2; exit 1 ;;\n\
             *) {} ;;\nesac",
            log.display(),
            env.print_table(&table)
        ),
    );
    // A logoff that works ends the session: the stand-in query stops listing it.
    env.script(
        "logoff",
        &format!(
            "echo \"logoff $*\" >> '{}'\ncase \"$2\" in\n\
             /server:ts03) echo 'Error [5]:Access is denied.' >&2; exit 1 ;;\nesac\n\
             echo \"$1 $2\" >> '{}'",
            log.display(),
            env.gone_file().display()
        ),
    );
    let servers = env.dir.join("farm.txt");
    std::fs::write(&servers, "ts01\nts02\nts03\n").unwrap();
    servers
}

/// The done-when case of the issue: one server down and one failed logoff give bits 1 and 2,
/// a progress line per server and a total, and a CSV file a strict reader loads with numeric
/// IDs and a UTF-8 BOM; stdout stays empty.
#[test]
fn farm_with_one_server_down_and_one_failed_logoff_exits_3_with_progress_and_csv() {
    let env = TestEnv::new("farm");
    let servers = three_server_farm(&env);
    let report = env.dir.join("report.csv");
    let out = env.run(&[
        "--servers-file",
        servers.to_str().unwrap(),
        "--format",
        "csv",
        "--output",
        report.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "the report went to the file");
    let err = stderr(&out);
    let progress: Vec<&str> = err.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(progress.len(), 3, "{err}");
    // Counted as each server finishes: the one that could not be queried first; the other two
    // in either order (one is still being verified while the other's logoffs run).
    for (counts, server, words) in [
        (&[1][..], "ts02", "not done (query_failed)"),
        (&[2, 3][..], "ts01", "1 logged off, 3 skipped"),
        (&[2, 3][..], "ts03", "0 logged off, 1 failed, 3 skipped"),
    ] {
        let line = progress.iter().find(|l| l.contains(server)).unwrap();
        assert!(
            counts
                .iter()
                .any(|i| line.starts_with(&format!("[{i}/3] {server}: {words}, "))),
            "{line}"
        );
        assert!(line.ends_with(" s"), "{line}");
    }
    let mut counts: Vec<&str> = progress.iter().map(|l| &l[..5]).collect();
    counts.sort_unstable();
    assert_eq!(counts, ["[1/3]", "[2/3]", "[3/3]"], "{err}");
    assert!(
        err.lines().any(|l| l.starts_with(
            "total: 3 servers, 1 logged off, 1 failed, 6 skipped, 1 server(s) not done, "
        )),
        "{err}"
    );
    assert_eq!(err.matches("RPC server is unavailable").count(), 1, "{err}");
    assert!(err.find("error: ts02").unwrap() < err.find("[1/3] ts02").unwrap());

    let bytes = std::fs::read(&report).unwrap();
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").expect("a UTF-8 BOM");
    let (header, rows) = crate::common::read_csv(body);
    assert_eq!(
        header,
        [
            "SERVER",
            "ID",
            "CURRENT",
            "USER",
            "SESSION",
            "STATE",
            "ACTION",
            "OUTCOME",
            "REASON_CODE",
            "REASON",
            "IDLE",
            "IDLE_MINUTES",
            "LOGON",
            "LOGON_ISO",
            "ERROR"
        ]
    );
    let sessions: Vec<&csv::StringRecord> = rows.iter().filter(|r| r[14].is_empty()).collect();
    assert_eq!(sessions.len(), 8);
    for r in &sessions {
        r[1].parse::<u32>()
            .unwrap_or_else(|_| panic!("ID {:?} is a number", &r[1]));
        assert!(["yes", "no"].contains(&&r[2]));
    }
    let outcome = |server: &str| {
        let r = sessions
            .iter()
            .find(|r| &r[0] == server && &r[1] == "2")
            .unwrap();
        (r[6].to_string(), r[7].to_string(), r[8].to_string())
    };
    assert_eq!(
        outcome("ts01"),
        ("logoff".into(), "logged_off".into(), "user_session".into())
    );
    assert_eq!(
        outcome("ts03"),
        ("logoff".into(), "failed".into(), "user_session".into())
    );
    let errors: Vec<&csv::StringRecord> = rows.iter().filter(|r| !r[14].is_empty()).collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(&errors[0][0], "ts02");
    assert_eq!(&errors[0][1], "", "no session columns in an error row");
    assert_eq!(&errors[0][8], "query_failed");
    assert!(errors[0][14].contains("RPC server is unavailable"));
}

/// Each server error is said once on stderr, as it happens, and the table report carries it
/// whole with a total line: a scheduled task keeps no stderr, so the report must stand alone
/// (it used to say "see the error on stderr"), on stdout and with `--output` alike.
#[test]
fn the_table_report_carries_each_server_error_and_a_total_line() {
    for to_file in [false, true] {
        let env = TestEnv::new("once");
        let servers = three_server_farm(&env);
        let file = env.dir.join("report.txt");
        let mut args = vec!["--servers-file", servers.to_str().unwrap()];
        if to_file {
            args.extend(["--output", file.to_str().unwrap()]);
        }
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(3));
        let err = stderr(&out);
        assert_eq!(err.matches("RPC server is unavailable").count(), 1, "{err}");
        let report = if to_file {
            std::fs::read_to_string(&file).unwrap()
        } else {
            stdout(&out)
        };
        assert!(
            report
                .lines()
                .any(|l| l.starts_with("ts02: not done: query_failed: ")
                    && l.contains("RPC server is unavailable")),
            "{report}"
        );
        assert!(!report.contains("see the error on stderr"), "{report}");
        assert!(
            report.lines().any(|l| l.starts_with(
                "total: 3 servers, 1 logged off, 1 failed, 6 skipped, 1 server(s) not done, "
            )),
            "{report}"
        );
    }
}

#[test]
fn a_single_server_prints_no_progress_lines() {
    let env = TestEnv::new("single");
    env.fake_query("en-2019-console-user.txt", 0);
    env.fake_logoff("");
    let out = env.run(&[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!stderr(&out).contains("[1/1]"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("total:"), "{}", stderr(&out));
}

#[test]
fn readme_and_help_show_the_exit_code_table_of_the_module() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    // The one command for the main job on a bundled sample, and the one for every test.
    assert!(readme.contains("cargo run -- --input fixtures/en-2019-mixed.txt"));
    assert!(crate::common::fixtures().join("en-2019-mixed.txt").exists());
    assert!(readme.contains("scripts/test-all"));
    assert!(
        readme.contains(&exit_code::markdown()),
        "README.md must hold exactly this table:\n{}",
        exit_code::markdown()
    );
    for flag in ["--help", "-h", "/?", "/help", "/HELP"] {
        let out = crate::common::run(&[flag]);
        assert_eq!(out.status.code(), Some(0), "{flag}");
        let text = stdout(&out);
        // The table as printed, wrapped to 80 columns: compared word by word.
        let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words(&text).contains(&words(&exit_code::help_text())),
            "{flag}: {text}"
        );
        let examples = text.find("Examples:").unwrap();
        assert!(examples < text.find("Exit codes").unwrap(), "{flag}");
        assert!(text.contains("schtasks /create"), "{flag}");
    }
}

#[test]
fn a_misspelled_flag_gets_a_suggestion_and_exit_16() {
    let out = crate::common::run(&["--servr", "TS01"]);
    assert_eq!(out.status.code(), Some(16));
    assert!(
        stderr(&out).contains("did you mean --server?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn contradictory_flags_are_refused_naming_both() {
    let input = crate::common::fixtures().join("en-2019-mixed.txt");
    let out = crate::common::run(&["--input", input.to_str().unwrap(), "--warn", "bye"]);
    assert_eq!(out.status.code(), Some(16));
    let err = stderr(&out);
    assert!(err.contains("--input cannot be used with --warn"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn empty_server_form_gets_a_hint() {
    let out = crate::common::run(&["/server:"]);
    assert_eq!(out.status.code(), Some(16));
    assert!(
        stderr(&out).contains("write /server:TS01"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_missing_input_file_is_a_file_error_not_a_server_error() {
    let out = crate::common::run(&["--input", "/nonexistent/capture.txt"]);
    assert_eq!(out.status.code(), Some(16));
    let err = stderr(&out);
    assert!(
        err.starts_with("logoff-all: error: cannot read --input /nonexistent/capture.txt"),
        "{err}"
    );
    assert!(!err.contains("localhost"), "{err}");
}

/// A thousand unreadable lines give one warning with the count and the line range, and exit
/// code bit 4.
#[test]
fn many_unreadable_lines_give_one_summary_warning() {
    let env = TestEnv::new("unreadable");
    let capture = env.dir.join("capture.txt");
    let mut text = String::from(
        " SESSIONNAME       USERNAME                 ID  STATE\n rdp-tcp#1         alice                     1  Active\n",
    );
    for _ in 0..1000 {
        text.push_str(" rdp-tcp#7         eve\n");
    }
    text.push_str(" rdp-tcp#2         bob                       2  Active\n");
    std::fs::write(&capture, text).unwrap();
    let out = env.run(&["--input", capture.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let err = stderr(&out);
    let warnings: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("not understood"))
        .collect();
    assert_eq!(
        warnings,
        [
            "logoff-all: warning: capture.txt: 1000 lines not understood (lines 3-1002); nobody on \
          them is logged off; first, line 3 (no session ID ends under the ID title (column 46)): \
          \" rdp-tcp#7         eve\""
        ]
    );
}

#[test]
fn an_output_file_that_cannot_be_created_stops_before_anything_runs() {
    let env = TestEnv::new("badoutput");
    env.fake_query("en-2019-console-user.txt", 0);
    env.fake_logoff("");
    let out = env.run(&[
        "--output",
        env.dir.join("no/such/dir/r.csv").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(16));
    assert!(
        stderr(&out).contains("cannot open --output"),
        "{}",
        stderr(&out)
    );
    assert!(env.calls().is_empty());
}

/// One line per session on stderr, in words, with its final outcome (`ts01: carol (2) logged
/// off`, not `logged_off_unverified` then `logged_off`), and one verification line per server.
#[test]
fn progress_is_one_human_line_per_session_and_one_verification_line_per_server() {
    let env = TestEnv::new("progress-words");
    let servers = three_server_farm(&env);
    let out = env.run(&["--servers-file", servers.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    let about = |who: &str| -> Vec<&str> { err.lines().filter(|l| l.contains(who)).collect() };
    assert_eq!(
        about("ts01: carol"),
        ["logoff-all: ts01: carol (2) logged off"],
        "{err}"
    );
    assert_eq!(
        about("ts03: carol"),
        ["logoff-all: ts03: carol (2) failed"],
        "{err}"
    );
    assert_eq!(about("ts01: checking").len(), 1, "{err}");
    assert!(!err.contains("logged_off"), "{err}");
}

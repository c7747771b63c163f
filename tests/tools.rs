//! Every real stock-tool output in `fixtures/tool-outputs/` (where each comes from is in its
//! INDEX.md), given to the program as a stand-in tool's answer, on the stream and with the exit
//! code the index states (or both 0 and 1 where it states none): what the run does with it.
//! Outputs of tools the run reads elsewhere are tested there: `change logon` in
//! `workflows::drain` and `src/act/drain/tests.rs`; `tscon` and `reset session` (same shapes as
//! `logoff`) in `src/act/classify.rs`.
#![cfg(unix)]

use crate::common::{fixtures, json, TestEnv};
use crate::workflows::{by_id, mixed, stderr};
use std::path::PathBuf;

fn tool_output(name: &str) -> PathBuf {
    fixtures().join("tool-outputs").join(name)
}

/// Where a file goes: standard output or standard error.
#[derive(Clone, Copy, Debug)]
enum Stream {
    Out,
    Err,
}

impl Stream {
    fn redirect(self) -> &'static str {
        match self {
            Stream::Out => "",
            Stream::Err => " >&2",
        }
    }
}

/// Each stream with each exit code: the stated one, or 0 and 1.
fn ways(stated: Option<i32>) -> Vec<(Stream, i32)> {
    let codes = stated.map_or(vec![0, 1], |c| vec![c]);
    codes
        .into_iter()
        .flat_map(|c| [(Stream::Out, c), (Stream::Err, c)])
        .collect()
}

/// `query session` answers with `file` on `stream` and exits `code`.
fn query_session_answers(name: &str, file: &str, stream: Stream, code: i32) -> TestEnv {
    let env = TestEnv::new(name);
    let log = env.dir.join("calls.log");
    env.script(
        "query",
        &format!(
            "echo \"query $*\" >> '{}'\ncat '{}'{}\nexit {code}",
            log.display(),
            tool_output(file).display(),
            stream.redirect()
        ),
    );
    env.fake_logoff("");
    env
}

/// `query session` errors: the server is not done (exit 2, with the tool's words), or, for
/// text that holds no table and no error shape (a Russian error in the wrong code page, whose
/// bare number looks like a session ID), not understood (exit 4); nobody is logged off.
#[test]
fn query_session_errors_stop_the_server_and_log_off_nobody() {
    let cases: &[(&str, Option<i32>)] = &[
        (
            "query-err-001-en-no-user-exists-pasted-xpcmdshell.txt",
            Some(1),
        ),
        (
            "query-err-002-en-0x6BA-rpc-unavailable-sqldump-crlf.txt",
            None,
        ),
        ("query-err-003-en-0x5-access-denied-oneline-table.txt", None),
        ("query-err-004-en-1722-pwsh-string-joined.txt", None),
        ("query-err-005-en-5-pwsh-string-joined.txt", None),
        ("query-err-006-en-no-user-exists-for-console.txt", None),
        (
            "query-err-007-en-0x721-1825-security-package-elided.txt",
            None,
        ),
        (
            "query-err-008-en-qwinsta-error-opening-terminal-server-access-denied.txt",
            None,
        ),
        ("query-err-009-ru-0x5-access-denied-pasted.txt", None),
        ("query-err-010-ru-access-denied-literal-qwinsta.txt", None),
        (
            "query-err-011-en-quser-usage-invalid-params-stderr-xcyclopedia.txt",
            None,
        ),
        (
            "query-err-012-ru-error5-getting-session-names-literal-qwinsta.txt",
            None,
        ),
        (
            "query-err-013-ru-mojibake-cp1251-of-utf8-testfixture.txt",
            None,
        ),
        (
            "query-err-014-ru-mojibake-full-error5-getting-session-names.txt",
            None,
        ),
        (
            "query-err-015-en-no-user-exists-for-specific-user-literal.txt",
            Some(1),
        ),
    ];
    // Without an error shape in any language: only not understood when the tool exits 0.
    let shapeless = ["query-err-012", "query-err-013", "query-err-014"];
    for (file, stated) in cases {
        for (stream, code) in ways(*stated) {
            let env = query_session_answers("tools-query", file, stream, code);
            let out = env.run(&["--yes"]);
            let expected = if code == 0
                && matches!(stream, Stream::Out)
                && shapeless.iter().any(|s| file.starts_with(s))
            {
                4
            } else {
                2
            };
            assert_eq!(
                out.status.code(),
                Some(expected),
                "{file} on {stream:?}, exit {code}: {}",
                stderr(&out)
            );
            assert!(
                env.calls().iter().all(|c| !c.starts_with("logoff")),
                "{file}: {:?}",
                env.calls()
            );
            // The tool's own first words are shown (the Russian ones after decoding).
            let first: String = std::fs::read_to_string(tool_output(file))
                .unwrap()
                .lines()
                .next()
                .unwrap()
                .chars()
                .take(12)
                .collect();
            if expected == 2 {
                assert!(stderr(&out).contains(&first), "{file}: {}", stderr(&out));
            }
        }
    }
}

/// `query user` saying nobody is logged on ("No User exists for *", exit 1, either stream) is
/// an empty table; "No User exists for NAME" (also said when the caller lacks the rights) and
/// the usage text are failures.
#[test]
fn query_user_nobody_is_empty_and_anything_else_fails() {
    for (file, nobody) in [
        (
            "query-err-001-en-no-user-exists-pasted-xpcmdshell.txt",
            true,
        ),
        (
            "query-err-015-en-no-user-exists-for-specific-user-literal.txt",
            false,
        ),
        ("query-err-006-en-no-user-exists-for-console.txt", false),
        (
            "query-err-011-en-quser-usage-invalid-params-stderr-xcyclopedia.txt",
            false,
        ),
    ] {
        for (stream, code) in ways(Some(1)) {
            let env = mixed("tools-quser", "enable", &[]);
            let log = env.dir.join("calls.log");
            env.script(
                "query",
                &format!(
                    "echo \"query $*\" >> '{log}'\n\
                     if [ \"$1\" = user ]; then cat '{}'{}; exit {code}; fi\n\
                     cat '{}'",
                    tool_output(file).display(),
                    stream.redirect(),
                    fixtures().join("en-2019-mixed.txt").display(),
                    log = log.display(),
                ),
            );
            // --list shows the sessions either way; a failed `query user` is a warning.
            let out = env.run(&["--list", "--format", "json"]);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{file} {stream:?}: {}",
                stderr(&out)
            );
            let warnings = json(&out)["warnings"].to_string();
            assert_eq!(
                !warnings.contains("idle and logon time not shown"),
                nobody,
                "{file} {stream:?}: {warnings}"
            );
        }
    }
}

/// Russian `query user` tables (`отсутствует` for no idle time, localized state, dd.mm.yyyy)
/// and a Windows 11 `qwinsta` capture (CRLF, trailing blanks, no final newline) read as tables.
#[test]
fn real_tables_read() {
    use logoff_all::decode::{decode, CodePage};
    for file in [
        "query-ok-001-ru-quser-table-console.txt",
        "query-ok-002-ru-quser-table-rdp.txt",
    ] {
        let bytes = std::fs::read(tool_output(file)).unwrap();
        let decoded = decode(&bytes, CodePage::Default(866)).unwrap();
        let table = logoff_all::table::idle::parse(&decoded).unwrap();
        assert_eq!(table.order.len(), 1, "{file}");
        assert!(table.not_understood.is_empty(), "{file}");
    }
    // Served as the live tool prints it: every line, the last too, ends in CRLF (the saved
    // capture lost its final line end when it was pasted).
    let env = TestEnv::new("tools-qwinsta");
    env.script(
        "query",
        &format!(
            "echo \"query $*\" >> '{}'\ncat '{}'\nprintf '\\r\\n'",
            env.dir.join("calls.log").display(),
            tool_output("query-ok-003-en-qwinsta-captured-win11-crlf-trailing-spaces.txt")
                .display(),
        ),
    );
    let out = env.run(&["-n", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(by_id(&report, 1)["user"], "Fidel");
    assert_eq!(by_id(&report, 1)["current"], true);
    assert_eq!(by_id(&report, 0)["action"], "skip");
}

/// `logoff` refused (access denied, with or without a space after `]:`) or printing its usage
/// text: that session failed (exit 1) whatever the exit code; the others are still done.
#[test]
fn logoff_errors_and_usage_are_failures() {
    for file in [
        "logoff-001-en-console-access-denied-msdocs.txt",
        "logoff-002-en-console-access-denied-kbQ259436-nt4.txt",
        "logoff-003-en-usage-invalid-params-stderr-xcyclopedia.txt",
        "logoff-004-en-console-access-denied-msdocs-older-trailing-spaces.txt",
    ] {
        for (stream, code) in ways(None) {
            let env = mixed("tools-logoff", "enable", &[]);
            env.fake_logoff(&format!(
                "4) cat '{}'{}; exit {code} ;;",
                tool_output(file).display(),
                stream.redirect()
            ));
            let out = env.run(&["--format", "json"]);
            assert_eq!(out.status.code(), Some(1), "{file}: {}", stderr(&out));
            let report = json(&out);
            assert_eq!(by_id(&report, 4)["outcome"], "failed", "{file}");
            let first = std::fs::read_to_string(tool_output(file)).unwrap();
            let first = first.lines().next().unwrap().trim();
            assert!(
                by_id(&report, 4)["message"]
                    .as_str()
                    .unwrap()
                    .contains(first),
                "{file}"
            );
            assert_eq!(by_id(&report, 5)["outcome"], "logged_off", "{file}");
        }
    }
}

/// `tsdiscon` printing its usage text: every disconnect failed (exit 1).
#[test]
fn tsdiscon_usage_is_a_failure() {
    let file = "tsdiscon-001-en-usage-invalid-params-stderr-xcyclopedia.txt";
    for (stream, code) in ways(None) {
        let env = mixed("tools-tsdiscon", "enable", &[]);
        env.fake_tool(
            "tsdiscon",
            &format!(
                "*) cat '{}'{}; exit {code} ;;",
                tool_output(file).display(),
                stream.redirect()
            ),
        );
        let out = env.run(&["--disconnect", "--format", "json"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let report = json(&out);
        let outcomes: Vec<&serde_json::Value> = report["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| &s["outcome"])
            .filter(|o| !o.is_null())
            .collect();
        assert!(!outcomes.is_empty());
        assert!(outcomes.iter().all(|o| *o == "failed"), "{outcomes:?}");
    }
}

/// `msg` failing (error number without brackets, or its usage text): the warning failed and
/// is reported; the logoffs still happen.
#[test]
fn msg_errors_are_failed_warnings() {
    for (file, stated) in [
        ("msg-001-en-1722-getting-session-names-pasted.txt", None),
        (
            "msg-002-en-5-getting-session-names-testfixture.txt",
            Some(1),
        ),
        (
            "msg-003-en-usage-invalid-params-stderr-xcyclopedia.txt",
            None,
        ),
    ] {
        for (stream, code) in ways(stated) {
            let env = mixed("tools-msg", "enable", &[]);
            env.fake_tool(
                "msg",
                &format!(
                    "*) cat '{}'{}; exit {code} ;;",
                    tool_output(file).display(),
                    stream.redirect()
                ),
            );
            let out = env.run(&["--warn", "bye", "--grace", "1s", "--format", "json"]);
            let report = json(&out);
            assert_eq!(by_id(&report, 3)["warning"], "failed", "{file}: {report}");
            // An active session whose warning failed is left alone (not_warned, exit bit 1).
            assert_eq!(
                by_id(&report, 3)["outcome"],
                "not_warned",
                "{file}: {report}"
            );
            assert!(
                !env.calls().iter().any(|c| c == "logoff 3"),
                "{file}: {:?}",
                env.calls()
            );
        }
    }
}

/// Every file is listed in INDEX.md and named by a test.
#[test]
fn every_tool_output_is_indexed_and_tested() {
    let root = env!("CARGO_MANIFEST_DIR");
    let index = std::fs::read_to_string(tool_output("INDEX.md")).unwrap();
    let tests: String = [
        "tests/tools.rs",
        "tests/workflows/drain.rs",
        "src/act/drain/tests.rs",
        "src/act/classify.rs",
    ]
    .iter()
    .map(|p| std::fs::read_to_string(format!("{root}/{p}")).unwrap())
    .collect();
    let mut files = 0;
    for entry in std::fs::read_dir(fixtures().join("tool-outputs")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name == "INDEX.md" {
            continue;
        }
        files += 1;
        assert!(index.contains(&name), "{name} is not in INDEX.md");
        assert!(tests.contains(&name), "{name} has no test");
    }
    assert_eq!(files, 32);
}

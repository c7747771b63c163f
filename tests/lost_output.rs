//! A report or audit log that cannot be written in full: exit bit 32 (`output_failed`) and a
//! line on stderr, for a full disk and a closed standard output.
#![cfg(unix)]

use crate::common::TestEnv;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The binary with its standard output set to `stdout`, and the rest as `crate::common::run`.
fn run_with_stdout(args: &[&str], stdout: std::process::Stdio) -> std::process::Output {
    crate::common::command(args)
        .stdout(stdout)
        .output()
        .unwrap()
}

/// A report that could not be written (here a full disk: `/dev/full`) used to give exit 0 with
/// a warning; now it is exit bit 32 (`output_failed`) with an error on stderr, for a dry run
/// and for `--list` alike.
#[test]
fn a_report_that_cannot_be_written_sets_bit_32_and_says_so() {
    let input = crate::common::fixtures().join("en-2019-mixed.txt");
    let input = input.to_str().unwrap();
    for args in [&["--input", input][..], &["--input", input, "--list"][..]] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = run_with_stdout(args, full.into());
        assert_eq!(out.status.code(), Some(32), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("error: the report could not be written to standard output")
                && err.contains("the report was lost"),
            "{args:?}: {err}"
        );
    }
}

/// A closed standard output (`>&-`) swallowed the report without a word and exit 0: now the
/// run says the report was lost, with exit bit 32.
#[test]
fn a_closed_stdout_loses_the_report_with_a_word_and_bit_32() {
    let input = crate::common::fixtures().join("en-2019-mixed.txt");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" --input \"$1\" >&-")
        .arg(env!("CARGO_BIN_EXE_logoff-all"))
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(32), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("standard output is closed; the report was lost"),
        "{}",
        stderr(&out)
    );
    // Standard output sent to /dev/null on purpose is a choice, not a failure.
    let out = run_with_stdout(
        &["--input", input.to_str().unwrap()],
        std::process::Stdio::null(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// An audit log that could not be written in full (a full disk) gave exit 0 in a dry run: now
/// it is exit bit 32, with an error naming the log at the end.
#[test]
fn an_audit_log_that_cannot_be_written_sets_bit_32() {
    let env = TestEnv::new("fulllog-dry");
    env.fake_query("en-2019-console-user.txt", 0);
    env.fake_logoff("");
    let out = env.run(&["-n", "--log", "/dev/full"]);
    assert_eq!(out.status.code(), Some(32), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error: the audit log --log /dev/full is not complete"),
        "{}",
        stderr(&out)
    );
    assert!(env.calls().iter().all(|c| !c.starts_with("logoff")));
}

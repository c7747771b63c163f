//! A second Ctrl-C: the run ends quickly but still writes its report and audit log, with every
//! action it started, and puts a drained logon mode back.

use super::drain::{interrupt, wait_exit, wait_for_call};
use super::{mixed, stderr};
use crate::common::{json, TestEnv};
use serde_json::Value;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Two Ctrl-Cs 0.2 s apart; the run ends within 10 s, with exit code 8.
fn interrupt_twice_and_wait(child: &mut std::process::Child) {
    interrupt(child);
    std::thread::sleep(Duration::from_millis(200));
    interrupt(child);
    let started = Instant::now();
    assert_eq!(wait_exit(child, Duration::from_secs(20)), Some(8));
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// Runs with a JSON report to a file, presses Ctrl-C twice once a `hung query` is noted, and
/// reads the report.
fn json_report_after_two_ctrl_cs_at_a_hung_query(env: &TestEnv) -> Value {
    let output = env.dir.join("report.json");
    let mut child = env
        .command(&[
            "--format",
            "json",
            "--output",
            &output.display().to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_call(env, "hung query");
    interrupt_twice_and_wait(&mut child);
    serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap()
}

/// Ctrl-C (SIGINT here) while `parallel` logoffs run: they finish, no other starts, the report
/// is complete and valid, the exit code says it was interrupted.
fn ctrl_c_while_logoffs_run(parallel: usize) {
    let env = TestEnv::new(&format!("ctrlc-{parallel}"));
    env.fake_query("en-2019-mixed.txt", 0);
    let started = |id: u32| env.dir.join(format!("started-{id}"));
    env.fake_logoff(&format!(
        "*) touch '{}'-\"$1\"; sleep 1 ;;",
        env.dir.join("started").display()
    ));
    let child = env
        .command(&["--parallel", &parallel.to_string(), "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let running: Vec<u32> = [3, 4, 5, 6].into_iter().take(parallel).collect();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !running.iter().all(|&id| started(id).exists()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        running.iter().all(|&id| started(id).exists()),
        "the logoffs never started"
    );
    interrupt(&child);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(8), "{}", stderr(&out));
    let mut calls = env.calls();
    calls.sort_unstable();
    let mut expected: Vec<String> = running.iter().map(|id| format!("logoff {id}")).collect();
    expected.push("query session".into());
    assert_eq!(calls, expected);
    let report = json(&out);
    let outcomes: Vec<&str> = report["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["outcome"].as_str())
        .collect();
    // The logoffs that finished are not verified: the run stopped before looking again.
    let mut want = vec!["logged_off_unverified"; parallel];
    want.resize(4, "not_run");
    assert_eq!(outcomes, want);
    assert!(stderr(&out).contains("stopped by Ctrl-C"));
}

#[test]
fn ctrl_c_mid_run_reports_what_finished_and_runs_nothing_more() {
    ctrl_c_while_logoffs_run(1);
}

#[test]
fn ctrl_c_with_logoffs_in_parallel_keeps_every_started_one_and_starts_no_more() {
    ctrl_c_while_logoffs_run(2);
}

/// A second Ctrl-C used to end the process at once: a logoff already started went on to its
/// end, but the `--output` report was left empty and the audit log had no outcome for it. Now
/// the started logoff is waited for, and both say what it did.
#[test]
fn a_second_ctrl_c_during_a_logoff_still_writes_the_report_and_the_log() {
    let env = mixed("ctrlc2-report", "enable", &[]);
    env.fake_logoff("3) sleep 2 ;;");
    let (output, log) = (env.dir.join("report.json"), env.dir.join("audit.jsonl"));
    let mut child = env
        .command(&[
            "--parallel",
            "1",
            "--drain",
            "--format",
            "json",
            "--output",
            &output.display().to_string(),
            "--log",
            &log.display().to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_call(&env, "logoff 3");
    interrupt_twice_and_wait(&mut child);
    let calls = env.calls();
    assert_eq!(
        calls.iter().filter(|c| c.starts_with("logoff")).count(),
        1,
        "{calls:?}"
    );
    assert_eq!(env.logon_mode(), "enable");

    let report: Value = serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    let outcome = |id: u64| {
        report["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .map(|s| s["outcome"].clone())
    };
    assert_eq!(
        outcome(3),
        Some(Value::from("logged_off_unverified")),
        "{report}"
    );
    assert_eq!(outcome(4), Some(Value::from("not_run")), "{report}");
    assert_eq!(report["exit_code"]["code"], 8, "{report}");

    let audit = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        lines.iter().any(|l| l["event"] == "outcome"
            && l["id"] == 3
            && l["outcome"] == "logged_off_unverified"),
        "{audit}"
    );
    assert_eq!(lines.last().unwrap()["event"], "run", "{audit}");
}

/// A second Ctrl-C also cuts short a read or a message in progress: a `query` that hangs does
/// not hold the run for its whole `--timeout`, and the report is still written.
#[test]
fn a_second_ctrl_c_stops_a_hung_query_and_the_report_is_written() {
    let env = mixed("ctrlc2-query", "enable", &[]);
    // The last logoff makes every later `query` hang: the verification's look hangs.
    let hang = env.dir.join("hang");
    env.fake_logoff(&format!("6) touch '{}' ;;", hang.display()));
    let query = std::fs::read_to_string(env.bin.join("query")).unwrap();
    let body = query.trim_start_matches("#!/bin/sh\n");
    env.script(
        "query",
        &format!(
            "[ -e '{hang}' ] && {{ echo \"hung query $*\" >> '{log}'; sleep 30; }}\n{body}",
            hang = hang.display(),
            log = env.dir.join("calls.log").display()
        ),
    );
    let report = json_report_after_two_ctrl_cs_at_a_hung_query(&env);
    let unverified = report["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["outcome"] == "logged_off_unverified")
        .count();
    assert_eq!(unverified, 4, "{report}");
}

/// A second Ctrl-C that stops the first `query` of a server: nothing failed, so the server's
/// error is `stopped` and the exit code is 8 alone, not `query_failed` (2).
#[test]
fn a_query_stopped_by_a_second_ctrl_c_is_not_a_query_failure() {
    let env = TestEnv::new("ctrlc2-survey");
    env.script(
        "query",
        &format!(
            "echo \"hung query $*\" >> '{}'; sleep 30",
            env.dir.join("calls.log").display()
        ),
    );
    env.fake_logoff("");
    let report = json_report_after_two_ctrl_cs_at_a_hung_query(&env);
    assert_eq!(report["errors"][0]["kind"], "stopped", "{report}");
    assert_eq!(
        report["exit_code"]["bits"],
        serde_json::json!(["cancelled"])
    );
}

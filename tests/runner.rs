//! The real binary against stand-in tools that misbehave as children: print without end, or
//! leave a grandchild holding their output pipe. Proves bounded capture end to end.
#![cfg(unix)]

use crate::common::{assert_lines, json, TestEnv};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs the binary with `env`'s fakes first on PATH and returns its exit code, standard error
/// and peak resident memory in KiB (from wait4, so of this run alone).
fn run_measured(env: &TestEnv, args: &[&str]) -> (Option<i32>, String, i64) {
    let path = std::env::join_paths(
        std::iter::once(env.bin.clone()).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .unwrap();
    let errors = env.dir.join("stderr.txt");
    // Reaped below by wait4, which also gives its resource use.
    #[allow(clippy::zombie_processes)]
    let child = crate::common::command(args)
        .env("PATH", path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&errors).unwrap())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: rusage is plain data that wait4 fills in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for (and reaps) this test's own child.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t);
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    let text = std::fs::read_to_string(&errors).unwrap();
    (code, text, usage.ru_maxrss)
}

#[cfg(target_os = "linux")]
#[test]
fn a_query_printing_without_end_fails_as_too_large_with_flat_memory_and_logs_off_nobody() {
    // A child started with vfork takes the starting process's peak memory into its own
    // (Linux counts the old memory's high-water mark at exec), so the figure is only the
    // child's in a small process: this test runs again alone, in a test process of its own.
    const ALONE: &str = "LOGOFF_ALL_TEST_ALONE";
    if std::env::var_os(ALONE).is_none() {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "runner::a_query_printing_without_end_fails_as_too_large_with_flat_memory_and_logs_off_nobody",
                "--test-threads",
                "1",
            ])
            .env(ALONE, "1")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && text.contains("1 passed"), "{text}");
        return;
    }
    // Without a cap such a query filled 4 GB in 5 s. Capped, it is stopped after 4 MiB.
    let env = TestEnv::new("endless-query");
    env.script(
        "query",
        "exec yes ' rdp-tcp#1         alice                     3  Active'",
    );
    env.fake_logoff("");
    let started = Instant::now();
    let (code, text, peak_kib) = run_measured(&env, &["--yes", "--timeout", "60"]);
    let took = started.elapsed();
    // Exit bit 2: the server could not be queried.
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("output too large"), "{text}");
    assert!(env.calls().is_empty(), "{:?}", env.calls());
    assert!(took < Duration::from_secs(20), "{took:?}");
    // The cap (4 MiB) plus the program itself; far below what `yes` prints in a second.
    assert!(peak_kib < 32 * 1024, "peak RSS {peak_kib} KiB");
}

#[test]
fn a_logoff_printing_without_end_fails_that_session_only() {
    let env = TestEnv::new("endless-logoff");
    env.fake_query("en-2019-mixed.txt", 0);
    env.fake_logoff("4) exec yes ;;");
    let started = Instant::now();
    let out = env.run(&[
        "--parallel",
        "1",
        "--yes",
        "--timeout",
        "60",
        "--format",
        "json",
    ]);
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_lines(
        &[
            "query session",
            "logoff 3",
            "logoff 4",
            // The failed logoff makes the table stale: read again before the next one.
            "query session",
            "logoff 5",
            "logoff 6",
            // The verification that the logged-off sessions are gone.
            "query session",
        ],
        &env.calls(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    let sessions = report["sessions"].as_array().unwrap();
    let four = sessions.iter().find(|s| s["id"] == 4).unwrap();
    assert_eq!(four["outcome"], "failed", "{four}");
    assert!(
        four["message"]
            .as_str()
            .unwrap()
            .contains("output too large"),
        "{four}"
    );
    for id in [3, 5, 6] {
        let s = sessions.iter().find(|s| s["id"] == id).unwrap();
        assert_eq!(s["outcome"], "logged_off", "{s}");
    }
}

#[test]
fn grandchildren_holding_the_pipes_of_query_and_every_logoff_do_not_hold_up_the_run() {
    // Each tool prints and exits at once; a background child keeps its output pipes for 30 s.
    // Reading stops a short grace (0.3 s) after each tool ends: about 2 s for these six
    // calls (with the verifying query), where a wait for the pipes' end would take 180 s.
    let env = TestEnv::new("grandchildren");
    let table = crate::common::fixtures().join("en-2019-mixed.txt");
    env.script("query", &format!("sleep 30 &\n{}", env.print_table(&table)));
    env.fake_logoff("*) sleep 30 & ;;");
    let started = Instant::now();
    let out = env.run(&["--yes", "--timeout", "60", "--format", "json"]);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(6), "{took:?}");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    let logged_off: Vec<u64> = report["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["outcome"] == "logged_off")
        .map(|s| s["id"].as_u64().unwrap())
        .collect();
    assert_eq!(logged_off, [3, 4, 5, 6], "{report}");
}

/// A terminal's Ctrl-C goes to its foreground process group: each tool runs in a group of its
/// own, so only logoff-all gets it and decides what stops (a `logoff` already started finishes).
#[cfg(target_os = "linux")]
#[test]
fn every_tool_runs_in_a_process_group_of_its_own() {
    let env = TestEnv::new("process-group");
    env.fake_query("en-2019-mixed.txt", 0);
    let groups = env.dir.join("groups");
    env.fake_logoff(&format!(
        "*) echo \"$(cut -d' ' -f5 /proc/$$/stat) $(cut -d' ' -f5 /proc/$PPID/stat)\" >> '{}' ;;",
        groups.display()
    ));
    let out = env.run(&["--yes", "--verify-wait", "0"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&groups).unwrap();
    assert_eq!(text.lines().count(), 4, "{text}");
    for line in text.lines() {
        let (own, parent) = line.split_once(' ').unwrap();
        assert_ne!(own, parent, "{text}");
    }
}

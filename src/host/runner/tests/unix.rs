//! Tests of the real runner on Unix with real children, started and waited on as the runner
//! does: through the standard library, with a reader thread per pipe and `try_wait`.

use crate::host::runner::capture::{self, Ending};
use crate::host::runner::unix::{Child, Wait};
use crate::host::runner::*;

const SH: &str = "/bin/sh";

fn start(script: &str) -> std::io::Result<Child> {
    let args = ["-c".to_string(), script.to_string()];
    Child::start(Path::new(SH), &args, Wait::Best)
}

/// Runs `sh -c script` through the runner.
fn sh(script: &str, timeout: Duration, max: usize) -> Result<Output, RunError> {
    let args = ["-c".to_string(), script.to_string()];
    SystemRunner.run(Path::new(SH), &args, timeout, max)
}

#[test]
fn captures_both_streams_and_the_exit_code() {
    let script = "printf out; printf err >&2; exit 3";
    let out = sh(script, Duration::from_secs(10), 100).unwrap();
    assert_eq!(out.code, Some(3));
    assert_eq!(out.stdout, b"out");
    assert_eq!(out.stderr, b"err");
}

#[test]
fn a_child_ended_by_a_signal_has_no_exit_code() {
    let out = sh("kill -9 $$", Duration::from_secs(10), 100).unwrap();
    assert_eq!(out.code, None);
}

#[test]
fn a_hung_child_is_killed_at_the_timeout_with_its_output_so_far() {
    let started = Instant::now();
    let script = "printf partial; exec sleep 30";
    let err = sh(script, Duration::from_millis(300), 100).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    match err {
        RunError::TimedOut { partial, .. } => assert_eq!(partial.stdout, b"partial"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_grandchild_holding_the_pipe_does_not_hang_a_timed_out_run() {
    let started = Instant::now();
    let err = sh("sleep 30; true", Duration::from_millis(300), 100).unwrap_err();
    assert!(matches!(err, RunError::TimedOut { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_grandchild_holding_the_pipe_after_the_child_exits_ends_the_drain_at_the_grace() {
    // The child exits at once; the background sleep keeps both pipes open for 30 s.
    let started = Instant::now();
    let out = sh("sleep 30 & echo hi", Duration::from_secs(20), 100).unwrap();
    let took = started.elapsed();
    assert_eq!(out.stdout, b"hi\n");
    assert_eq!(out.code, Some(0));
    assert!(took < DRAIN_GRACE + Duration::from_secs(3), "{took:?}");
}

#[test]
fn large_output_on_both_streams_does_not_deadlock() {
    let script = "head -c 1000000 /dev/zero; head -c 1000000 /dev/zero >&2; echo end";
    let out = sh(script, Duration::from_secs(20), QUERY_OUTPUT_LIMIT).unwrap();
    assert_eq!(out.stdout.len(), 1_000_004);
    assert_eq!(out.stderr.len(), 1_000_000);
}

#[test]
fn exactly_the_limit_is_kept_and_one_byte_more_is_too_large() {
    let script = "head -c 65536 /dev/zero >&2";
    let out = sh(script, Duration::from_secs(20), 65536).unwrap();
    assert_eq!(out.stderr.len(), 65536);
    let err = sh(script, Duration::from_secs(20), 65535).unwrap_err();
    assert!(
        matches!(err, RunError::TooLarge { limit: 65535, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("output too large"), "{err}");
}

#[test]
fn an_endless_printer_is_stopped_at_the_limit_on_either_stream() {
    // Without the limit `yes` fills memory at gigabytes a second until the timeout.
    for script in ["exec yes", "exec yes >&2"] {
        let started = Instant::now();
        let err = sh(script, Duration::from_secs(60), QUERY_OUTPUT_LIMIT).unwrap_err();
        assert!(
            matches!(err, RunError::TooLarge { .. }),
            "{script}: {err:?}"
        );
        let took = started.elapsed();
        assert!(took < Duration::from_secs(10), "{script}: {took:?}");
    }
}

#[test]
fn a_missing_program_is_a_start_error() {
    let err = SystemRunner
        .run(
            Path::new("/nonexistent/query"),
            &[],
            Duration::from_secs(1),
            TOOL_OUTPUT_LIMIT,
        )
        .unwrap_err();
    assert!(matches!(err, RunError::Start { .. }), "{err:?}");
}

/// Whether `pid` is no longer a child of this process, i.e. it has been reaped: its
/// /proc entry is gone, or belongs to another process by now (Linux).
#[cfg(target_os = "linux")]
fn reaped(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return true;
    };
    // After the name in parentheses: the state, then the parent's ID. A zombie is still
    // there, with this process as its parent.
    let parent = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().nth(1))
        .unwrap();
    parent != std::process::id().to_string()
}

/// Drives `script` to its end as the runner does and says whether its process was reaped.
#[cfg(target_os = "linux")]
fn reaped_after(script: &str, timeout: Duration, max: usize) -> (Ending, bool) {
    let mut child = start(script).unwrap();
    let pid = child.id();
    assert!(!reaped(pid));
    let deadline = Instant::now() + timeout;
    let captured = capture::drive(&mut child, Some(deadline), max, DRAIN_GRACE, None).unwrap();
    (captured.ending, reaped(pid))
}

#[cfg(target_os = "linux")]
#[test]
fn the_child_is_reaped_however_the_run_ends() {
    let cases = [
        ("exit 0", Duration::from_secs(10), Ending::Exited),
        (
            "exec sleep 30",
            Duration::from_millis(200),
            Ending::TimedOut,
        ),
        ("exec yes", Duration::from_secs(10), Ending::TooLarge),
    ];
    for (script, timeout, ending) in cases {
        let got = reaped_after(script, timeout, TOOL_OUTPUT_LIMIT);
        assert_eq!(got, (ending, true), "{script}");
    }
}

/// Voluntary context switches of the calling thread so far (Linux).
#[cfg(target_os = "linux")]
fn switches() -> i64 {
    let status = std::fs::read_to_string("/proc/thread-self/status").unwrap();
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
        .unwrap();
    line.trim().parse().unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn waiting_for_a_silent_child_wakes_a_bounded_number_of_times() {
    // The wait asks whether the child has ended at an interval that doubles from 1 ms up to
    // 50 ms: about 25 wake-ups of the calling thread while the child sleeps 1 s, where asking
    // every millisecond would wake it about a thousand times. Other tests starting children
    // in this process at the same time can make the start itself wait a few dozen times on
    // the kernel's locks, hence the margin.
    let before = switches();
    let out = sh("exec sleep 1", Duration::from_secs(20), 100).unwrap();
    let woke = switches() - before;
    assert_eq!(out.code, Some(0));
    assert!(woke < 60, "the calling thread woke {woke} times");
}

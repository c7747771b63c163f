//! Tests of the real runner on Unix with real children, once per way of waiting (pidfd where
//! the kernel has it, and the waiter thread).

use super::capture::{self, Ending};
use super::unix::{Child, Wait};
use super::*;

const WAITS: [Wait; 2] = [Wait::Best, Wait::Thread];

fn sh(wait: Wait, script: &str, timeout: Duration, max: usize) -> Result<Output, RunError> {
    let mut command = Command::new("/bin/sh");
    command.args(["-c", script]);
    run(command, timeout, max, wait)
}

#[test]
fn captures_both_streams_and_the_exit_code() {
    for wait in WAITS {
        let script = "printf out; printf err >&2; exit 3";
        let out = sh(wait, script, Duration::from_secs(10), 100).unwrap();
        assert_eq!(out.code, Some(3), "{wait:?}");
        assert_eq!(out.stdout, b"out", "{wait:?}");
        assert_eq!(out.stderr, b"err", "{wait:?}");
    }
}

#[test]
fn a_child_ended_by_a_signal_has_no_exit_code() {
    for wait in WAITS {
        let out = sh(wait, "kill -9 $$", Duration::from_secs(10), 100).unwrap();
        assert_eq!(out.code, None, "{wait:?}");
    }
}

#[test]
fn a_hung_child_is_killed_at_the_timeout_with_its_output_so_far() {
    for wait in WAITS {
        let started = Instant::now();
        let script = "printf partial; exec sleep 30";
        let err = sh(wait, script, Duration::from_millis(300), 100).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(10), "{wait:?}");
        match err {
            RunError::TimedOut { partial, .. } => assert_eq!(partial.stdout, b"partial"),
            other => panic!("{wait:?}: {other:?}"),
        }
    }
}

#[test]
fn a_grandchild_holding_the_pipe_does_not_hang_a_timed_out_run() {
    for wait in WAITS {
        let started = Instant::now();
        let err = sh(wait, "sleep 30; true", Duration::from_millis(300), 100).unwrap_err();
        assert!(
            matches!(err, RunError::TimedOut { .. }),
            "{wait:?}: {err:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(10), "{wait:?}");
    }
}

#[test]
fn a_grandchild_holding_the_pipe_after_the_child_exits_ends_the_drain_at_the_grace() {
    // The child exits at once; the background sleep keeps both pipes open for 30 s.
    for wait in WAITS {
        let started = Instant::now();
        let out = sh(wait, "sleep 30 & echo hi", Duration::from_secs(20), 100).unwrap();
        let took = started.elapsed();
        assert_eq!(out.stdout, b"hi\n", "{wait:?}");
        assert_eq!(out.code, Some(0), "{wait:?}");
        assert!(
            took < DRAIN_GRACE + Duration::from_secs(3),
            "{wait:?}: {took:?}"
        );
    }
}

#[test]
fn large_output_on_both_streams_does_not_deadlock() {
    for wait in WAITS {
        let script = "head -c 1000000 /dev/zero; head -c 1000000 /dev/zero >&2; echo end";
        let out = sh(wait, script, Duration::from_secs(20), QUERY_OUTPUT_LIMIT).unwrap();
        assert_eq!(out.stdout.len(), 1_000_004, "{wait:?}");
        assert_eq!(out.stderr.len(), 1_000_000, "{wait:?}");
    }
}

#[test]
fn exactly_the_limit_is_kept_and_one_byte_more_is_too_large() {
    for wait in WAITS {
        let script = "head -c 65536 /dev/zero >&2";
        let out = sh(wait, script, Duration::from_secs(20), 65536).unwrap();
        assert_eq!(out.stderr.len(), 65536, "{wait:?}");
        let err = sh(wait, script, Duration::from_secs(20), 65535).unwrap_err();
        assert!(
            matches!(err, RunError::TooLarge { limit: 65535, .. }),
            "{wait:?}: {err:?}"
        );
        assert!(err.to_string().contains("output too large"), "{err}");
    }
}

#[test]
fn an_endless_printer_is_stopped_at_the_limit_on_either_stream() {
    // Without the limit `yes` fills memory at gigabytes a second until the timeout.
    for wait in WAITS {
        for script in ["exec yes", "exec yes >&2"] {
            let started = Instant::now();
            let err = sh(wait, script, Duration::from_secs(60), QUERY_OUTPUT_LIMIT).unwrap_err();
            assert!(
                matches!(err, RunError::TooLarge { .. }),
                "{wait:?} {script}: {err:?}"
            );
            let took = started.elapsed();
            assert!(
                took < Duration::from_secs(10),
                "{wait:?} {script}: {took:?}"
            );
        }
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

/// Drives `script` to its end as the runner does and says whether its process was reaped.
fn reaped_after(wait: Wait, script: &str, timeout: Duration, max: usize) -> (Ending, bool) {
    let mut command = Command::new("/bin/sh");
    command.args(["-c", script]).stdin(Stdio::null());
    let mut child = Child::spawn(command, wait).unwrap();
    let pid = child.id();
    let deadline = Instant::now() + timeout;
    let captured = capture::drive(&mut child, Some(deadline), max, DRAIN_GRACE).unwrap();
    // SAFETY: asks about this process's own child without waiting or reaping it.
    let r = unsafe { libc::waitpid(pid, std::ptr::null_mut(), libc::WNOHANG) };
    let gone = r == -1 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ECHILD);
    (captured.ending, gone)
}

#[test]
fn the_child_is_reaped_however_the_run_ends() {
    for wait in WAITS {
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
            let got = reaped_after(wait, script, timeout, TOOL_OUTPUT_LIMIT);
            assert_eq!(got, (ending, true), "{wait:?} {script}");
        }
    }
}

/// Voluntary context switches of the calling thread so far (Linux).
#[cfg(target_os = "linux")]
fn switches() -> i64 {
    // SAFETY: rusage is plain data; getrusage only writes into it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_THREAD asks about the calling thread.
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) },
        0
    );
    usage.ru_nvcsw
}

#[cfg(target_os = "linux")]
#[test]
fn waiting_for_a_silent_child_sleeps_instead_of_polling() {
    // A wait that polls wakes up every few milliseconds (hundreds of times in a second); an
    // exact wait sleeps once in poll(2) and wakes when the child ends.
    for wait in WAITS {
        let before = switches();
        let out = sh(wait, "exec sleep 1", Duration::from_secs(20), 100).unwrap();
        let woke = switches() - before;
        assert_eq!(out.code, Some(0));
        assert!(woke < 20, "{wait:?}: the calling thread woke {woke} times");
    }
}

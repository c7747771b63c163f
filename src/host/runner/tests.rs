//! Tests of the real runner on Unix with real children, once per way of starting (the
//! runner's `start` and a `Command` of the tests' own, both through the standard library)
//! and of waiting (pidfd where the kernel has it, and the waiter thread).

use super::capture::{self, Ending};
use super::unix::{Child, Wait};
use super::*;

/// How a test starts and waits for its child.
#[derive(Debug, Clone, Copy)]
enum Way {
    /// `Child::start`, as the runner starts every tool.
    Start(Wait),
    /// `Child::spawn` of a `Command`, the standard library's start.
    Std(Wait),
}

const WAYS: [Way; 4] = [
    Way::Start(Wait::Best),
    Way::Start(Wait::Thread),
    Way::Std(Wait::Best),
    Way::Std(Wait::Thread),
];

const SH: &str = "/bin/sh";

/// Starts `program` with `args` (input from /dev/null) as `way` says.
fn start_program(way: Way, program: &str, args: &[&str]) -> std::io::Result<Child> {
    match way {
        Way::Start(wait) => {
            let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            Child::start(Path::new(program), &args, wait)
        }
        Way::Std(wait) => {
            let mut command = Command::new(program);
            command.args(args).stdin(Stdio::null());
            Child::spawn(command, wait)
        }
    }
}

fn start(way: Way, script: &str) -> std::io::Result<Child> {
    start_program(way, SH, &["-c", script])
}

fn sh(way: Way, script: &str, timeout: Duration, max: usize) -> Result<Output, RunError> {
    match way {
        Way::Start(_) => finish(
            Path::new(SH),
            start(way, script),
            Instant::now(),
            timeout,
            max,
        ),
        Way::Std(wait) => {
            let mut command = Command::new(SH);
            command.args(["-c", script]);
            run(command, timeout, max, wait)
        }
    }
}

#[test]
fn captures_both_streams_and_the_exit_code() {
    for way in WAYS {
        let script = "printf out; printf err >&2; exit 3";
        let out = sh(way, script, Duration::from_secs(10), 100).unwrap();
        assert_eq!(out.code, Some(3), "{way:?}");
        assert_eq!(out.stdout, b"out", "{way:?}");
        assert_eq!(out.stderr, b"err", "{way:?}");
    }
}

#[test]
fn a_child_ended_by_a_signal_has_no_exit_code() {
    for way in WAYS {
        let out = sh(way, "kill -9 $$", Duration::from_secs(10), 100).unwrap();
        assert_eq!(out.code, None, "{way:?}");
    }
}

#[test]
fn a_hung_child_is_killed_at_the_timeout_with_its_output_so_far() {
    for way in WAYS {
        let started = Instant::now();
        let script = "printf partial; exec sleep 30";
        let err = sh(way, script, Duration::from_millis(300), 100).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(10), "{way:?}");
        match err {
            RunError::TimedOut { partial, .. } => assert_eq!(partial.stdout, b"partial"),
            other => panic!("{way:?}: {other:?}"),
        }
    }
}

#[test]
fn a_grandchild_holding_the_pipe_does_not_hang_a_timed_out_run() {
    for way in WAYS {
        let started = Instant::now();
        let err = sh(way, "sleep 30; true", Duration::from_millis(300), 100).unwrap_err();
        assert!(matches!(err, RunError::TimedOut { .. }), "{way:?}: {err:?}");
        assert!(started.elapsed() < Duration::from_secs(10), "{way:?}");
    }
}

#[test]
fn a_grandchild_holding_the_pipe_after_the_child_exits_ends_the_drain_at_the_grace() {
    // The child exits at once; the background sleep keeps both pipes open for 30 s.
    for way in WAYS {
        let started = Instant::now();
        let out = sh(way, "sleep 30 & echo hi", Duration::from_secs(20), 100).unwrap();
        let took = started.elapsed();
        assert_eq!(out.stdout, b"hi\n", "{way:?}");
        assert_eq!(out.code, Some(0), "{way:?}");
        assert!(
            took < DRAIN_GRACE + Duration::from_secs(3),
            "{way:?}: {took:?}"
        );
    }
}

#[test]
fn large_output_on_both_streams_does_not_deadlock() {
    for way in WAYS {
        let script = "head -c 1000000 /dev/zero; head -c 1000000 /dev/zero >&2; echo end";
        let out = sh(way, script, Duration::from_secs(20), QUERY_OUTPUT_LIMIT).unwrap();
        assert_eq!(out.stdout.len(), 1_000_004, "{way:?}");
        assert_eq!(out.stderr.len(), 1_000_000, "{way:?}");
    }
}

#[test]
fn exactly_the_limit_is_kept_and_one_byte_more_is_too_large() {
    for way in WAYS {
        let script = "head -c 65536 /dev/zero >&2";
        let out = sh(way, script, Duration::from_secs(20), 65536).unwrap();
        assert_eq!(out.stderr.len(), 65536, "{way:?}");
        let err = sh(way, script, Duration::from_secs(20), 65535).unwrap_err();
        assert!(
            matches!(err, RunError::TooLarge { limit: 65535, .. }),
            "{way:?}: {err:?}"
        );
        assert!(err.to_string().contains("output too large"), "{err}");
    }
}

#[test]
fn an_endless_printer_is_stopped_at_the_limit_on_either_stream() {
    // Without the limit `yes` fills memory at gigabytes a second until the timeout.
    for way in WAYS {
        for script in ["exec yes", "exec yes >&2"] {
            let started = Instant::now();
            let err = sh(way, script, Duration::from_secs(60), QUERY_OUTPUT_LIMIT).unwrap_err();
            assert!(
                matches!(err, RunError::TooLarge { .. }),
                "{way:?} {script}: {err:?}"
            );
            let took = started.elapsed();
            assert!(took < Duration::from_secs(10), "{way:?} {script}: {took:?}");
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
fn reaped_after(way: Way, script: &str, timeout: Duration, max: usize) -> (Ending, bool) {
    let mut child = start(way, script).unwrap();
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
    for way in WAYS {
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
            let got = reaped_after(way, script, timeout, TOOL_OUTPUT_LIMIT);
            assert_eq!(got, (ending, true), "{way:?} {script}");
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
    // exact wait sleeps once in poll(2) and wakes when the child ends. Other tests starting
    // children in this process at the same time can make the start itself wait a few dozen
    // times on the kernel's locks, hence the margin.
    for way in WAYS {
        let before = switches();
        let out = sh(way, "exec sleep 1", Duration::from_secs(20), 100).unwrap();
        let woke = switches() - before;
        assert_eq!(out.code, Some(0));
        assert!(woke < 60, "{way:?}: the calling thread woke {woke} times");
    }
}

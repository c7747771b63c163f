//! Tests of the real runner on Windows (run under Wine on Linux): the test binary itself is
//! the child, started with the filter `child_behaviour` and told what to do by a variable.

use std::io::Write;

use crate::host::runner::windows::Wait;
use crate::host::runner::*;

const MODE: &str = "LOGOFF_ALL_RUNNER_TEST_CHILD";

/// Does nothing in a normal test run; in a child started by the tests below, behaves as the
/// variable says and exits.
#[test]
fn child_behaviour() {
    let Ok(mode) = std::env::var(MODE) else {
        return;
    };
    let mut out = std::io::stdout();
    let code = match mode.as_str() {
        "streams" => {
            let _ = out.write_all(b"out");
            let _ = std::io::stderr().write_all(b"err");
            3
        }
        "bytes" => {
            let _ = std::io::stderr().write_all(&[b'x'; 65536]);
            0
        }
        "endless" => loop {
            if out.write_all(&[b'y'; 8192]).is_err() {
                break 1;
            }
        },
        "hang" => {
            let _ = out.write_all(b"partial");
            let _ = out.flush();
            std::thread::sleep(Duration::from_secs(20));
            0
        }
        "grandchild" => {
            // A child of its own that inherits the output pipes and keeps them for 20 s.
            let _ = child_command("hang").spawn();
            let _ = out.write_all(b"hi");
            0
        }
        _ => 2,
    };
    let _ = out.flush();
    std::process::exit(code);
}

fn child_command(mode: &str) -> Command {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "host::runner::tests::windows::child_behaviour",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(MODE, mode);
    command
}

fn child(mode: &str, timeout: Duration, max: usize) -> Result<Output, RunError> {
    run(child_command(mode), timeout, max, Wait::Best)
}

#[test]
fn captures_both_streams_and_the_exit_code() {
    let out = child("streams", Duration::from_secs(30), 4096).unwrap();
    assert_eq!(out.code, Some(3));
    // The test harness prints its own lines on stdout first.
    assert!(out.stdout.ends_with(b"out"), "{:?}", out.stdout);
    assert_eq!(out.stderr, b"err");
}

#[test]
fn a_hung_child_is_killed_at_the_timeout_with_its_output_so_far() {
    let started = Instant::now();
    let err = child("hang", Duration::from_secs(3), 4096).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(15));
    match err {
        RunError::TimedOut { partial, .. } => {
            assert!(partial.stdout.ends_with(b"partial"), "{:?}", partial.stdout)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_grandchild_holding_the_pipe_after_the_child_exits_ends_the_drain_at_the_grace() {
    let started = Instant::now();
    let out = child("grandchild", Duration::from_secs(60), 4096).unwrap();
    assert_eq!(out.code, Some(0));
    // The grandchild's own first words may come within the grace, after "hi".
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("... hi"), "{text}");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(15), "{took:?}");
}

#[test]
fn exactly_the_limit_is_kept_and_one_byte_more_is_too_large() {
    let out = child("bytes", Duration::from_secs(30), 65536).unwrap();
    assert_eq!(out.stderr.len(), 65536);
    let err = child("bytes", Duration::from_secs(30), 65535).unwrap_err();
    assert!(
        matches!(err, RunError::TooLarge { limit: 65535, .. }),
        "{err:?}"
    );
}

#[test]
fn an_endless_printer_is_stopped_at_the_limit() {
    let started = Instant::now();
    let err = child("endless", Duration::from_secs(60), QUERY_OUTPUT_LIMIT).unwrap_err();
    assert!(matches!(err, RunError::TooLarge { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn a_missing_program_is_a_start_error() {
    let err = SystemRunner
        .run(
            Path::new(r"C:\nonexistent\query.exe"),
            &[],
            Duration::from_secs(1),
            TOOL_OUTPUT_LIMIT,
        )
        .unwrap_err();
    assert!(matches!(err, RunError::Start { .. }), "{err:?}");
}

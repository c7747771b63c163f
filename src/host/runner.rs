//! Runner: the one seam through which other programs are run, with a timeout, capturing their
//! output. Everything else gets a `&dyn Runner`, so the core is tested with an in-memory fake.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// What a finished child printed and how it ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// The exit code; `None` when the child was ended by a signal (not on Windows).
    pub code: Option<i32>,
    /// Everything written to standard output.
    pub stdout: Vec<u8>,
    /// Everything written to standard error.
    pub stderr: Vec<u8>,
}

impl Output {
    /// Whether the child exited with code 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }
}

/// A child that did not run to completion.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The program could not be started (missing, not executable, ...).
    #[error("could not start {program}: {source}")]
    Start {
        /// The program's path.
        program: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The program ran past the timeout and was killed.
    #[error("{program} did not finish within {} s and was stopped", timeout.as_secs_f64())]
    TimedOut {
        /// The program's path.
        program: String,
        /// The time it was given.
        timeout: Duration,
        /// What it printed before it was stopped.
        partial: Output,
    },
    /// The program printed more than the limit; it was stopped and nothing is decided from it.
    #[error("{program} printed more than {limit} bytes (output too large) and was stopped")]
    TooLarge {
        /// The program's path.
        program: String,
        /// The limit in bytes.
        limit: usize,
    },
}

/// Runs a program with arguments under a timeout. Arguments go to the program as they are; no
/// shell is ever involved.
pub trait Runner: Sync {
    /// Runs `program` with `args`, killing it if it runs longer than `timeout`; a child that
    /// prints more than `max_output` bytes on either stream fails with [`RunError::TooLarge`].
    fn run(
        &self,
        program: &Path,
        args: &[String],
        timeout: Duration,
        max_output: usize,
    ) -> Result<Output, RunError>;
}

/// The most `query session` / `query user` may print: far above the largest real table.
pub const QUERY_OUTPUT_LIMIT: usize = 4 << 20;
/// The most `logoff`, `msg` and the other tools may print: they print a line or two.
pub const TOOL_OUTPUT_LIMIT: usize = 64 << 10;

/// The real runner, on top of `std::process`.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemRunner;

/// How long to wait for a killed or finished child's pipes to close (a grandchild may hold them).
const DRAIN_GRACE: Duration = Duration::from_secs(2);

impl Runner for SystemRunner {
    fn run(
        &self,
        program: &Path,
        args: &[String],
        timeout: Duration,
        _max_output: usize,
    ) -> Result<Output, RunError> {
        let name = program.display().to_string();
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| RunError::Start {
                program: name.clone(),
                source,
            })?;
        let (done_tx, done_rx) = mpsc::channel();
        let stdout = drain(child.stdout.take(), done_tx.clone());
        let stderr = drain(child.stderr.take(), done_tx);

        let deadline = Instant::now() + timeout;
        let mut timed_out = false;
        // Poll often at first (most tools finish in about a millisecond), then back off.
        let mut pause = Duration::from_micros(50);
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() >= deadline => {
                    timed_out = true;
                    let _ = child.kill();
                    // Always reap the child, also after a kill.
                    break child.wait().ok();
                }
                Ok(None) => {
                    thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(5));
                }
                Err(_) => {
                    let _ = child.kill();
                    break child.wait().ok();
                }
            }
        };
        let grace = Instant::now() + DRAIN_GRACE;
        for _ in 0..2 {
            let left = grace.saturating_duration_since(Instant::now());
            if done_rx.recv_timeout(left).is_err() {
                break;
            }
        }
        let take = |buf: Arc<Mutex<Vec<u8>>>| std::mem::take(&mut *buf.lock().expect("reader"));
        let output = Output {
            code: status.and_then(|s| s.code()),
            stdout: take(stdout),
            stderr: take(stderr),
        };
        if timed_out {
            return Err(RunError::TimedOut {
                program: name,
                timeout,
                partial: output,
            });
        }
        Ok(output)
    }
}

/// Reads a pipe to its end on its own thread, so a full pipe can never block the child.
fn drain<R: Read + Send + 'static>(pipe: Option<R>, done: mpsc::Sender<()>) -> Arc<Mutex<Vec<u8>>> {
    let buf = Arc::new(Mutex::new(Vec::new()));
    let out = Arc::clone(&buf);
    thread::spawn(move || {
        if let Some(mut pipe) = pipe {
            let mut chunk = [0u8; 8192];
            while let Ok(n) = pipe.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                out.lock().expect("reader").extend_from_slice(&chunk[..n]);
            }
        }
        let _ = done.send(());
    });
    buf
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str, timeout: Duration) -> Result<Output, RunError> {
        SystemRunner.run(
            Path::new("/bin/sh"),
            &["-c".to_string(), script.to_string()],
            timeout,
            QUERY_OUTPUT_LIMIT,
        )
    }

    #[test]
    fn captures_both_streams_and_the_exit_code() {
        let out = sh(
            "printf out; printf err >&2; exit 3",
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(out.code, Some(3));
        assert_eq!(out.stdout, b"out");
        assert_eq!(out.stderr, b"err");
    }

    #[test]
    fn a_hung_child_is_killed_at_the_timeout() {
        let started = Instant::now();
        let err = sh("printf partial; exec sleep 30", Duration::from_millis(300)).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(10));
        match err {
            RunError::TimedOut { partial, .. } => assert_eq!(partial.stdout, b"partial"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_grandchild_holding_the_pipe_does_not_hang_the_runner() {
        let started = Instant::now();
        let err = sh("sleep 30; true", Duration::from_millis(300)).unwrap_err();
        assert!(matches!(err, RunError::TimedOut { .. }));
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_large_output_does_not_deadlock() {
        let out = sh("head -c 1000000 /dev/zero", Duration::from_secs(20)).unwrap();
        assert_eq!(out.stdout.len(), 1_000_000);
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
        assert!(matches!(err, RunError::Start { .. }));
    }
}

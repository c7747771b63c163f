//! Runner: the one seam through which other programs are run, with a timeout, capturing their
//! output. Everything else gets a `&dyn Runner`, so the core is tested with an in-memory fake.
//!
//! The real runner captures both streams and waits on the child from the calling thread: on
//! Windows exactly, with no helper thread; on Unix with the standard library alone, a reader
//! thread per pipe and `try_wait` at a growing interval. See `capture` for the rules and
//! `unix` / `windows` for how each system starts and waits.

mod capture;
#[cfg(test)]
mod tests;
#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod windows;

#[cfg(unix)]
use unix as platform;
#[cfg(windows)]
use windows as platform;

use crate::vocab::duration::Secs;
use std::path::Path;
#[cfg(all(test, windows))]
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use capture::Ending;

/// What a finished child printed and how it ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Output {
    /// The exit code; `None` when the child was ended by a signal (not on Windows).
    pub(crate) code: Option<i32>,
    /// Everything written to standard output.
    pub(crate) stdout: Vec<u8>,
    /// Everything written to standard error.
    pub(crate) stderr: Vec<u8>,
}

impl Output {
    /// Whether the child exited with code 0.
    pub(crate) fn success(&self) -> bool {
        self.code == Some(0)
    }
}

/// A child that did not run to completion.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RunError {
    /// The program could not be started (missing, not executable, ...).
    #[error("could not start {program}: {source}")]
    Start {
        /// The program's path.
        program: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The program ran past the timeout and was killed.
    #[error("{program} did not finish within {} s and was stopped", Secs(*timeout))]
    TimedOut {
        /// The program's path.
        program: String,
        /// The time it was given.
        timeout: Duration,
        /// What it printed before it was stopped.
        partial: Output,
    },
    /// A second Ctrl-C stopped the wait; the program was stopped.
    #[error("{program} was stopped by a second Ctrl-C")]
    Cut {
        /// The program's path.
        program: String,
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
pub(crate) trait Runner: Sync {
    /// Runs `program` with `args`, killing it if it runs longer than `timeout`; a child that
    /// prints more than `max_output` bytes on either stream fails with [`RunError::TooLarge`].
    fn run(
        &self,
        program: &Path,
        args: &[String],
        timeout: Duration,
        max_output: usize,
    ) -> Result<Output, RunError>;

    /// As [`Runner::run`], watched as `watch` says: told when the child has started, and
    /// stopped early when asked. A runner that cannot stop a child early runs it to its end.
    fn watched(
        &self,
        program: &Path,
        args: &[String],
        timeout: Duration,
        max_output: usize,
        watch: &Watch<'_>,
    ) -> Result<Output, RunError> {
        (watch.started)();
        self.run(program, args, timeout, max_output)
    }
}

/// How a run through [`Runner::watched`] is watched.
#[derive(Clone, Copy)]
pub(crate) struct Watch<'a> {
    /// Called once the child has started (or failed to start), before the wait: whoever starts
    /// calls in an order learns when each one is under way.
    pub(crate) started: &'a dyn Fn(),
    /// Stops the child, which then fails with [`RunError::Cut`], once it says so (asked before
    /// the start and often while it runs); `None`: never.
    pub(crate) cut: Option<&'a dyn Fn() -> bool>,
}

/// The most `query session` / `query user` may print: far above the largest real table.
pub(crate) const QUERY_OUTPUT_LIMIT: usize = 4 << 20;
/// The most `logoff`, `msg` and the other tools may print: they print a line or two.
pub(crate) const TOOL_OUTPUT_LIMIT: usize = 64 << 10;

/// The real runner: children started by `std::process`, waited on and read as `capture` says.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct SystemRunner;

/// How long to keep reading after the child has ended: what it wrote just before it ended is
/// still in the pipe, but a grandchild that inherited the pipe may hold it open for as long as
/// it likes, so the wait for the end of the pipe is cut short.
const DRAIN_GRACE: Duration = Duration::from_millis(300);

impl Runner for SystemRunner {
    fn run(
        &self,
        program: &Path,
        args: &[String],
        timeout: Duration,
        max_output: usize,
    ) -> Result<Output, RunError> {
        let started = Instant::now();
        let child = platform::Child::start(program, args, platform::Wait::Best);
        finish(program, child, started, timeout, max_output, None)
    }

    fn watched(
        &self,
        program: &Path,
        args: &[String],
        timeout: Duration,
        max_output: usize,
        watch: &Watch<'_>,
    ) -> Result<Output, RunError> {
        if watch.cut.is_some_and(|cut| cut()) {
            (watch.started)();
            return Err(RunError::Cut {
                program: program.display().to_string(),
            });
        }
        let started = Instant::now();
        let child = platform::Child::start(program, args, platform::Wait::Best);
        (watch.started)();
        finish(program, child, started, timeout, max_output, watch.cut)
    }
}

/// Runs `command` (no input) as the runner does, waiting on it as `wait` says.
#[cfg(all(test, windows))]
fn run(
    mut command: Command,
    timeout: Duration,
    max_output: usize,
    wait: platform::Wait,
) -> Result<Output, RunError> {
    let program = std::path::PathBuf::from(command.get_program());
    command.stdin(Stdio::null());
    let started = Instant::now();
    let child = platform::Child::spawn(command, wait);
    finish(&program, child, started, timeout, max_output, None)
}

/// Captures a started child to its end, or the timeout (counted from `started`), or the output
/// limit, or until `cut` says so.
fn finish(
    program: &Path,
    child: std::io::Result<platform::Child>,
    started: Instant,
    timeout: Duration,
    max_output: usize,
    cut: Option<&dyn Fn() -> bool>,
) -> Result<Output, RunError> {
    let name = || program.display().to_string();
    let mut child = child.map_err(|source| RunError::Start {
        program: name(),
        source,
    })?;
    // A timeout too large to add is no timeout.
    let deadline = started.checked_add(timeout);
    let captured =
        capture::drive(&mut child, deadline, max_output, DRAIN_GRACE, cut).map_err(|source| {
            RunError::Start {
                program: name(),
                source: std::io::Error::new(
                    source.kind(),
                    format!("it started, but waiting for it failed, so it was stopped: {source}"),
                ),
            }
        })?;
    match captured.ending {
        Ending::Exited => Ok(captured.output),
        Ending::TimedOut => Err(RunError::TimedOut {
            program: name(),
            timeout,
            partial: captured.output,
        }),
        Ending::TooLarge => Err(RunError::TooLarge {
            program: name(),
            limit: max_output,
        }),
        Ending::Cut => Err(RunError::Cut { program: name() }),
    }
}

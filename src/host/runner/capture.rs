//! The capture rules, apart from how a system waits: keep at most the limit of each stream,
//! end at the deadline, stop reading a short grace after the child has ended, always reap.

use std::io;
use std::time::{Duration, Instant};

use super::Output;

/// One of the child's two output streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// What to wait for: the streams still open, and the child's end until it has been seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Want {
    /// Standard output is still open.
    pub(crate) stdout: bool,
    /// Standard error is still open.
    pub(crate) stderr: bool,
    /// The child's end has not been seen yet.
    pub(crate) exit: bool,
}

/// One thing that happened while waiting.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Event<'a> {
    /// Bytes arrived on a stream (possibly none, which means nothing).
    Data(Stream, &'a [u8]),
    /// Every writer has closed the stream.
    Closed(Stream),
    /// The child has ended (on Unix it is already reaped; `reap` gives its code at once).
    Exited,
    /// The time given passed first.
    Timeout,
}

/// A started child as a system watches it.
pub(super) trait Watch {
    /// Blocks until one thing in `want` happens, or until `until` passes (`None`: no limit).
    fn next(&mut self, want: Want, until: Option<Instant>) -> io::Result<Event<'_>>;
    /// Kills the child if it is still running.
    fn kill(&mut self);
    /// Waits for the child to end, reaps it and returns its exit code (`None`: ended by a
    /// signal). Returns at once after [`Event::Exited`] or a kill.
    fn reap(&mut self) -> io::Result<Option<i32>>;
}

/// How the capture ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ending {
    /// The child ended by itself.
    Exited,
    /// The deadline passed; the child was killed; the output is what came before.
    TimedOut,
    /// A stream went past the limit; the child was killed; the output is incomplete.
    TooLarge,
    /// The caller asked to stop waiting (a second Ctrl-C); the child was killed.
    Cut,
}

/// How often a child that may be cut short is looked at between its events.
const CUT_POLL: Duration = Duration::from_millis(50);

/// What [`drive`] collected.
#[derive(Debug)]
pub(super) struct Captured {
    /// How it ended.
    pub(crate) ending: Ending,
    /// What was read, exit code included (`None` also when the child was killed).
    pub(crate) output: Output,
}

/// Collects the child's output until it has ended and both streams are closed, or `grace` has
/// passed since it ended (a grandchild may keep a stream open: its output is not the child's).
/// Past `deadline` the child is killed; past `max_output` bytes on either stream it is killed
/// and the capture ends at once. While it runs, `cut` (when given) is asked every
/// [`CUT_POLL`]: once it says so, the child is killed and the capture ends. The child is always
/// reaped before this returns, errors included.
pub(super) fn drive(
    child: &mut dyn Watch,
    deadline: Option<Instant>,
    max_output: usize,
    grace: Duration,
    cut: Option<&dyn Fn() -> bool>,
) -> io::Result<Captured> {
    let mut output = Output::default();
    let mut want = Want {
        stdout: true,
        stderr: true,
        exit: true,
    };
    let mut ending = Ending::Exited;
    // Until the child has ended: the deadline; then the end of the grace.
    let mut until = deadline;
    while want.stdout || want.stderr || want.exit {
        // Checked here, not only when the system reports a timeout, so that a child that
        // keeps writing cannot push the deadline back.
        let now = Instant::now();
        if want.exit && cut.is_some_and(|cut| cut()) {
            child.kill();
            output.code = child.reap()?;
            return Ok(Captured {
                ending: Ending::Cut,
                output,
            });
        }
        // A child that may be cut short is woken now and then to ask.
        let wake = match (cut, until) {
            (Some(_), Some(t)) if want.exit => Some(t.min(now + CUT_POLL)),
            (Some(_), None) if want.exit => Some(now + CUT_POLL),
            _ => until,
        };
        let event = if until.is_some_and(|t| now >= t) {
            Event::Timeout
        } else {
            match child.next(want, wake) {
                Ok(event) => event,
                Err(e) => {
                    child.kill();
                    let _ = child.reap();
                    return Err(e);
                }
            }
        };
        match event {
            Event::Data(stream, bytes) => {
                let kept = match stream {
                    Stream::Stdout => &mut output.stdout,
                    Stream::Stderr => &mut output.stderr,
                };
                if bytes.len() > max_output.saturating_sub(kept.len()) {
                    child.kill();
                    if want.exit {
                        output.code = child.reap()?;
                    }
                    return Ok(Captured {
                        ending: Ending::TooLarge,
                        output,
                    });
                }
                kept.extend_from_slice(bytes);
            }
            Event::Closed(Stream::Stdout) => want.stdout = false,
            Event::Closed(Stream::Stderr) => want.stderr = false,
            Event::Exited => {
                output.code = child.reap()?;
                want.exit = false;
                until = Some(Instant::now() + grace);
            }
            // Woken to ask `cut`, before the deadline.
            Event::Timeout if want.exit && until.is_none_or(|t| Instant::now() < t) => {}
            // The child has ended and the grace is over: what is still open is a grandchild's.
            Event::Timeout if !want.exit => break,
            Event::Timeout => {
                ending = Ending::TimedOut;
                child.kill();
                output.code = child.reap()?;
                want.exit = false;
                until = Some(Instant::now() + grace);
            }
        }
    }
    Ok(Captured { ending, output })
}

#[cfg(test)]
mod tests;

//! Waiting on a Unix child with the standard library alone: a thread per output pipe reads
//! it to its end and hands each chunk to the calling thread over a channel; the calling
//! thread learns of the child's end with `Child::try_wait`, asked again and again with a
//! growing interval while it waits on the channel.
//!
//! Why this way: with no system call of its own, nothing here escapes the compiler's checks.
//! The standard library has no way to wait for both pipes at once (hence the threads), nor
//! one to wait for a child's end that could be cut short to kill it at the deadline
//! (`Child::wait` holds the child until it ends, and nothing else can signal it meanwhile),
//! hence `try_wait`. A `try_wait` that finds the end reaps the child, and `Child::kill`
//! never signals a reaped child, so a kill can never reach a reused process ID. The product
//! runs on Windows (`windows.rs`); on Unix the runner serves the tests and trials on a host.

use std::io::{self, Read};
use std::path::Path;
use std::process::{self, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::time::{Duration, Instant};

use super::capture::{Event, Stream, Want, Watch};

/// How to learn that the child has ended: on Unix, always `try_wait` (the Windows runner
/// takes the same argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Wait {
    /// Ask with `try_wait`, at a growing interval.
    Best,
}

/// How much is read from a pipe at a time.
const CHUNK: usize = 8 << 10;

/// Chunks a reader may send ahead of the calling thread: with the chunk, what bounds the
/// memory a child's output takes beyond what the capture keeps.
const AHEAD: usize = 4;

/// The first interval between two asks whether the child has ended: doubled after each ask,
/// up to [`LONGEST_ASK`], and back to this each time a stream closes (a child usually
/// closes its streams by ending).
const FIRST_ASK: Duration = Duration::from_millis(1);

/// The longest interval between two asks: how late at most the end of a long child that
/// keeps its streams open is seen, and about 20 wake-ups a second while it runs.
const LONGEST_ASK: Duration = Duration::from_millis(50);

/// A reader thread's stack: it only reads into a buffer on the heap and sends it.
const READER_STACK: usize = 64 << 10;

/// What a reader thread tells the calling thread.
enum Got {
    /// Bytes read from the stream.
    Data(Stream, Vec<u8>),
    /// The end of the stream.
    Closed(Stream),
    /// A read failed; the reader has stopped.
    Failed(io::Error),
}

/// A started child and the channel its two readers send to.
pub(super) struct Child {
    child: process::Child,
    reads: Receiver<Got>,
    /// The last chunk handed out.
    chunk: Vec<u8>,
    /// The exit code once `try_wait` has seen the end (and reaped the child).
    code: Option<Option<i32>>,
    /// When to ask again whether the child has ended, and the interval after that.
    next_ask: Instant,
    interval: Duration,
}

impl Child {
    /// Starts `program` with `args`, standard input from /dev/null and both output streams
    /// piped to this process.
    pub(super) fn start(program: &Path, args: &[String], wait: Wait) -> io::Result<Child> {
        use std::os::unix::process::CommandExt;
        let mut command = Command::new(program);
        // A process group of its own: the Ctrl-C a terminal sends to its foreground group
        // reaches logoff-all, which decides what stops; a `logoff` already started is not cut
        // off by it.
        command.args(args).stdin(Stdio::null()).process_group(0);
        Child::spawn(command, wait)
    }

    /// Starts `command` with both output streams piped to this process and a reader thread
    /// on each; kills and reaps the child if a thread cannot be started.
    pub(super) fn spawn(mut command: Command, _wait: Wait) -> io::Result<Child> {
        // Pipes the standard library makes close on exec, so no other child started
        // meanwhile (by another server's worker) holds their write ends open.
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command.spawn()?;
        let (sender, reads) = mpsc::sync_channel(AHEAD);
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let started = match (stdout, stderr) {
            (Some(stdout), Some(stderr)) => reader(Stream::Stdout, stdout, sender.clone())
                .and_then(|()| reader(Stream::Stderr, stderr, sender)),
            _ => Err(io::Error::other("the child's pipes are missing")),
        };
        if let Err(e) = started {
            let _ = child.kill();
            let _ = child.wait();
            return Err(e);
        }
        Ok(Child {
            child,
            reads,
            chunk: Vec::new(),
            code: None,
            next_ask: Instant::now() + FIRST_ASK,
            interval: FIRST_ASK,
        })
    }

    /// The child's process ID.
    #[cfg(test)]
    pub(super) fn id(&self) -> u32 {
        self.child.id()
    }

    /// Asks whether the child has ended (reaping it if so); the exit code, `None` after a
    /// signal.
    fn ended(&mut self) -> io::Result<Option<Option<i32>>> {
        if self.code.is_none() {
            self.code = self.child.try_wait()?.map(|status| status.code());
        }
        Ok(self.code)
    }
}

/// Starts a thread that reads `pipe` and sends what it reads, until the pipe's end or a
/// failed read, or until its first send after the `Child` has been dropped (the output was
/// too large, or a grandchild kept the pipe open past the grace and then wrote to it). It is
/// never joined: a silent grandchild may keep the pipe open, and the thread waiting on it, for
/// as long as it likes.
fn reader(
    stream: Stream,
    mut pipe: impl Read + Send + 'static,
    to: SyncSender<Got>,
) -> io::Result<()> {
    std::thread::Builder::new()
        .name("child-reader".into())
        .stack_size(READER_STACK)
        .spawn(move || {
            let mut buf = vec![0; CHUNK];
            loop {
                let read = match pipe.read(&mut buf) {
                    Ok(0) => Got::Closed(stream),
                    Ok(n) => Got::Data(stream, buf[..n].to_vec()),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => Got::Failed(e),
                };
                let last = !matches!(read, Got::Data(..));
                if to.send(read).is_err() || last {
                    break;
                }
            }
        })?;
    Ok(())
}

impl Watch for Child {
    fn next(&mut self, want: Want, until: Option<Instant>) -> io::Result<Event<'_>> {
        loop {
            let now = Instant::now();
            if want.exit && now >= self.next_ask {
                if self.ended()?.is_some() {
                    return Ok(Event::Exited);
                }
                self.interval = (self.interval * 2).min(LONGEST_ASK);
                self.next_ask = now + self.interval;
            }
            // Wake at the deadline, or at the next ask while the end is wanted.
            let wake = match until {
                Some(t) if want.exit => Some(t.min(self.next_ask)),
                Some(t) => Some(t),
                None if want.exit => Some(self.next_ask),
                None => None,
            };
            if want.stdout || want.stderr {
                let read = match wake {
                    Some(t) => match self.reads.recv_timeout(t.saturating_duration_since(now)) {
                        Ok(read) => Some(read),
                        Err(RecvTimeoutError::Timeout) => None,
                        Err(RecvTimeoutError::Disconnected) => return Err(readers_gone()),
                    },
                    None => Some(self.reads.recv().map_err(|_| readers_gone())?),
                };
                match read {
                    Some(Got::Data(stream, bytes)) => {
                        self.chunk = bytes;
                        return Ok(Event::Data(stream, &self.chunk));
                    }
                    Some(Got::Closed(stream)) => {
                        self.interval = FIRST_ASK;
                        self.next_ask = Instant::now();
                        return Ok(Event::Closed(stream));
                    }
                    Some(Got::Failed(e)) => return Err(e),
                    None => {}
                }
            } else if let Some(t) = wake {
                std::thread::sleep(t.saturating_duration_since(now));
            } else {
                return Err(io::Error::other("nothing to wait for"));
            }
            if until.is_some_and(|t| Instant::now() >= t) {
                return Ok(Event::Timeout);
            }
        }
    }

    fn kill(&mut self) {
        // The standard library never signals a child it has reaped.
        let _ = self.child.kill();
    }

    fn reap(&mut self) -> io::Result<Option<i32>> {
        if let Some(code) = self.code {
            return Ok(code);
        }
        let code = self.child.wait()?.code();
        self.code = Some(code);
        Ok(code)
    }
}

/// Both readers stopped without saying why: never expected.
fn readers_gone() -> io::Error {
    io::Error::other("the threads reading the child's output have stopped")
}

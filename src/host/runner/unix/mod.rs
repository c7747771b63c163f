//! Waiting on a Unix child: one poll(2) from the calling thread on its two pipes and on its
//! end, which is a pidfd on Linux, or else a pipe that a waiter thread closes.
//!
//! Why this way: a pidfd turns "the child has ended" into a descriptor, so one poll waits for
//! output, the end and the deadline together, with no thread and no signal handler (a SIGCHLD
//! handler, as the `wait-timeout` crate installs, is process-wide and would be shared by every
//! server's worker). Where pidfd_open is missing (Linux before 5.3, other Unixes, a seccomp
//! filter), one thread per child blocks in waitid(WNOWAIT), which leaves the child unreaped
//! until this side has seen the end, so a kill can never reach a reused process ID.

use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;
use std::thread::JoinHandle;
use std::time::Instant;

use super::capture::{Event, Stream, Want, Watch};
use process::{cloexec_pipe, Process, Started, Writers};

mod process;

/// How to learn that the child has ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Wait {
    /// A pidfd where the kernel has one, else a waiter thread.
    Best,
    /// Always a waiter thread (so tests prove that path too).
    #[cfg_attr(not(test), allow(dead_code))]
    Thread,
}

/// How much is read from a pipe at a time: tools print a line or two, and a buffer is made
/// (and zeroed) for every child.
const CHUNK: usize = 8 << 10;

/// A started child, its two pipes and the descriptor that tells its end.
pub(super) struct Child {
    process: Process,
    stdout: File,
    stderr: File,
    /// This side's copies of the pipes' write ends, kept until the child has ended: the pipes
    /// then never hang up while the child exits, so poll wakes for its output and its end,
    /// and not also, a moment earlier, for its pipes closing (one sleep per child, not three).
    writers: Option<Writers>,
    end: End,
    /// What the last poll found ready and has not been served yet: stdout, stderr, end.
    ready: [bool; 3],
    buf: Box<[u8]>,
}

/// The descriptor that becomes readable (or hung up) when the child has ended.
enum End {
    /// Linux: readable once the child has ended.
    Pidfd(OwnedFd),
    /// The read end of a pipe whose write end the waiter thread closes when the child has
    /// ended, leaving it unreaped.
    Waiter {
        signal: OwnedFd,
        thread: Option<JoinHandle<()>>,
    },
}

impl End {
    fn fd(&self) -> RawFd {
        match self {
            End::Pidfd(fd) => fd.as_raw_fd(),
            End::Waiter { signal, .. } => signal.as_raw_fd(),
        }
    }
}

impl Child {
    /// Starts `program` with `args`, standard input from /dev/null and both output streams
    /// piped to this process (see [`process::start`]).
    pub(super) fn start(program: &Path, args: &[String], wait: Wait) -> io::Result<Child> {
        Child::watch(process::start(program, args)?, wait)
    }

    /// Starts `command` with both output streams piped to this process, through the standard
    /// library (tests compare it with `start`).
    #[cfg(test)]
    pub(super) fn spawn(command: std::process::Command, wait: Wait) -> io::Result<Child> {
        Child::watch(process::spawn(command)?, wait)
    }

    /// Sets up the way to learn of the child's end; kills and reaps it if that fails.
    fn watch(started: Started, wait: Wait) -> io::Result<Child> {
        let (mut process, stdout, stderr, writers) = started;
        let pid = process.id();
        let pidfd = match wait {
            Wait::Best => pidfd(pid),
            Wait::Thread => None,
        };
        let end = match pidfd {
            Some(fd) => Ok(End::Pidfd(fd)),
            None => waiter(pid),
        };
        match end {
            Ok(end) => Ok(Child {
                process,
                stdout: File::from(stdout),
                stderr: File::from(stderr),
                writers: Some(writers),
                end,
                ready: [false; 3],
                buf: vec![0; CHUNK].into_boxed_slice(),
            }),
            Err(e) => {
                process.kill();
                let _ = process.wait();
                Err(e)
            }
        }
    }

    /// The child's process ID.
    #[cfg(test)]
    pub(super) fn id(&self) -> libc::pid_t {
        self.process.id()
    }

    /// Reads once from a stream that poll found ready, into `buf`.
    fn read(&mut self, stream: Stream) -> io::Result<Got> {
        let result = match stream {
            Stream::Stdout => self.stdout.read(&mut self.buf),
            Stream::Stderr => self.stderr.read(&mut self.buf),
        };
        match result {
            Ok(0) => Ok(Got::End),
            Ok(n) => Ok(Got::Bytes(n)),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                ) =>
            {
                Ok(Got::Nothing)
            }
            Err(e) => Err(e),
        }
    }
}

/// What one read from a pipe gave.
enum Got {
    /// This many bytes, at the start of the buffer.
    Bytes(usize),
    /// The end of the pipe.
    End,
    /// Nothing after all.
    Nothing,
}

impl Watch for Child {
    fn next(&mut self, want: Want, until: Option<Instant>) -> io::Result<Event<'_>> {
        loop {
            // Serve what the last poll found, output before the end.
            for (i, stream, wanted) in [
                (0, Stream::Stdout, want.stdout),
                (1, Stream::Stderr, want.stderr),
            ] {
                if std::mem::take(&mut self.ready[i]) && wanted {
                    match self.read(stream)? {
                        Got::Bytes(n) => return Ok(Event::Data(stream, &self.buf[..n])),
                        Got::End => return Ok(Event::Closed(stream)),
                        Got::Nothing => {}
                    }
                }
            }
            if std::mem::take(&mut self.ready[2]) && want.exit {
                return Ok(Event::Exited);
            }
            let fds = [
                (want.stdout, self.stdout.as_raw_fd()),
                (want.stderr, self.stderr.as_raw_fd()),
                (want.exit, self.end.fd()),
            ];
            let mut polled = [libc::pollfd {
                fd: -1,
                events: libc::POLLIN,
                revents: 0,
            }; 3];
            for (slot, (wanted, fd)) in polled.iter_mut().zip(fds) {
                // poll ignores a negative descriptor.
                slot.fd = if wanted { fd } else { -1 };
            }
            let timeout = match until {
                None => -1,
                Some(t) => {
                    let left = t.saturating_duration_since(Instant::now());
                    // Rounded up, so that a wake-up is never before the time.
                    libc::c_int::try_from(left.as_micros().div_ceil(1000))
                        .unwrap_or(libc::c_int::MAX)
                }
            };
            // SAFETY: `polled` is an array of 3 initialised pollfd that poll may write to.
            let n = unsafe { libc::poll(polled.as_mut_ptr(), 3, timeout) };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            if n == 0 {
                if until.is_some_and(|t| Instant::now() >= t) {
                    return Ok(Event::Timeout);
                }
                continue;
            }
            for (ready, slot) in self.ready.iter_mut().zip(&polled) {
                if slot.revents & libc::POLLNVAL != 0 {
                    return Err(io::Error::other("poll: a descriptor is not open"));
                }
                // POLLHUP and POLLERR come without POLLIN at the end of a pipe: a read says so.
                *ready = slot.revents != 0;
            }
        }
    }

    fn kill(&mut self) {
        // Safe against a reused ID: the child is reaped only by `reap`, after which it is
        // no longer signalled.
        self.process.kill();
    }

    fn reap(&mut self) -> io::Result<Option<i32>> {
        if let End::Waiter { signal, thread } = &mut self.end {
            // Wait for the waiter to see the end before reaping, so the ID it watches stays
            // this child's until it is done with it.
            let mut byte = [0u8; 1];
            loop {
                // SAFETY: reads at most 1 byte into `byte`; the descriptor is open.
                let r = unsafe { libc::read(signal.as_raw_fd(), byte.as_mut_ptr().cast(), 1) };
                if r >= 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                    break;
                }
            }
            if let Some(thread) = thread.take() {
                let _ = thread.join();
            }
        }
        let code = self.process.wait()?;
        // Now the pipes end when the child's last writer (a grandchild, maybe) closes them;
        // try them at once, without a poll, as they have usually ended already.
        self.writers = None;
        self.ready[0] = true;
        self.ready[1] = true;
        Ok(code)
    }
}

/// A pidfd for the child, or `None` where the system has none.
#[cfg(target_os = "linux")]
fn pidfd(pid: libc::pid_t) -> Option<OwnedFd> {
    // SAFETY: pidfd_open takes a process ID and flags and returns a new descriptor (close on
    // exec) or -1. The child is not reaped yet, so the ID is still this child's.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    let fd = RawFd::try_from(fd).ok().filter(|fd| *fd >= 0)?;
    // SAFETY: `fd` is a new descriptor that nothing else owns.
    Some(unsafe { OwnedFd::from_raw_fd(fd) })
}

#[cfg(not(target_os = "linux"))]
fn pidfd(_pid: libc::pid_t) -> Option<OwnedFd> {
    None
}

/// Starts a thread that waits for the child to end without reaping it, then closes the write
/// end of a pipe; returns the read end.
fn waiter(pid: libc::pid_t) -> io::Result<End> {
    let pid = libc::id_t::try_from(pid).map_err(|_| io::Error::other("no process ID"))?;
    let (signal, done) = cloexec_pipe()?;
    let thread = std::thread::Builder::new()
        .name("child-waiter".into())
        .stack_size(64 << 10)
        .spawn(move || {
            loop {
                // SAFETY: siginfo_t is plain data; waitid only writes into it.
                let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
                // SAFETY: waits for this process's own unreaped child, leaving it unreaped.
                let r = unsafe {
                    libc::waitid(libc::P_PID, pid, &mut info, libc::WEXITED | libc::WNOWAIT)
                };
                if r == 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                    break;
                }
            }
            drop(done);
        })?;
    Ok(End::Waiter {
        signal,
        thread: Some(thread),
    })
}

//! The Unix child process and its pipes: how it is started (by the standard library),
//! signalled and reaped.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;
use std::process::{self, Command, Stdio};

/// The child process.
pub(super) struct Process(process::Child);

/// The command, which holds this side's copies of the pipes' write ends.
pub(super) struct Writers(#[allow(dead_code)] Command);

impl Process {
    pub(super) fn id(&self) -> libc::pid_t {
        libc::pid_t::try_from(self.0.id()).unwrap_or(-1)
    }

    pub(super) fn kill(&mut self) {
        // The standard library never signals a child it has reaped.
        let _ = self.0.kill();
    }

    /// Waits for the end and reaps; the exit code, `None` after a signal.
    pub(super) fn wait(&mut self) -> io::Result<Option<i32>> {
        Ok(self.0.wait()?.code())
    }
}

/// A started child: the process, the read ends of its stdout and stderr pipes, and what holds
/// the write ends on this side.
pub(super) type Started = (Process, OwnedFd, OwnedFd, Writers);

/// Starts `program` with `args`, standard input from /dev/null and both output streams
/// piped to this process, through the standard library.
pub(super) fn start(program: &Path, args: &[String]) -> io::Result<Started> {
    let mut command = Command::new(program);
    command.args(args).stdin(Stdio::null());
    spawn(command)
}

/// Starts `command` with both output streams piped to this process.
pub(super) fn spawn(mut command: Command) -> io::Result<Started> {
    let pipes = Pipes::new()?;
    command
        .stdout(Stdio::from(pipes.stdout_writer))
        .stderr(Stdio::from(pipes.stderr_writer));
    let child = command.spawn()?;
    Ok((Process(child), pipes.stdout, pipes.stderr, Writers(command)))
}

/// The child's two output pipes: the read ends, which never block, and the write ends.
struct Pipes {
    stdout: OwnedFd,
    stdout_writer: OwnedFd,
    stderr: OwnedFd,
    stderr_writer: OwnedFd,
}

impl Pipes {
    fn new() -> io::Result<Pipes> {
        let (stdout, stdout_writer) = cloexec_pipe()?;
        let (stderr, stderr_writer) = cloexec_pipe()?;
        set_nonblocking(stdout.as_raw_fd())?;
        set_nonblocking(stderr.as_raw_fd())?;
        Ok(Pipes {
            stdout,
            stdout_writer,
            stderr,
            stderr_writer,
        })
    }
}

/// A pipe whose ends are closed on exec, so that no other child started meanwhile (by another
/// server's worker) holds the write end open.
pub(super) fn cloexec_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [-1; 2];
    // SAFETY: pipe2 writes two new descriptors into `fds`, atomically close-on-exec.
    #[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
    let r = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    // SAFETY: pipe writes two new descriptors into `fds`. Where there is no pipe2 the flag is
    // set just after; the standard library does the same there.
    #[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
    let r = unsafe { libc::pipe(fds.as_mut_ptr()) };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both descriptors are new and owned by nothing else.
    let ends = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    #[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
    for fd in [&ends.0, &ends.1] {
        // SAFETY: sets a flag on an open descriptor.
        if unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC) } != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(ends)
}

/// Makes reads of a new pipe's read end return at once when it is empty (a read only follows
/// a poll that found it ready, but that must never be what keeps the deadline).
fn set_nonblocking(fd: RawFd) -> io::Result<()> {
    // SAFETY: sets the status flags of an open descriptor; a new read end has no other flag.
    if unsafe { libc::fcntl(fd, libc::F_SETFL, libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

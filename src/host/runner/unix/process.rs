//! The Unix child process and its pipes: how it is started (vfork on Linux, else the standard
//! library), signalled and reaped.

// Any Unix could run a child started by vfork (`Process::Pid`, `Writers::Pipes`); only Linux
// with glibc on x86-64 and AArch64 starts one.
#![cfg_attr(
    not(all(
        target_os = "linux",
        target_env = "gnu",
        any(target_arch = "x86_64", target_arch = "aarch64")
    )),
    allow(dead_code)
)]

use std::io;
#[cfg(all(
    target_os = "linux",
    target_env = "gnu",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
use std::os::fd::AsFd;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;
use std::process::{self, Command, Stdio};

/// The child process, as it was started.
pub(super) enum Process {
    /// Started by the standard library.
    Std(process::Child),
    /// Started by [`vfork`](super::vfork); `status` is set once it has been reaped.
    Pid {
        pid: libc::pid_t,
        status: Option<Option<i32>>,
    },
}

/// What holds the pipes' write ends on this side.
pub(super) enum Writers {
    /// The command given the ends.
    Command(#[allow(dead_code)] Command),
    /// The ends themselves.
    Pipes(#[allow(dead_code)] [OwnedFd; 2]),
}

impl Process {
    pub(super) fn id(&self) -> libc::pid_t {
        match self {
            Process::Std(child) => libc::pid_t::try_from(child.id()).unwrap_or(-1),
            Process::Pid { pid, .. } => *pid,
        }
    }

    pub(super) fn kill(&mut self) {
        match self {
            Process::Std(child) => {
                let _ = child.kill();
            }
            // Never after the reap, so the signal cannot reach a reused process ID.
            Process::Pid { pid, status: None } => {
                // SAFETY: signals this process's own child, which is not reaped yet.
                unsafe { libc::kill(*pid, libc::SIGKILL) };
            }
            Process::Pid { .. } => {}
        }
    }

    /// Waits for the end and reaps; the exit code, `None` after a signal.
    pub(super) fn wait(&mut self) -> io::Result<Option<i32>> {
        match self {
            Process::Std(child) => Ok(child.wait()?.code()),
            Process::Pid { pid, status } => {
                if let Some(code) = status {
                    return Ok(*code);
                }
                let mut raw = 0;
                // SAFETY: waits for this process's own child and writes its status into `raw`.
                while unsafe { libc::waitpid(*pid, &mut raw, 0) } < 0 {
                    let e = io::Error::last_os_error();
                    if e.kind() != io::ErrorKind::Interrupted {
                        return Err(e);
                    }
                }
                let code = libc::WIFEXITED(raw).then(|| libc::WEXITSTATUS(raw));
                *status = Some(code);
                Ok(code)
            }
        }
    }
}

/// A started child: the process, the read ends of its stdout and stderr pipes, and what holds
/// the write ends on this side.
pub(super) type Started = (Process, OwnedFd, OwnedFd, Writers);

/// Starts `program` with `args`, standard input from /dev/null and both output streams
/// piped to this process: on Linux with glibc (x86-64, AArch64) through [`vfork`](super::vfork),
/// elsewhere, and for a program named without a folder (found on PATH), through the
/// standard library.
pub(super) fn start(program: &Path, args: &[String]) -> io::Result<Started> {
    #[cfg(all(
        target_os = "linux",
        target_env = "gnu",
        any(target_arch = "x86_64", target_arch = "aarch64")
    ))]
    if program.as_os_str().as_encoded_bytes().contains(&b'/') {
        let pipes = Pipes::new()?;
        let pid = super::vfork::spawn(
            program,
            args,
            pipes.stdout_writer.as_fd(),
            pipes.stderr_writer.as_fd(),
        )?;
        let writers = Writers::Pipes([pipes.stdout_writer, pipes.stderr_writer]);
        let process = Process::Pid { pid, status: None };
        return Ok((process, pipes.stdout, pipes.stderr, writers));
    }
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
    let writers = Writers::Command(command);
    Ok((Process::Std(child), pipes.stdout, pipes.stderr, writers))
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

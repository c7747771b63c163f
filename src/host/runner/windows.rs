//! Waiting on a Windows child: overlapped reads on its two pipes and its process handle, all
//! in one WaitForMultipleObjects from the calling thread, so no helper thread at all.
//!
//! Anonymous pipes (CreatePipe) cannot be read overlapped, so each stream is a named pipe made
//! here: this side is opened overlapped, the child's side is an ordinary synchronous handle.
//! The pipe admits one instance, local clients only, with the default security (only SYSTEM,
//! Administrators and the creator may write to it).

use std::io;
use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle};
use std::path::Path;
use std::process::{self, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use windows_sys::Win32::Foundation::{
    ERROR_ACCESS_DENIED, ERROR_BROKEN_PIPE, ERROR_HANDLE_EOF, ERROR_INVALID_PARAMETER,
    ERROR_IO_PENDING, GENERIC_WRITE, HANDLE, INVALID_HANDLE_VALUE, WAIT_FAILED, WAIT_OBJECT_0,
    WAIT_TIMEOUT,
};
use windows_sys::Win32::Storage::FileSystem::{
    CreateFileW, ReadFile, FILE_FLAG_FIRST_PIPE_INSTANCE, FILE_FLAG_OVERLAPPED,
    FILE_READ_ATTRIBUTES, OPEN_EXISTING, PIPE_ACCESS_INBOUND,
};
use windows_sys::Win32::System::Pipes::{
    CreateNamedPipeW, PIPE_READMODE_BYTE, PIPE_REJECT_REMOTE_CLIENTS, PIPE_TYPE_BYTE, PIPE_WAIT,
};
use windows_sys::Win32::System::Threading::{
    CreateEventW, WaitForMultipleObjects, CREATE_NEW_PROCESS_GROUP, INFINITE,
};
use windows_sys::Win32::System::IO::{CancelIoEx, GetOverlappedResult, OVERLAPPED};

use super::capture::{Event, Stream, Want, Watch};

/// How to learn that the child has ended: always its process handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Wait {
    /// Wait on the process handle.
    Best,
}

/// How much is read from a pipe at a time, and the pipe's buffer.
const CHUNK: u32 = 32 << 10;

/// A started child and this side of its two pipes.
pub(super) struct Child {
    child: process::Child,
    pipes: [Pipe; 2],
}

/// This side of one output pipe, with at most one overlapped read in flight.
struct Pipe {
    handle: OwnedHandle,
    /// Signalled when the read in flight completes (manual reset; ReadFile resets it).
    event: OwnedHandle,
    /// Boxed, as is `buf`: the system writes to both while a read is in flight.
    overlapped: Box<OVERLAPPED>,
    buf: Box<[u8]>,
    reading: bool,
}

impl Child {
    /// Starts `program` with `args`, standard input from the null device and both output
    /// streams going to pipes read here.
    pub(super) fn start(program: &Path, args: &[String], wait: Wait) -> io::Result<Child> {
        use std::os::windows::process::CommandExt;
        let mut command = Command::new(program);
        // A process group of its own: the Ctrl-C the admin presses reaches logoff-all, which
        // decides what stops; a `logoff` already started is not cut off by it.
        command
            .args(args)
            .stdin(Stdio::null())
            .creation_flags(CREATE_NEW_PROCESS_GROUP);
        Child::spawn(command, wait)
    }

    /// Starts `command` with both output streams going to pipes read here.
    pub(super) fn spawn(mut command: Command, _wait: Wait) -> io::Result<Child> {
        let (stdout, their_stdout) = pipe()?;
        let (stderr, their_stderr) = pipe()?;
        command
            .stdout(Stdio::from(their_stdout))
            .stderr(Stdio::from(their_stderr));
        let child = command.spawn()?;
        // The child's ends must be closed on this side, or the pipes never end.
        drop(command);
        Ok(Child {
            child,
            pipes: [stdout, stderr],
        })
    }
}

impl Watch for Child {
    fn next(&mut self, want: Want, until: Option<Instant>) -> io::Result<Event<'_>> {
        let streams = [(Stream::Stdout, want.stdout), (Stream::Stderr, want.stderr)];
        for (pipe, (stream, wanted)) in self.pipes.iter_mut().zip(streams) {
            if wanted && !pipe.reading && !pipe.start()? {
                return Ok(Event::Closed(stream));
            }
        }
        loop {
            // What to wait on, in order of priority: output before the end.
            let mut handles: [HANDLE; 3] = [std::ptr::null_mut(); 3];
            let mut slots = [None; 3];
            let mut count = 0;
            for (i, (stream, wanted)) in streams.into_iter().enumerate() {
                if wanted {
                    handles[count] = self.pipes[i].event.as_raw_handle();
                    slots[count] = Some((i, stream));
                    count += 1;
                }
            }
            if want.exit {
                handles[count] = self.child.as_raw_handle();
                count += 1;
            }
            let ms = match until {
                None => INFINITE,
                Some(t) => {
                    let left = t.saturating_duration_since(Instant::now());
                    // Rounded up, so that a wake-up is never before the time.
                    u32::try_from(left.as_micros().div_ceil(1000))
                        .unwrap_or(INFINITE - 1)
                        .min(INFINITE - 1)
                }
            };
            // SAFETY: the first `count` handles are open (events, the process) and stay so.
            let r = unsafe { WaitForMultipleObjects(count as u32, handles.as_ptr(), 0, ms) };
            if r == WAIT_TIMEOUT {
                if until.is_some_and(|t| Instant::now() >= t) {
                    return Ok(Event::Timeout);
                }
                continue;
            }
            if r == WAIT_FAILED || r >= WAIT_OBJECT_0 + count as u32 {
                return Err(io::Error::last_os_error());
            }
            let index = (r - WAIT_OBJECT_0) as usize;
            let Some((i, stream)) = slots[index] else {
                return Ok(Event::Exited);
            };
            return Ok(match self.pipes[i].finish()? {
                Some(n) => Event::Data(stream, &self.pipes[i].buf[..n]),
                None => Event::Closed(stream),
            });
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
    }

    fn reap(&mut self) -> io::Result<Option<i32>> {
        Ok(self.child.wait()?.code())
    }
}

impl Pipe {
    /// Starts a read; `false` when the pipe has ended.
    fn start(&mut self) -> io::Result<bool> {
        let handle = self.handle.as_raw_handle();
        // SAFETY: `buf` and `overlapped` are boxed and owned by this pipe, which waits for the
        // read to complete or be cancelled before it frees them (see Drop).
        let ok = unsafe {
            ReadFile(
                handle,
                self.buf.as_mut_ptr(),
                self.buf.len() as u32,
                std::ptr::null_mut(),
                &mut *self.overlapped,
            )
        };
        // Done at once or pending, the event is signalled when the read completes.
        if ok != 0 {
            self.reading = true;
            return Ok(true);
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error().map(|c| c as u32) {
            Some(ERROR_IO_PENDING) => {
                self.reading = true;
                Ok(true)
            }
            Some(ERROR_BROKEN_PIPE | ERROR_HANDLE_EOF) => Ok(false),
            _ => Err(e),
        }
    }

    /// Collects the read whose event is signalled: `Some(bytes)` (maybe 0, which means
    /// nothing), or `None` when the pipe has ended.
    fn finish(&mut self) -> io::Result<Option<usize>> {
        let mut n = 0u32;
        // SAFETY: the read in flight on this handle used this OVERLAPPED; its event is
        // signalled, so this does not block.
        let ok = unsafe {
            GetOverlappedResult(self.handle.as_raw_handle(), &*self.overlapped, &mut n, 0)
        };
        self.reading = false;
        if ok != 0 {
            return Ok(Some(n as usize));
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error().map(|c| c as u32) {
            Some(ERROR_BROKEN_PIPE | ERROR_HANDLE_EOF) => Ok(None),
            _ => Err(e),
        }
    }
}

impl Drop for Pipe {
    fn drop(&mut self) {
        if self.reading {
            let handle = self.handle.as_raw_handle();
            let mut n = 0u32;
            // SAFETY: cancels this pipe's read and waits until the system is done with the
            // buffer and the OVERLAPPED, which are freed after this.
            unsafe {
                CancelIoEx(handle, &*self.overlapped);
                GetOverlappedResult(handle, &*self.overlapped, &mut n, 1);
            }
        }
    }
}

/// Makes one pipe: this side (overlapped, for reading) and the child's side (for writing).
fn pipe() -> io::Result<(Pipe, OwnedHandle)> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let mut reject_remote = PIPE_REJECT_REMOTE_CLIENTS;
    let mut tries = 0;
    let (ours, name) = loop {
        tries += 1;
        let name: Vec<u16> = format!(
            r"\\.\pipe\logoff-all.{}.{}.{}",
            process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        )
        .encode_utf16()
        .chain(Some(0))
        .collect();
        // SAFETY: `name` is NUL-terminated; null security attributes mean the default.
        let handle = unsafe {
            CreateNamedPipeW(
                name.as_ptr(),
                PIPE_ACCESS_INBOUND | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
                PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | reject_remote,
                1,
                0,
                CHUNK,
                0,
                std::ptr::null(),
            )
        };
        if handle != INVALID_HANDLE_VALUE {
            // SAFETY: a new handle that nothing else owns.
            break (unsafe { OwnedHandle::from_raw_handle(handle) }, name);
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error().map(|c| c as u32) {
            // The name is taken: try another.
            Some(ERROR_ACCESS_DENIED) if tries < 10 => {}
            // Systems before Vista do not know the flag.
            Some(ERROR_INVALID_PARAMETER) if reject_remote != 0 => reject_remote = 0,
            _ => return Err(e),
        }
    };
    // SAFETY: `name` is NUL-terminated; the handle is not inheritable (the standard library
    // makes an inheritable copy for the child while it starts it).
    let theirs = unsafe {
        CreateFileW(
            name.as_ptr(),
            GENERIC_WRITE | FILE_READ_ATTRIBUTES,
            0,
            std::ptr::null(),
            OPEN_EXISTING,
            0,
            std::ptr::null_mut(),
        )
    };
    if theirs == INVALID_HANDLE_VALUE {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a new handle that nothing else owns.
    let theirs = unsafe { OwnedHandle::from_raw_handle(theirs) };
    // SAFETY: creates an unnamed manual-reset event, not signalled.
    let event = unsafe { CreateEventW(std::ptr::null(), 1, 0, std::ptr::null()) };
    if event.is_null() {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a new handle that nothing else owns.
    let event = unsafe { OwnedHandle::from_raw_handle(event) };
    let mut overlapped = Box::<OVERLAPPED>::default();
    overlapped.hEvent = event.as_raw_handle() as HANDLE;
    let pipe = Pipe {
        handle: ours,
        event,
        overlapped,
        buf: vec![0; CHUNK as usize].into_boxed_slice(),
        reading: false,
    };
    Ok((pipe, theirs))
}

//! Starting a child on Linux with clone(CLONE_VM | CLONE_VFORK): the child borrows this
//! process's memory on a small stack of its own, sets up its three standard streams, resets
//! the few signals this process catches, puts the signal mask back and calls execve.
//!
//! Why not `std::process::Command`: the standard library starts children with glibc's
//! posix_spawn, whose child asks about every one of the 64 signal dispositions before exec
//! (about 120 system calls per child), where a shell's fork needs none. Over 1 000 instant
//! `logoff` calls that is most of what the runner costs beyond a shell loop (BENCHMARKS.md).
//! Here the process asks once which signals it catches, and the child resets only those (see
//! [`caught`]), so it makes about a dozen calls.
//!
//! The rules that make sharing the memory safe, as in posix_spawn: every signal is blocked in
//! the calling thread while the child runs before exec (glibc's own two included, with the
//! system call itself), and the child resets the handlers before it unblocks them, so no
//! handler of this process runs in the child; the child's code allocates nothing, takes no
//! lock and never returns (execve, or `_exit` with the error left where the calling thread
//! reads it); and it runs on its own stack with a guard page below it. Rust links with
//! `-z now`, so the child's calls into libc never go through the lazy symbol binder. This
//! process's environment is read once (see [`environment`]).

use std::cell::RefCell;
use std::ffi::{c_char, c_int, c_void, CString, OsStr};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::OnceLock;

/// Signals whose handlers the child always resets before its signal mask is put back, even
/// if a handler is set only after the first start: the Ctrl-C handler (SIGINT; SIGTERM and
/// SIGHUP when the handler crate is built to catch them) and the standard library's
/// stack-overflow handlers (SIGSEGV, SIGBUS). Every other signal that has a handler when this
/// process first starts a child is reset too (see [`caught`]); the program sets its handler
/// before it starts any. A signal this process ignores stays ignored in the child, as with the
/// standard library, except SIGPIPE, which the child gets at its default as the standard
/// library gives it.
const ALWAYS: [c_int; 5] = [
    libc::SIGINT,
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGSEGV,
    libc::SIGBUS,
];

/// A kernel signal set: bit `n - 1` is signal `n` (x86-64 and AArch64 have 64 signals).
type SigSet = u64;

/// The size of [`SigSet`] as rt_sigprocmask takes it.
const SIGSET_BYTES: usize = std::mem::size_of::<SigSet>();

/// The child's stack: it calls a handful of thin libc wrappers, so 32 KiB is far more than it
/// uses, and the guard page below turns an overflow into a fault instead of a write into this
/// process's memory.
const STACK: usize = 32 << 10;

/// What the child needs, built by the calling thread before the clone; the child only reads
/// it, except `error`.
struct Plan {
    path: *const c_char,
    argv: *const *const c_char,
    envp: *const *const c_char,
    /// The descriptors that become the child's 0, 1 and 2; none of them is below 3.
    fds: [RawFd; 3],
    /// The calling thread's signal mask before everything was blocked: put back after the
    /// clone, and the child's mask (a child of the standard library inherits it too).
    mask: SigSet,
    /// The signals whose handlers the child resets (see [`caught`]).
    caught: SigSet,
    /// The error (errno) the child met before or in execve; 0 while none.
    error: AtomicI32,
}

/// Starts `program` with `args`, its standard input from /dev/null and its output on
/// `stdout` and `stderr`, with this process's environment and working folder. Returns the
/// child's process ID; the child is not reaped.
pub(super) fn spawn(
    program: &Path,
    args: &[String],
    stdout: BorrowedFd<'_>,
    stderr: BorrowedFd<'_>,
) -> io::Result<libc::pid_t> {
    let path = c_string(program.as_os_str())?;
    let args = args
        .iter()
        .map(|a| c_string(OsStr::new(a)))
        .collect::<io::Result<Vec<_>>>()?;
    let mut argv: Vec<*const c_char> = Vec::with_capacity(args.len() + 2);
    argv.push(path.as_ptr());
    argv.extend(args.iter().map(|a| a.as_ptr()));
    argv.push(std::ptr::null());
    let null = dev_null()?;
    // A descriptor below 3 would be overwritten by another's dup2 before its own; copies
    // above 2 are made only then (the standard library keeps 0 to 2 open, so never in
    // practice). The copies are kept until the child has called execve.
    let mut copies = Vec::new();
    let mut fds = [-1; 3];
    for (slot, fd) in fds.iter_mut().zip([null, stdout, stderr]) {
        *slot = match above_stdio(fd)? {
            Some(copy) => {
                let raw = copy.as_raw_fd();
                copies.push(copy);
                raw
            }
            None => fd.as_raw_fd(),
        };
    }
    let plan = Plan {
        path: path.as_ptr(),
        argv: argv.as_ptr(),
        envp: environment().0.as_ptr(),
        fds,
        mask: 0,
        caught: caught(),
        error: AtomicI32::new(0),
    };
    STACKS
        .try_with(|cell| {
            let mut slot = cell.borrow_mut();
            if slot.is_none() {
                *slot = Some(Stack::new()?);
            }
            match slot.as_ref() {
                Some(stack) => clone_and_exec(plan, stack),
                None => Err(io::Error::other("no stack for the child")),
            }
        })
        .unwrap_or_else(|_| Err(io::Error::other("a thread that is ending starts no child")))
}

fn clone_and_exec(mut plan: Plan, stack: &Stack) -> io::Result<libc::pid_t> {
    // Every signal, glibc's own two (32, 33) included, which its functions leave unblocked:
    // hence the system call itself, as glibc's posix_spawn does.
    let all: SigSet = !0;
    if set_mask(&all, &mut plan.mask) != 0 {
        return Err(io::Error::last_os_error());
    }
    let plan_ptr: *mut Plan = &mut plan;
    // SAFETY: CLONE_VFORK suspends this thread until the child has called execve or _exit,
    // so `plan`, `stack` and everything they point to outlive every use the child makes of
    // them. `child` never returns and only makes async-signal-safe calls; every signal is
    // blocked here, so the child starts with all of them blocked and no handler of this
    // process can run in it before it has reset them. The stack top is page aligned.
    let pid = unsafe {
        libc::clone(
            child,
            stack.top(),
            libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
            plan_ptr.cast::<c_void>(),
        )
    };
    let clone_error = io::Error::last_os_error();
    // Puts back the mask saved above (it cannot fail: the set is valid and the size right).
    set_mask(&plan.mask, std::ptr::null_mut());
    if pid < 0 {
        return Err(clone_error);
    }
    match plan.error.load(Ordering::Acquire) {
        0 => Ok(pid),
        errno => {
            // The child has ended with _exit(127); reap it so that it leaves no zombie.
            let mut status = 0;
            // SAFETY: waits for this process's own child, which has ended.
            while unsafe { libc::waitpid(pid, &mut status, 0) } < 0
                && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted
            {}
            Err(io::Error::from_raw_os_error(errno))
        }
    }
}

/// The child, between clone and execve: shares this process's memory, so it only reads the
/// plan, makes system calls and writes its error into the plan.
extern "C" fn child(plan: *mut c_void) -> c_int {
    // SAFETY: `plan` is the `Plan` the suspended parent passed to clone; it stays valid until
    // this child has called execve or _exit.
    let plan = unsafe { &*plan.cast::<Plan>() };
    // SAFETY: each call is an async-signal-safe system call wrapper on memory of this frame or
    // of the plan; on any failure the error is recorded and the child ends at once.
    unsafe {
        for sig in (1..=64).filter(|sig| plan.caught & bit(*sig) != 0) {
            let mut action: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(sig, std::ptr::null(), &mut action) == 0
                && action.sa_sigaction != libc::SIG_DFL
                && action.sa_sigaction != libc::SIG_IGN
            {
                action.sa_sigaction = libc::SIG_DFL;
                if libc::sigaction(sig, &action, std::ptr::null_mut()) != 0 {
                    fail(plan);
                }
            }
        }
        if libc::signal(libc::SIGPIPE, libc::SIG_DFL) == libc::SIG_ERR {
            fail(plan);
        }
        for (target, fd) in (0..).zip(plan.fds) {
            // Every `fd` is above 2, so this never dup2s a descriptor onto itself (which would
            // leave it close-on-exec) nor onto one still to be copied.
            if libc::dup2(fd, target) < 0 {
                fail(plan);
            }
        }
        if set_mask(&plan.mask, std::ptr::null_mut()) != 0 {
            fail(plan);
        }
        libc::execve(plan.path, plan.argv, plan.envp);
        fail(plan)
    }
}

/// Sets the calling thread's signal mask to `set`, saving the old one into `old` unless it is
/// null, with the system call itself; 0, or -1 with errno set.
fn set_mask(set: *const SigSet, old: *mut SigSet) -> libc::c_long {
    // SAFETY: rt_sigprocmask reads a kernel signal set of SIGSET_BYTES from `set` and writes
    // one to `old` when it is not null; both point to a SigSet (or are null).
    unsafe {
        libc::syscall(
            libc::SYS_rt_sigprocmask,
            libc::SIG_SETMASK,
            set,
            old,
            SIGSET_BYTES,
        )
    }
}

/// The bit of signal `sig` in a kernel signal set (also the masks /proc/<pid>/status shows).
pub(in crate::host::runner) fn bit(sig: c_int) -> SigSet {
    match u32::try_from(sig - 1) {
        Ok(n) if n < SigSet::BITS => 1 << n,
        _ => 0,
    }
}

/// The signals whose handlers the child resets: [`ALWAYS`], and every signal that had a
/// handler when this process first started a child (asked once per process, as posix_spawn's
/// child asks in every child). glibc's own two signals are not asked about (its sigaction
/// refuses them) and keep their disposition in the child, where posix_spawn ignores them:
/// glibc sends them only to this process's threads, sets their handlers only for
/// pthread_cancel and set*id calls in a threaded process, which this program never makes, and
/// they are blocked until the child's mask is put back just before execve.
fn caught() -> SigSet {
    static CAUGHT: OnceLock<SigSet> = OnceLock::new();
    *CAUGHT.get_or_init(|| {
        let mut set = ALWAYS.iter().fold(0, |set, sig| set | bit(*sig));
        for sig in 1..=libc::SIGRTMAX() {
            // SAFETY: sigaction is plain data; a query only writes into it.
            let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
            // SAFETY: asks for the disposition of `sig` without changing it.
            let asked = unsafe { libc::sigaction(sig, std::ptr::null(), &mut action) };
            if asked == 0
                && action.sa_sigaction != libc::SIG_DFL
                && action.sa_sigaction != libc::SIG_IGN
            {
                set |= bit(sig);
            }
        }
        set
    })
}

/// Records errno for the parent and ends the child without running any exit handler.
fn fail(plan: &Plan) -> ! {
    let errno = io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO);
    plan.error.store(errno.max(1), Ordering::Release);
    // SAFETY: ends this child at once; nothing of the parent's state is touched.
    unsafe { libc::_exit(127) }
}

fn c_string(s: &OsStr) -> io::Result<CString> {
    CString::new(s.as_bytes()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} contains a NUL byte", s.to_string_lossy()),
        )
    })
}

/// A copy of `fd` numbered 3 or above when `fd` is 0, 1 or 2; `None` when it is above 2.
fn above_stdio(fd: BorrowedFd<'_>) -> io::Result<Option<OwnedFd>> {
    if fd.as_raw_fd() > 2 {
        return Ok(None);
    }
    // SAFETY: duplicates an open descriptor to a new one, 3 or above, close-on-exec.
    let copy = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 3) };
    if copy < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `copy` is a new descriptor that nothing else owns.
    Ok(Some(unsafe { OwnedFd::from_raw_fd(copy) }))
}

/// /dev/null, opened once for reading and kept: every child's standard input.
fn dev_null() -> io::Result<BorrowedFd<'static>> {
    static NULL: OnceLock<OwnedFd> = OnceLock::new();
    if NULL.get().is_none() {
        let _ = NULL.set(OwnedFd::from(std::fs::File::open("/dev/null")?));
    }
    NULL.get()
        .map(AsFd::as_fd)
        .ok_or_else(|| io::Error::other("/dev/null could not be kept open"))
}

/// This process's environment as execve takes it, read once at the first start through the
/// standard library (which holds its environment lock while reading). Nothing in this program
/// changes its environment.
struct Environment(Vec<*const c_char>, #[allow(dead_code)] Vec<CString>);

// SAFETY: the pointers point into the CStrings held beside them, which are never changed or
// dropped while the value lives (it lives in a static for the rest of the process).
unsafe impl Send for Environment {}
// SAFETY: as above; the value is only read after it is built.
unsafe impl Sync for Environment {}

fn environment() -> &'static Environment {
    static ENVIRONMENT: OnceLock<Environment> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| {
        let strings: Vec<CString> = std::env::vars_os()
            .filter_map(|(key, value)| {
                let mut pair = key.as_bytes().to_vec();
                pair.push(b'=');
                pair.extend_from_slice(value.as_bytes());
                CString::new(pair).ok()
            })
            .collect();
        let mut pointers: Vec<*const c_char> = strings.iter().map(|s| s.as_ptr()).collect();
        pointers.push(std::ptr::null());
        Environment(pointers, strings)
    })
}

thread_local! {
    /// One child stack per thread that starts children, made at its first start.
    static STACKS: RefCell<Option<Stack>> = const { RefCell::new(None) };
}

/// An anonymous mapping: a guard page at the bottom, then [`STACK`] bytes of stack.
struct Stack {
    base: *mut c_void,
    len: usize,
}

impl Stack {
    fn new() -> io::Result<Stack> {
        // SAFETY: sysconf only reads a system setting.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) })
            .ok()
            .filter(|p| *p > 0)
            .unwrap_or(4096);
        let len = page + STACK.div_ceil(page) * page;
        // SAFETY: asks for a new private anonymous mapping; nothing else refers to it.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let stack = Stack { base, len };
        // SAFETY: the first page of the mapping just made becomes the guard.
        if unsafe { libc::mprotect(base, page, libc::PROT_NONE) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(stack)
    }

    /// The highest address: the stack grows down from it (x86-64 and AArch64).
    fn top(&self) -> *mut c_void {
        self.base.wrapping_byte_add(self.len)
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        // SAFETY: unmaps the mapping made in `new`; no child runs on it any more (a child
        // that used it has called execve or _exit before its start returned).
        unsafe { libc::munmap(self.base, self.len) };
    }
}

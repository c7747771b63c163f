//! Tests of the Linux start (vfork): the child it starts has what a child of the standard
//! library has (signal state, standard streams, open descriptors, environment), its errors
//! are the system's, and threads can start children at the same time.

use std::collections::BTreeSet;
use std::ffi::c_int;
use std::io::ErrorKind;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::tests::{start_program, Way};
use super::unix::vfork::bit;
use super::unix::{Child, Wait};
use super::{finish, Output, RunError, TOOL_OUTPUT_LIMIT};

/// The runner's own start (vfork).
const OURS: Way = Way::Start(Wait::Best);
/// The standard library's start.
const STD: Way = Way::Std(Wait::Best);

/// Runs `sh -c script` started as `way` says.
fn sh(way: Way, script: &str) -> Output {
    run(way, "/bin/sh", &["-c", script])
}

/// Runs `program` with `args` started as `way` says.
fn run(way: Way, program: &str, args: &[&str]) -> Output {
    let child = start_program(way, program, args);
    let program = Path::new(program);
    let out = finish(
        program,
        child,
        Instant::now(),
        Duration::from_secs(20),
        TOOL_OUTPUT_LIMIT,
    )
    .unwrap();
    assert_eq!(out.code, Some(0), "{}: {out:?}", program.display());
    out
}

/// What `script` prints when started both ways, which must be the same.
fn same_both_ways(script: &str) -> String {
    let ours = sh(OURS, script);
    let std = sh(STD, script);
    assert_eq!(
        String::from_utf8_lossy(&ours.stdout),
        String::from_utf8_lossy(&std.stdout),
        "{script}"
    );
    String::from_utf8(ours.stdout).unwrap()
}

/// A mask line of /proc/<pid>/status (`SigIgn:\t0000000000001000`) as a number.
fn mask(status: &str, name: &str) -> u64 {
    let line = status.lines().find(|l| l.starts_with(name)).unwrap();
    u64::from_str_radix(line.rsplit('\t').next().unwrap().trim(), 16).unwrap()
}

#[test]
fn the_child_has_the_standard_librarys_signal_state() {
    // This process ignores SIGPIPE (the Rust runtime does) and, from here on, SIGUSR2; the
    // calling thread blocks SIGUSR1.
    // SAFETY: sets a disposition to SIG_IGN; no handler is involved.
    unsafe { libc::signal(libc::SIGUSR2, libc::SIG_IGN) };
    // SAFETY: sigset_t is plain data, filled in by sigemptyset and sigaddset.
    let mut usr1: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: as above, on a set this test owns; then blocks SIGUSR1 in this thread only.
    unsafe {
        libc::sigemptyset(&mut usr1);
        libc::sigaddset(&mut usr1, libc::SIGUSR1);
        libc::pthread_sigmask(libc::SIG_BLOCK, &usr1, std::ptr::null_mut());
    }
    let script = "exec grep -E '^Sig(Blk|Ign)' /proc/self/status";
    let ours = String::from_utf8(sh(OURS, script).stdout).unwrap();
    let std = String::from_utf8(sh(STD, script).stdout).unwrap();
    // SAFETY: unblocks what was blocked above.
    unsafe { libc::pthread_sigmask(libc::SIG_UNBLOCK, &usr1, std::ptr::null_mut()) };
    // The same for signals 1 to 31 (glibc's start leaves its own two, 32 and 33, ignored).
    for name in ["SigBlk", "SigIgn"] {
        let low = |status: &str| mask(status, name) & 0x7fff_ffff;
        assert_eq!(low(&ours), low(&std), "{name}: {ours} / {std}");
    }
    // The calling thread's mask is the child's; what is ignored stays ignored, except
    // SIGPIPE, which is at its default.
    assert_eq!(mask(&ours, "SigBlk"), bit(libc::SIGUSR1), "{ours}");
    let ignored = mask(&ours, "SigIgn");
    assert_ne!(ignored & bit(libc::SIGUSR2), 0, "{ours}");
    assert_eq!(ignored & bit(libc::SIGPIPE), 0, "{ours}");
}

#[test]
fn the_child_has_null_input_the_two_pipes_and_no_other_descriptor() {
    // The child has 0 to 2, what this process passes on to every child (descriptors without
    // close-on-exec, such as cargo's jobserver), and ls's own folder descriptor, the lowest
    // free one; none of the runner's pipes, pidfds or /dev/null.
    let listing = |way| {
        let out = run(way, "/bin/ls", &["/proc/self/fd"]).stdout;
        let text = String::from_utf8(out).unwrap();
        text.lines()
            .map(|l| l.parse::<c_int>().unwrap())
            .collect::<BTreeSet<_>>()
    };
    let mut want: BTreeSet<c_int> = (0..3).chain(passed_on()).collect();
    want.insert((0..).find(|fd| !want.contains(fd)).unwrap());
    assert_eq!(listing(OURS), want);
    assert_eq!(listing(STD), want);
    let input = same_both_ways("readlink /proc/$$/fd/0");
    assert_eq!(input, "/dev/null\n");
    let out = sh(OURS, "readlink /proc/$$/fd/1 /proc/$$/fd/2; echo err >&2");
    let links = String::from_utf8(out.stdout).unwrap();
    assert!(
        links.lines().count() == 2 && links.lines().all(|l| l.starts_with("pipe:")),
        "{links}"
    );
    assert_eq!(out.stderr, b"err\n");
}

/// The descriptors of this process, above 2, that are not closed on exec.
fn passed_on() -> Vec<c_int> {
    let mut fds = Vec::new();
    for entry in std::fs::read_dir("/proc/self/fd").unwrap() {
        let fd: c_int = entry
            .unwrap()
            .file_name()
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        // SAFETY: asks for the flags of a descriptor; a closed one gives -1.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
        if fd > 2 && flags >= 0 && flags & libc::FD_CLOEXEC == 0 {
            fds.push(fd);
        }
    }
    fds
}

#[test]
fn the_child_has_this_processs_environment() {
    let seen = same_both_ways("exec env -0");
    let got: BTreeSet<&str> = seen.split('\0').filter(|s| !s.is_empty()).collect();
    let mine: Vec<String> = std::env::vars().map(|(k, v)| format!("{k}={v}")).collect();
    let want: BTreeSet<&str> = mine.iter().map(String::as_str).collect();
    assert_eq!(got, want);
}

#[test]
fn start_errors_are_the_systems() {
    let dir = std::env::temp_dir().join(format!("logoff-all-vfork-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let not_executable = dir.join("not-executable");
    std::fs::write(&not_executable, "#!/bin/sh\n").unwrap();
    let cases = [
        (dir.join("missing"), vec![], ErrorKind::NotFound),
        (not_executable, vec![], ErrorKind::PermissionDenied),
        (
            Path::new("/bin/sh").to_path_buf(),
            vec!["nul\0byte".to_string()],
            ErrorKind::InvalidInput,
        ),
    ];
    for (program, args, kind) in cases {
        let err = Child::start(&program, &args, Wait::Best)
            .err()
            .unwrap_or_else(|| panic!("{} started", program.display()));
        assert_eq!(err.kind(), kind, "{}: {err}", program.display());
        // A child that failed to exec has been reaped: this thread has no child left (the
        // list needs a kernel built with CONFIG_PROC_CHILDREN, as Debian's are).
        match std::fs::read_to_string("/proc/thread-self/children") {
            Ok(children) => assert_eq!(children.trim(), "", "{}", program.display()),
            Err(e) => assert_eq!(e.kind(), ErrorKind::NotFound, "{e}"),
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn threads_start_children_at_the_same_time() {
    std::thread::scope(|scope| {
        for thread in 0..8 {
            scope.spawn(move || {
                for i in 0..10 {
                    let out = sh(OURS, &format!("printf {thread}-{i}; printf e{i} >&2"));
                    assert_eq!(out.stdout, format!("{thread}-{i}").as_bytes());
                    assert_eq!(out.stderr, format!("e{i}").as_bytes());
                }
            });
        }
    });
}

#[test]
fn a_hung_child_is_killed_and_reaped() {
    let sh = Path::new("/bin/sh");
    let child = Child::start(sh, &["-c".into(), "exec sleep 30".into()], Wait::Best);
    let started = Instant::now();
    let err = finish(
        sh,
        child,
        started,
        Duration::from_millis(200),
        TOOL_OUTPUT_LIMIT,
    )
    .unwrap_err();
    assert!(matches!(err, RunError::TimedOut { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// Set in the process that runs [`a_handler_of_this_process_never_runs_in_a_child_before_exec`]
/// in a process group of its own.
const OWN_GROUP: &str = "LOGOFF_ALL_TEST_VFORK_OWN_GROUP";

static PARENT: AtomicI32 = AtomicI32::new(0);
static RAN_IN_PARENT: AtomicUsize = AtomicUsize::new(0);
static RAN_IN_CHILD: AtomicUsize = AtomicUsize::new(0);

/// A signal handler that counts where it ran (getpid is async-signal-safe).
extern "C" fn count(_: c_int) {
    // SAFETY: getpid has no preconditions.
    let pid = unsafe { libc::getpid() };
    let counter = if pid == PARENT.load(Ordering::SeqCst) {
        &RAN_IN_PARENT
    } else {
        &RAN_IN_CHILD
    };
    counter.fetch_add(1, Ordering::SeqCst);
}

/// The child shares this process's memory until execve: a handler of this process must never
/// run in it there. Signals sent to the whole process group while children are started reach
/// each child before and after execve; the handler must only ever run in this process. One
/// handler is for a signal the child always resets (SIGHUP), one for a signal it resets
/// because the process had a handler for it at its first start (SIGUSR1).
#[test]
fn a_handler_of_this_process_never_runs_in_a_child_before_exec() {
    if std::env::var_os(OWN_GROUP).is_none() {
        // Run again in a process group of its own, so the signals reach nothing else.
        let name = "host::runner::tests_vfork::a_handler_of_this_process_never_runs_in_a_child_before_exec";
        let out = Command::new(std::env::current_exe().unwrap())
            .args([name, "--exact", "--nocapture", "--test-threads=1"])
            .env(OWN_GROUP, "1")
            .process_group(0)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{text}");
        assert!(text.contains("1 passed"), "{text}");
        return;
    }
    // SAFETY: getpid has no preconditions.
    PARENT.store(unsafe { libc::getpid() }, Ordering::SeqCst);
    for sig in [libc::SIGHUP, libc::SIGUSR1] {
        // SAFETY: sigaction is plain data; the handler only touches atomics and calls getpid.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = count as extern "C" fn(c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            assert_eq!(libc::sigaction(sig, &action, std::ptr::null_mut()), 0);
        }
    }
    // Whatever the mask this process was started with, both signals come through.
    // SAFETY: sigset_t is plain data, filled in by sigemptyset and sigaddset; then unblocks
    // the two signals in this thread (threads started from here inherit that).
    unsafe {
        let mut both: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut both);
        libc::sigaddset(&mut both, libc::SIGHUP);
        libc::sigaddset(&mut both, libc::SIGUSR1);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &both, std::ptr::null_mut());
    }
    let stop = AtomicBool::new(false);
    let (mut started, mut ended_by_a_signal) = (0, 0);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            // At most 60 s, so that a failure below never leaves this loop running forever.
            let until = Instant::now() + Duration::from_secs(60);
            while !stop.load(Ordering::SeqCst) && Instant::now() < until {
                // SAFETY: signals this process group, which is this process and its children.
                unsafe {
                    libc::kill(0, libc::SIGHUP);
                    libc::kill(0, libc::SIGUSR1);
                }
            }
        });
        /// Ends the storm when the loop ends, however it ends.
        struct Stop<'a>(&'a AtomicBool);
        impl Drop for Stop<'_> {
            fn drop(&mut self) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        let _stop = Stop(&stop);
        let program = Path::new("/bin/true");
        for _ in 0..3000 {
            let child = Child::start(program, &[], Wait::Best);
            let limit = TOOL_OUTPUT_LIMIT;
            let timeout = Duration::from_secs(20);
            if let Ok(out) = finish(program, child, Instant::now(), timeout, limit) {
                started += 1;
                ended_by_a_signal += usize::from(out.code.is_none());
            }
        }
    });
    assert_eq!(started, 3000);
    // The signals did reach the children (after exec, where SIGHUP ends them) and this
    // process; never a handler in a child.
    assert!(ended_by_a_signal > 0);
    assert!(RAN_IN_PARENT.load(Ordering::SeqCst) > 0);
    assert_eq!(RAN_IN_CHILD.load(Ordering::SeqCst), 0);
}

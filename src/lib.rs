//! logoff-all: log every user off a Windows Remote Desktop Session Host, safely.
//!
//! See the module list below for the flow of one run.
#![warn(missing_docs)]
// The docs are for developers: they document the private stages too (`--document-private-items`).
#![allow(rustdoc::private_intra_doc_links)]
// A panic mid-run (panic = "abort") would stop a logoff run half-way with no report: no
// unwrap, expect or panic outside tests.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

// The stages, in the order data flows through a run:
mod cli; //       command line → config (the only module that knows clap)
mod config; //    the plain settings of one run
mod host; //      the one seam to the machine: tools, child processes, system lookups
mod source; //    one server's sessions: run `query session` / `query user`, or read a capture
pub mod decode; //    bytes (OEM code page, UTF-8, UTF-16LE) → clean or marked lines
pub mod table; //     decoded lines → typed session records (`query session`, `query user`)
pub mod plan; //      log off or skip, with a reason, for every row; filters
mod act; //       warn, then `logoff <id>` per planned session, under a timeout
mod report; //    a table for people, JSON and CSV for programs, the audit log
mod app; //       one run from config to exit code, stage by stage

// Beside them:
mod error; //     errors that stop a run before anyone is logged off
mod vocab; //     the small shared names: ids, display text, durations, the verb
pub mod exit_code; // exit codes and how outcomes fold into one

use std::ffi::OsString;
use std::io::IsTerminal;
use std::sync::atomic::Ordering;

/// Runs logoff-all with these arguments (program name first) on this system; returns the exit
/// code. Every error that ends the run, clap's included, is printed and mapped to its code in
/// one place: [`error::Error::report`].
pub fn main_with_args(args: impl IntoIterator<Item = OsString>) -> exit_code::ExitCode {
    let args: Vec<OsString> = args.into_iter().collect();
    let command_line = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let config = match config::from_args(args) {
        Ok(config) => config,
        Err(e) => return e.report(&mut std::io::stderr()),
    };
    // A person can answer when standard input is a terminal, whatever standard output is
    // (`logoff-all | more`, `> plan.txt`, `$r = logoff-all`): then the plan is confirmed on the
    // console. Without one (a scheduled task) the run proceeds, as the batch file did.
    let interactive = std::io::stdin().is_terminal();
    let mut console = if interactive {
        host::console::open()
    } else {
        None
    };
    let env = app::Environment {
        interactive,
        stderr_terminal: std::io::stderr().is_terminal(),
        args: command_line,
        ..app::Environment::default()
    };
    let stdout = std::io::stdout();
    let stdin = std::io::stdin();
    let mut closed = host::console::Closed;
    let mut lock = stdout.lock();
    let out: &mut dyn std::io::Write = if host::console::stdout_closed() {
        &mut closed
    } else {
        &mut lock
    };
    let mut io = app::Io {
        out,
        err: &mut std::io::stderr(),
        input: &mut stdin.lock(),
        console: console
            .as_mut()
            .map(|c| &mut **c as &mut dyn std::io::Write),
    };
    // Ctrl-C: finish the logoff in progress, start no other, report. A second Ctrl-C hurries:
    // reads and messages in progress are stopped, a logon mode that --drain changed is put
    // back at once, and the run still writes its report and audit log before it ends.
    let stop = std::sync::Arc::clone(&env.stop);
    let hurry = std::sync::Arc::clone(&env.hurry);
    let undo = std::sync::Arc::clone(&env.undo);
    let tools_dir = config.tools_dir.clone();
    let _ = ctrlc::set_handler(move || {
        if !stop.swap(true, Ordering::SeqCst) {
            eprintln!(
                "logoff-all: Ctrl-C: stopping: nothing new starts; the calls in progress \
                 finish, then the report is written (Ctrl-C again to stop waiting)"
            );
            return;
        }
        hurry.store(true, Ordering::SeqCst);
        eprintln!(
            "logoff-all: Ctrl-C again: no more waiting; the logoffs already started finish \
             (at most --timeout), then the report and the audit log are written"
        );
        let host = host::SystemHost::new(host::runner::SystemRunner, tools_dir.as_deref());
        let timeout = std::time::Duration::from_secs(30);
        match undo.restore_now(&host, timeout) {
            Some(Ok(act::drain::Restore::LeftAlone(now))) => eprintln!(
                "logoff-all: warning: --drain: the logon mode was changed to {} during the \
                 run and was left so",
                act::drain::describe(now)
            ),
            Some(Ok(_)) => eprintln!("logoff-all: --drain: logon mode restored"),
            Some(Err(e)) => eprintln!(
                "logoff-all: error: the logon mode was NOT restored: {e}; run \
                 `change logon /enable` (or the mode it was in) yourself"
            ),
            None => {}
        }
    });
    let host = host::SystemHost::new(host::runner::SystemRunner, config.tools_dir.as_deref())
        .hurried_by(std::sync::Arc::clone(&env.hurry));
    app::run(&config, &host, &env, &mut io)
}

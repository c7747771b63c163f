//! logoff-all: log every user off a Windows Remote Desktop Session Host, safely.
//!
//! See the module list below for the flow of one run.
#![warn(missing_docs)]

// The stages, in the order data flows through a run:
pub mod cli; //       command line → config (the only module that knows clap)
pub mod config; //    the plain settings of one run
pub mod host; //      the one seam to the machine: tools, child processes, system lookups
pub mod query; //     run `query session` / `query user`, tell a failure from a table
pub mod decode; //    bytes (OEM code page, UTF-8, UTF-16LE) → clean or marked lines
pub mod table; //     decoded lines → typed session records (`query session`, `query user`)
pub mod plan; //      log off or skip, with a reason, for every row; filters
pub mod act; //       warn, then `logoff <id>` per planned session, under a timeout
pub mod report; //    a table for people, JSON and CSV for programs, the audit log
pub mod app; //       one run from config to exit code, stage by stage

// Beside them:
pub mod error; //     errors that stop a run before anyone is logged off
pub mod exit_code; // exit codes and how outcomes fold into one

use std::ffi::OsString;
use std::io::IsTerminal;

/// Runs logoff-all with these arguments (program name first) on this system; returns the exit
/// status.
pub fn main_with_args(args: impl IntoIterator<Item = OsString>) -> i32 {
    let config = match cli::parse(args) {
        Ok(Ok(config)) => config,
        Ok(Err(usage)) => {
            eprintln!("logoff-all: error: {usage}");
            eprintln!("Run `logoff-all --help` (or /?) for the flags.");
            return exit_code::ExitCode::Usage.code();
        }
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                exit_code::ExitCode::Usage.code()
            } else {
                0
            };
        }
    };
    // A person can answer when standard input is a terminal, whatever standard output is
    // (`logoff-all | more`, `> plan.txt`, `$r = logoff-all`): then the plan is confirmed on the
    // console. Without one (a scheduled task) the run proceeds, as the batch file did.
    let interactive = std::io::stdin().is_terminal();
    let mut console = if interactive {
        app::console::open()
    } else {
        None
    };
    let env = app::Environment {
        interactive,
        stderr_terminal: std::io::stderr().is_terminal(),
        ..app::Environment::default()
    };
    let stdout = std::io::stdout();
    let stdin = std::io::stdin();
    let mut io = app::Io {
        out: &mut stdout.lock(),
        err: &mut std::io::stderr(),
        input: &mut stdin.lock(),
        console: console
            .as_mut()
            .map(|c| &mut **c as &mut dyn std::io::Write),
    };
    // Ctrl-C: finish the logoff in progress, start no other, report. A second Ctrl-C quits.
    let stop = std::sync::Arc::clone(&env.stop);
    let _ = ctrlc::set_handler(move || {
        if stop.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(exit_code::ExitCode::Interrupted.code());
        }
    });
    let host = host::SystemHost::new(host::runner::SystemRunner, config.tools_dir.as_deref());
    app::run(&config, &host, &env, &mut io).code()
}

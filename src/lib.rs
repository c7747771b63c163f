//! logoff-all: log every user off a Windows Remote Desktop Session Host, safely.
//!
//! The modules in the order data flows through a run:
#![warn(missing_docs)]

/// App: one run from config to exit code.
pub mod app;
/// Command line: flags and Windows habits (`/?`, `/server:NAME`) into a [`config::Config`].
pub mod cli;
/// Config: the plain settings of one run.
pub mod config;
/// Decode: bytes in an OEM code page, UTF-8 or UTF-16 into clean or marked lines.
pub mod decode;
/// Execute: `logoff <id>` per planned session, under a timeout.
pub mod execute;
/// Parse: the header's column positions slice rows into typed sessions.
pub mod parse;
/// Plan: log off or skip, with a reason, for every row.
pub mod plan;
/// Query: run `query session` and tell a failure from a table.
pub mod query;
/// Report: a table for people, JSON for programs.
pub mod report;
/// Tools: where `query`, `logoff` and `msg` are found (never the current directory).
pub mod tools;

/// Errors that stop a run before anyone is logged off.
pub mod error;
/// Exit codes and how outcomes fold into one.
pub mod exit_code;
/// Runner: the one seam through which other programs are run.
pub mod runner;
/// Session records: IDs, states, sessions.
pub mod session;
/// System: OEM code page, own session, system folder.
pub mod system;

mod codepage_tables;

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
    let env = app::Environment {
        oem_code_page: system::oem_code_page(),
        own_session: system::own_session(),
        computer_name: system::computer_name(),
        interactive: std::io::stdin().is_terminal() && std::io::stdout().is_terminal(),
    };
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let stdin = std::io::stdin();
    let mut io = app::Io {
        out: &mut stdout.lock(),
        err: &mut stderr.lock(),
        input: &mut stdin.lock(),
    };
    app::run(&config, &runner::SystemRunner, &env, &mut io).code()
}

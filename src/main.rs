//! The `logoff-all` executable: everything is in the library.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

fn main() -> std::process::ExitCode {
    logoff_all::main_with_args(std::env::args_os()).into()
}

//! The `logoff-all` executable: everything is in the library.

fn main() -> std::process::ExitCode {
    logoff_all::main_with_args(std::env::args_os()).into()
}

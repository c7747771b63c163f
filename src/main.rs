//! The `logoff-all` executable: everything is in the library.

fn main() {
    std::process::exit(logoff_all::main_with_args(std::env::args_os()));
}

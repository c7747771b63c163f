//! Unit tests of the real runner: on Unix with stand-in shell commands, on Windows (under Wine
//! on Linux) with the test binary itself as the child.

#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod windows;

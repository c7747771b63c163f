//! Admin workflows end to end against stand-in `query`, `change`, `tsdiscon`, `msg` and
//! `logoff` scripts that record their argv, so each test checks the order of the calls:
//! --drain (and its restore on failure and Ctrl-C), --disconnect, --session-name, --list,
//! --input-user, warnings that fit the wait, --unknown-idle.
#![cfg(unix)]

mod ctrl_c;
mod drain;
mod journal;
mod modes;
mod parallel;

use crate::common::{fixtures, TestEnv};
use serde_json::Value;

pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn by_id(report: &Value, id: u64) -> &Value {
    report["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no session {id} in {report}"))
}

pub fn fixture(name: &str) -> String {
    fixtures().join(name).display().to_string()
}

/// The mixed table with its `query user`, and stand-ins for every tool.
pub fn mixed(name: &str, mode: &str, failing: &[&str]) -> TestEnv {
    let env = TestEnv::new(name);
    env.fake_query_sequence(&["en-2019-mixed.txt"], Some("quser-en-mixed.txt"));
    env.fake_logoff("");
    env.fake_tool("msg", "");
    env.fake_tool("tsdiscon", "");
    env.fake_change(mode, failing);
    env
}

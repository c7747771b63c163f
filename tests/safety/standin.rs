//! Stand-in tables for the safety tests: tables written the way Windows aligns them, a
//! `query` that prints one table per call, and a run with chosen environment variables.

use crate::common::TestEnv;
use serde_json::Value;
use std::process::Output;

/// What the run wrote on standard error.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The JSON report's session with this ID.
pub fn by_id(report: &Value, id: u64) -> Value {
    report["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no session {id} in {report}"))
        .clone()
}

pub const HEADER: &str =
    " SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE";

/// A `query session` table (CRLF, UTF-8) with the given (session name, user, id, state) rows,
/// aligned by characters under the header as Windows aligns them.
pub fn table(rows: &[(&str, &str, u32, &str)]) -> String {
    let end = HEADER.find(" ID ").unwrap() + 3;
    let mut out = format!("{HEADER}\r\n");
    for (name, user, id, state) in rows {
        let left = format!(" {name:<18}{user}");
        let id = id.to_string();
        let pad = end - left.chars().count() - id.len();
        out.push_str(&format!("{left}{}{id}  {state}\r\n", " ".repeat(pad)));
    }
    out
}

/// Writes `tables` into the test folder and makes `query session` print the k-th on its k-th
/// call (the last from then on), without the sessions the stand-in `logoff` ended.
pub fn query_tables(env: &TestEnv, tables: &[String]) {
    let log = env.dir.join("calls.log");
    let count = env.dir.join("session-calls");
    let mut cases = String::new();
    for (i, text) in tables.iter().enumerate() {
        let file = env.dir.join(format!("table-{i}.txt"));
        std::fs::write(&file, text).unwrap();
        let pattern = if i + 1 == tables.len() {
            "*".to_string()
        } else {
            (i + 1).to_string()
        };
        cases.push_str(&format!("    {pattern}) {} ;;\n", env.print_table(&file)));
    }
    env.script(
        "query",
        &format!(
            "echo \"query $*\" >> '{log}'\n\
             n=$(( $(cat '{count}' 2>/dev/null || echo 0) + 1 )); echo $n > '{count}'\n\
             case $n in\n{cases}esac",
            log = log.display(),
            count = count.display(),
        ),
    );
}

/// Runs the binary with the stand-ins first on PATH and `vars` set.
pub fn run_with(env: &TestEnv, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let path = std::env::join_paths(
        std::iter::once(env.bin.clone())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let mut cmd = crate::common::command(args);
    cmd.env("PATH", path).env("USER", "nobody-here");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

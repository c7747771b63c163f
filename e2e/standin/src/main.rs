//! Test-only stand-in for the stock tools, installed into a Wine prefix's system32 as
//! `query.exe`, `logoff.exe`, `msg.exe` and `eventcreate.exe`. It acts by its own file name and
//! is told what to answer through environment variables:
//!
//! - every call appends `<full path of this exe>|<arguments joined by spaces>` to `STANDIN_LOG`;
//! - query: prints the bytes of `STANDIN_QUERY_FILE` (a second call prints
//!   `STANDIN_QUERY_FILE2` when set), `STANDIN_QUERY_STDERR` on stderr, sleeps
//!   `STANDIN_QUERY_SLEEP` seconds, exits with `STANDIN_QUERY_EXIT` (default 0); rows of
//!   sessions that an `ok` logoff ended are left out, as a real host stops listing them;
//! - logoff, msg, eventcreate: `STANDIN_<TOOL>_<FIRST ARGUMENT>` (else `STANDIN_<TOOL>`) says
//!   `ok` (default), `hang` (sleep 120 s), `gone` ("Session ID n not found", exit 1),
//!   `fail:TEXT` (TEXT on stderr, exit 1) or `exit0:TEXT` (TEXT on stdout, exit 0);
//! - change (`change logon /SWITCH`): `/query` prints `STANDIN_CHANGE_QUERY` (any language, or
//!   nothing) and exits `STANDIN_CHANGE_EXIT` (default 1, as on Windows 11); the other switches
//!   set the registry values the real `change logon` sets, through `reg.exe`.

use std::io::Write;
use std::time::Duration;

fn main() {
    let exe = std::env::current_exe().unwrap_or_default();
    let tool = exe
        .file_stem()
        .map(|s| s.to_string_lossy().to_ascii_uppercase())
        .unwrap_or_default();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut calls = 0;
    if let Ok(log) = std::env::var("STANDIN_LOG") {
        calls = std::fs::read_to_string(&log)
            .map(|t| {
                t.lines()
                    .filter(|l| l.to_ascii_uppercase().contains(&format!("\\{tool}.EXE|")))
                    .count()
            })
            .unwrap_or(0);
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("STANDIN_LOG can be opened");
        writeln!(f, "{}|{}", exe.display(), args.join(" ")).expect("STANDIN_LOG can be written");
    }
    let var = |name: &str| std::env::var(name).ok();
    if tool == "QUERY" {
        let file = if calls > 0 {
            var("STANDIN_QUERY_FILE2").or_else(|| var("STANDIN_QUERY_FILE"))
        } else {
            var("STANDIN_QUERY_FILE")
        };
        if let Some(secs) = var("STANDIN_QUERY_SLEEP").and_then(|s| s.parse().ok()) {
            std::thread::sleep(Duration::from_secs(secs));
        }
        if let Some(file) = file {
            let bytes = std::fs::read(&file).expect("STANDIN_QUERY_FILE can be read");
            let gone = var("STANDIN_LOG")
                .and_then(|log| std::fs::read_to_string(format!("{log}.gone")).ok())
                .unwrap_or_default();
            let ended: Vec<&str> = gone.lines().collect();
            std::io::stdout()
                .write_all(&without(&bytes, &ended))
                .expect("stdout");
        }
        if let Some(text) = var("STANDIN_QUERY_STDERR") {
            eprintln!("{text}");
        }
        std::process::exit(
            var("STANDIN_QUERY_EXIT")
                .and_then(|c| c.parse().ok())
                .unwrap_or(0),
        );
    }
    if tool == "CHANGE" {
        change(&args, &var);
    }
    let first = args.first().cloned().unwrap_or_default();
    let answer = var(&format!("STANDIN_{tool}_{first}"))
        .or_else(|| var(&format!("STANDIN_{tool}")))
        .unwrap_or_else(|| "ok".to_string());
    match answer
        .split_once(':')
        .map_or((answer.as_str(), ""), |(a, b)| (a, b))
    {
        ("hang", _) => std::thread::sleep(Duration::from_secs(120)),
        ("gone", _) => {
            println!("Session ID {first} not found");
            std::process::exit(1);
        }
        ("fail", text) => {
            eprintln!("{text}");
            std::process::exit(1);
        }
        ("exit0", text) => println!("{text}"),
        _ => {
            if let (true, Ok(log)) = (tool == "LOGOFF", std::env::var("STANDIN_LOG")) {
                let mut f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(format!("{log}.gone"))
                    .expect("the ended-sessions file can be opened");
                writeln!(f, "{first}").expect("the ended-sessions file can be written");
            }
        }
    }
}

/// `table` without the rows whose ID (the last word up to the end of the header's `ID`) is in
/// `ended`; output without such a header is returned as it is.
fn without(table: &[u8], ended: &[&str]) -> Vec<u8> {
    let mut out = Vec::with_capacity(table.len());
    let mut end = None;
    for line in table.split_inclusive(|&b| b == b'\n') {
        let Some(end) = end else {
            end = line
                .windows(4)
                .position(|w| w[..3] == *b" ID" && matches!(w[3], b' ' | b'\r' | b'\n'))
                .map(|p| p + 3);
            out.extend_from_slice(line);
            continue;
        };
        let id = line[..end.min(line.len())]
            .split(|b| b.is_ascii_whitespace())
            .rfind(|w| !w.is_empty());
        if !id.is_some_and(|id| ended.iter().any(|e| e.as_bytes() == id)) {
            out.extend_from_slice(line);
        }
    }
    out
}

/// `change logon /SWITCH`: the mode lives in the registry, as on Windows.
fn change(args: &[String], var: &dyn Fn(&str) -> Option<String>) -> ! {
    let switch = args
        .get(1)
        .map(|s| s.to_ascii_lowercase())
        .unwrap_or_default();
    let (disabled, drain) = match switch.as_str() {
        "/query" => {
            println!("{}", var("STANDIN_CHANGE_QUERY").unwrap_or_default());
            std::process::exit(
                var("STANDIN_CHANGE_EXIT")
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(1),
            );
        }
        "/enable" => ("0", "0"),
        "/disable" => ("1", "0"),
        "/drain" => ("0", "2"),
        "/drainuntilrestart" => ("0", "1"),
        _ => {
            eprintln!("Invalid parameter(s)");
            std::process::exit(1);
        }
    };
    let reg = |key: &str, value: &str, kind: &str, data: &str| {
        let ok = std::process::Command::new("reg.exe")
            .args(["add", key, "/v", value, "/t", kind, "/d", data, "/f"])
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("reg add {key} {value} failed");
            std::process::exit(1);
        }
    };
    reg(
        r"HKLM\Software\Microsoft\Windows NT\CurrentVersion\Winlogon",
        "WinStationsDisabled",
        "REG_SZ",
        disabled,
    );
    reg(
        r"HKLM\System\CurrentControlSet\Control\Terminal Server",
        "TSServerDrainMode",
        "REG_DWORD",
        drain,
    );
    std::process::exit(0);
}

//! A deterministic simulation of a busy server, on the fake host. Sessions log on and off,
//! disconnect and reconnect, IDs are reused by other users; tools fail, time out, answer "not
//! found" or access denied; tables come back cut short; Ctrl-C arrives at any step; the flags
//! are drawn from every valid combination. Each run is seeded and replays from its seed.
//!
//! The world changes only right before it serves a table, so the program sees every change:
//! at the moment of every call that acts on a session, the world is what the latest table
//! showed (a change between that table and the call is a race no tool can close), and the
//! checks below hold the program to what it could know. After every run:
//! - nothing was acted on that the flags did not select, with the identity (ID, user, session
//!   name) the plan saw, at the moment of the call; never a protected row; the own session only
//!   with `--include-self` and only last;
//! - every report line is true: `logged_off` sessions are gone, sessions reported as not acted
//!   on had no call, sessions reported as acted on had one;
//! - the exit bits match the report;
//! - the logon mode is what it was (or the run says on stderr and in its exit code that
//!   `change logon` refused to put it back).
//!
//! `SIM_RUNS` and `SIM_SEED` choose how many runs and from which seed (`scripts/simulate` runs a
//! million); a failure prints its seed. With `--parallel` above 1 the calls reach the world in
//! the same order on a replay, but whether a failed logoff's outcome is known before the next
//! check (which then reads the table again) can differ, so a replay may take another path.

mod world;

use super::{run, Environment, Io};
use crate::host::fake::FakeHost;
use crate::host::LogonMode;
use crate::vocab::{ServerName, SessionId};
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use world::{Acted, Rng, Sess, St, World, OWN};

/// The flags of one run, drawn at random from the valid combinations.
fn flags(rng: &mut Rng) -> Vec<String> {
    let mut args: Vec<&str> = vec!["logoff-all", "--format", "json", "--timeout", "1s"];
    let disconnect = rng.chance(15);
    if disconnect {
        args.push("--disconnect");
    }
    if rng.chance(30) {
        args.push("--include-console");
    }
    if rng.chance(30) {
        args.push("--include-self");
    }
    let state = rng.below(4);
    match state {
        0 => args.extend(["--state", "disc"]),
        1 => args.extend(["--state", "active"]),
        _ => {}
    }
    if rng.chance(25) {
        args.push("--user");
        args.push(["a*", "*e", "bob", "*"][rng.below(4) as usize]);
    }
    if rng.chance(25) {
        args.push("--exclude-user");
        args.push(["bob", "c*", "svc_*", "admin"][rng.below(4) as usize]);
    }
    // A disconnected session has no name: --state disc with --session-name is refused.
    if state != 0 && rng.chance(20) {
        args.push("--session-name");
        args.push(["rdp-tcp#*", "rdp-tcp#1*"][rng.below(2) as usize]);
    }
    if rng.chance(30) {
        args.extend(["--warn", "Logging off", "--grace", "0"]);
        if rng.chance(30) {
            args.push("--even-if-unwarned");
        }
    }
    if rng.chance(25) {
        args.push("--drain");
    }
    if !disconnect {
        match rng.below(3) {
            0 => args.extend(["--verify-wait", "0"]),
            1 => args.extend(["--verify-wait", "1s", "--reset-stuck"]),
            _ => args.extend(["--verify-wait", "1s"]),
        }
    }
    // Logoffs one at a time, or several at once (the default is 4).
    match rng.below(3) {
        0 => args.extend(["--parallel", "1"]),
        1 => args.extend(["--parallel", "2"]),
        _ => {}
    }
    if rng.chance(10) {
        args.push("--dry-run");
    }
    args.into_iter().map(String::from).collect()
}

/// What the flags select, decided again here from the flags' words (an oracle independent of
/// the planner): whether session `s` may be acted on.
fn selected(args: &[String], s: &Sess, last: bool) -> bool {
    let has = |flag: &str| args.iter().any(|a| a == flag);
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let Some(user) = &s.user else { return false };
    if s.id == 0 || s.id >= 65536 || s.state == St::Listen {
        return false;
    }
    if s.id == 1 && !has("--include-console") {
        return false;
    }
    if (s.id == OWN) != last || (s.id == OWN && !has("--include-self")) {
        return false;
    }
    let glob = |pattern: &str, text: &str| {
        let p = pattern.to_lowercase();
        let t = text.to_lowercase();
        match (p.strip_prefix('*'), p.strip_suffix('*')) {
            (Some(""), _) => true,
            (Some(end), _) => t.ends_with(end),
            (_, Some(start)) => t.starts_with(start),
            _ => t == p,
        }
    };
    if let Some(p) = value("--user") {
        if !glob(&p, user) {
            return false;
        }
    }
    if let Some(p) = value("--exclude-user") {
        if glob(&p, user) {
            return false;
        }
    }
    match value("--state").as_deref() {
        Some("disc") if s.state != St::Disc => return false,
        Some("active") if s.state != St::Active => return false,
        _ => {}
    }
    if let Some(p) = value("--session-name") {
        match &s.name {
            Some(name) if glob(&p, name) => {}
            _ => return false,
        }
    }
    true
}

/// One seeded run; `Err` says which promise broke.
fn one(seed: u64) -> Result<(), String> {
    let stop = Arc::new(AtomicBool::new(false));
    let mut rng = Rng(seed ^ 0x5EED);
    let args = flags(&mut rng);
    let world = Arc::new(Mutex::new(World::new(seed, Arc::clone(&stop))));
    let mut config = crate::config::from_args(args.iter().map(std::ffi::OsString::from))
        .map_err(|e| format!("flags {args:?} refused: {e}"))?;
    // Waits in milliseconds, so a million runs fit in minutes.
    if !config.verify_wait.is_zero() {
        config.verify_wait = Duration::from_millis(rng.below(3));
    }
    let w = Arc::clone(&world);
    let mut host =
        FakeHost::new(move |call, _: Option<&ServerName>| w.lock().unwrap().answer(call));
    host.own_session = Some(SessionId::new(OWN));
    host.answer_first = true;
    let env = Environment {
        recheck_after: Duration::from_millis([0, 1, 10_000][rng.below(3) as usize]),
        stop: Arc::clone(&stop),
        ..Environment::default()
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run(
        &config,
        &host,
        &env,
        &mut Io {
            out: &mut out,
            err: &mut err,
            input: &mut &b""[..],
            console: None,
        },
    );
    let world = world.lock().unwrap();
    let before: Vec<Sess> = world.first.clone().unwrap_or_default();
    let said = String::from_utf8_lossy(&err).into_owned();
    let fail = |what: String| Err(format!("{what}\nflags: {args:?}\nstderr:\n{said}"));
    let report: Value = match serde_json::from_slice(&out) {
        Ok(v) => v,
        Err(_) if code.code() & 8 != 0 || code.code() == 16 => return Ok(()),
        Err(e) => return fail(format!("no JSON report ({e}), exit {}", code.code())),
    };
    let dry = args.iter().any(|a| a == "--dry-run");
    // 1. Every call that acted: selected by the flags, with the identity the plan saw, at the
    //    moment of the call; the own session only last.
    let acting: Vec<&Acted> = world.acted.iter().filter(|a| a.tool != "msg").collect();
    if dry && !world.acted.is_empty() {
        return fail(format!("a dry run acted: {:?}", world.acted));
    }
    for (n, a) in world.acted.iter().enumerate() {
        let last = a.id == OWN;
        if last && a.tool != "msg" && n + 1 != world.acted.len() {
            return fail(format!(
                "the own session was acted on before the end: {a:?}"
            ));
        }
        let Some(now) = &a.now else {
            // Gone since the last table: nobody else was reached.
            continue;
        };
        let planned = before.iter().find(|s| s.id == a.id);
        let Some(planned) = planned else {
            return fail(format!("acted on an ID the plan never saw: {a:?}"));
        };
        // The tables show ID, user and session name only: a session that is disconnected now
        // (no name) with the planned user passes for the planned one, as the README says (it
        // may be a new logon of that user that disconnected). Anything else must really be the
        // planned session, and a reset always.
        let passes = a.tool != "reset"
            && now.user == planned.user
            && now.name.is_none()
            && now.state == St::Disc
            && (planned.name.is_some() || planned.state == St::Disc);
        if now.serial != planned.serial && !passes {
            return fail(format!(
                "acted on another session: {a:?}, planned {planned:?}"
            ));
        }
        let msg_to_own = a.tool == "msg" && a.id == OWN;
        let chosen = if msg_to_own {
            selected(&args, now, true)
        } else {
            selected(&args, now, last)
        };
        if !chosen {
            return fail(format!(
                "acted on a session the flags did not select: {a:?}"
            ));
        }
    }
    // 2. The report is true.
    let failure_codes = [
        "failed",
        "timed_out",
        "still_present",
        "reset_failed",
        "not_warned",
    ];
    let mut failed = false;
    for row in report["sessions"].as_array().into_iter().flatten() {
        let Some(id) = row["id"].as_u64() else {
            continue;
        };
        let outcome = row["outcome"].as_str().unwrap_or("");
        let called = acting.iter().any(|a| u64::from(a.id) == id);
        failed |= failure_codes.contains(&outcome);
        match outcome {
            "logged_off" => {
                let planned = before.iter().find(|s| u64::from(s.id) == id);
                let still = world
                    .sessions
                    .iter()
                    .any(|s| planned.is_some_and(|p| p.serial == s.serial));
                if !called || still {
                    return fail(format!("reported logged_off but not so: {row}"));
                }
            }
            "gone_before_logoff" | "reused_id" | "not_warned" | "not_run" if called => {
                return fail(format!("reported {outcome} but a call was made: {row}"));
            }
            "failed" | "timed_out" | "already_gone" | "disconnected" | "reset" if !called => {
                return fail(format!("reported {outcome} but no call was made: {row}"));
            }
            _ => {}
        }
    }
    // 3. The exit bits match the report.
    let bits = code.code();
    let errors: Vec<&str> = report["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    // The own session goes after the report, and --drain steps have their own failures: both
    // may add bits the session rows do not show.
    let later = args.iter().any(|a| a == "--drain" || a == "--include-self");
    if bits != 16 && (bits & 1 != 0) != failed && !(later && bits & 1 != 0) {
        return fail(format!("exit {bits} against failures {failed}: {report}"));
    }
    if bits & 2 != 0 && !errors.contains(&"query_failed") && !later {
        return fail(format!("exit bit 2 with no query_failed error: {report}"));
    }
    if errors.contains(&"query_failed") && bits & 2 == 0 {
        return fail(format!("a query_failed error without exit bit 2 ({bits})"));
    }
    // Ctrl-C during a run that acts is said in the exit code (one that comes while the own
    // session goes last, after the code was decided, is not).
    if stop.load(Ordering::SeqCst) && bits & 8 == 0 && !dry && bits != 16 && !later {
        let acted_run = report["mode"] == "act";
        if acted_run {
            return fail(format!("stopped by Ctrl-C but exit {bits}"));
        }
    }
    // 4. The logon mode is what it was, or the run says loudly that it is not.
    let said_so = said.contains("the logon mode was NOT restored") && bits & 1 != 0;
    if world.mode != LogonMode::Enable && !said_so {
        return fail(format!("the logon mode was left {:?}", world.mode));
    }
    Ok(())
}

/// Runs `runs` seeds from `first`; panics naming the first seed that breaks a promise.
fn simulate(first: u64, runs: u64) {
    for seed in first..first + runs {
        if let Err(why) = one(seed) {
            panic!("simulation seed {seed} (replay: SIM_SEED={seed} SIM_RUNS=1): {why}");
        }
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A few thousand runs in every `cargo test`.
#[test]
fn a_busy_server_never_gets_a_wrong_action_or_a_false_report() {
    simulate(env_u64("SIM_SEED", 1), env_u64("SIM_RUNS", 3000));
}

/// The large run (`scripts/simulate`): `SIM_RUNS` seeds, a million by default.
#[test]
#[ignore]
fn a_busy_server_a_million_times() {
    simulate(env_u64("SIM_SEED", 1), env_u64("SIM_RUNS", 1_000_000));
}

//! Confirm: when a person can answer (standard input is a terminal) and `--yes` is not given,
//! show the plan and ask before anyone is logged off, whatever standard output is: the plan and
//! the question go to the console (the Windows console), or to standard error, never into the
//! report.

use super::voice::Voice;
use crate::act::ServerResult;
use crate::config::Mode;
use crate::report;
use std::io::{BufRead, Write};

/// Asks; `true` to go on (also when nobody can be asked).
pub(super) fn confirm(
    voice: &Voice<'_>,
    interactive: bool,
    console: Option<&mut dyn Write>,
    input: &mut dyn BufRead,
    results: &[ServerResult],
    planned: usize,
) -> bool {
    let config = voice.config;
    if config.yes || !interactive {
        return true;
    }
    {
        let mut guard = voice.err.lock().unwrap_or_else(|e| e.into_inner());
        let err: &mut dyn Write = match console {
            Some(console) => console,
            None => &mut **guard,
        };
        let _ = report::table::write(err, results, Mode::Act, None);
        let servers = results.iter().filter(|r| r.done.is_some()).count();
        let on = if servers == 1 {
            results
                .iter()
                .find(|r| r.done.is_some())
                .map_or(String::new(), |r| r.server.clone())
        } else {
            format!("{servers} servers")
        };
        let verb = config.verb.words();
        let mut verb = verb[..1].to_uppercase() + &verb[1..];
        if config.drain {
            verb = format!(
                "Drain new logons (change logon /drain) and {}",
                verb.to_lowercase()
            );
        }
        let _ = write!(err, "{verb} {planned} session(s) on {on}? [y/N] ");
        let _ = err.flush();
    }
    let mut answer = String::new();
    let _ = input.read_line(&mut answer);
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

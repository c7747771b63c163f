//! Summaries: counts per server and over all servers (planned, logged off, failed, skipped by
//! reason), and the words of the summary and progress lines.

use crate::act::outcome::OutcomeCode;
use crate::act::ServerResult;
use crate::config::Mode;
use crate::plan::Action;
use crate::plan::ReasonCode;
use crate::vocab::duration::Secs;
use crate::vocab::Verb;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// What happened, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Counts {
    /// Rows in the table(s).
    pub(crate) sessions: usize,
    /// Rows planned for logoff.
    pub(crate) planned: usize,
    /// Sessions logged off, verified or not (`outcomes` tells them apart).
    pub(crate) logged_off: usize,
    /// Sessions disconnected (`--disconnect`).
    pub(crate) disconnected: usize,
    /// Logoffs that failed, timed out or left the session present.
    pub(crate) failed: usize,
    /// Sessions whose idle time `--idle-over` could not read (skipped, or acted on with
    /// `--unknown-idle logoff`).
    pub(crate) unreadable_idle: usize,
    /// Every outcome, by code.
    pub(crate) outcomes: BTreeMap<OutcomeCode, usize>,
    /// Rows skipped, by reason code.
    pub(crate) skipped: BTreeMap<ReasonCode, usize>,
    /// What was (or is to be) done to the planned sessions, for the words.
    #[serde(skip)]
    pub(crate) verb: Verb,
}

impl Counts {
    /// The counts of one server.
    pub(crate) fn of(result: &ServerResult) -> Counts {
        let mut c = Counts::default();
        let Some(done) = &result.done else {
            return c;
        };
        c.verb = done.verb;
        c.unreadable_idle = done.plan.unreadable_idle();
        for (i, entry) in done.plan.entries.iter().enumerate() {
            c.sessions += 1;
            match entry.action {
                Action::Logoff => c.planned += 1,
                Action::Skip => *c.skipped.entry((&entry.reason).into()).or_default() += 1,
            }
            if let Some(o) = done.outcome(i) {
                let code = OutcomeCode::from(o);
                *c.outcomes.entry(code).or_default() += 1;
                // Logged off whether verified or not; the words say how many were not.
                c.logged_off += usize::from(OutcomeCode::done_by(Verb::Logoff).contains(&code));
                c.disconnected += usize::from(code == OutcomeCode::Disconnected);
                c.failed += usize::from(code.is_failure());
            }
        }
        c
    }

    /// Adds another server's counts.
    pub(crate) fn add(&mut self, other: &Counts) {
        self.sessions += other.sessions;
        self.planned += other.planned;
        self.logged_off += other.logged_off;
        self.disconnected += other.disconnected;
        self.failed += other.failed;
        self.unreadable_idle += other.unreadable_idle;
        if other.sessions > 0 {
            self.verb = other.verb;
        }
        for (k, v) in &other.outcomes {
            *self.outcomes.entry(*k).or_default() += v;
        }
        for (k, v) in &other.skipped {
            *self.skipped.entry(*k).or_default() += v;
        }
    }

    /// The counts in words: `3 logged off, 1 failed, 4 skipped`, or for a plan not executed
    /// `4 would be logged off` / `4 to log off` (`disconnected` with `--disconnect`).
    pub(crate) fn words(&self, mode: Mode, executed: bool) -> String {
        let mut parts = Vec::new();
        let done_codes = OutcomeCode::done_by(self.verb);
        let done_count: usize = done_codes
            .iter()
            .filter_map(|code| self.outcomes.get(code))
            .sum();
        if executed {
            let unverified = self
                .outcomes
                .get(&OutcomeCode::LoggedOffUnverified)
                .copied()
                .unwrap_or(0);
            parts.push(match unverified {
                0 => format!("{done_count} {}", self.verb.past()),
                n => format!("{done_count} {} ({n} unverified)", self.verb.past()),
            });
            for (code, n) in &self.outcomes {
                if !done_codes.contains(code) && *code != OutcomeCode::LoggedOffUnverified {
                    parts.push(format!("{n} {}", code.words()));
                }
            }
        } else if mode.is_dry_run() {
            parts.push(format!("{} would be {}", self.planned, self.verb.past()));
        } else {
            parts.push(format!("{} to {}", self.planned, self.verb.words()));
        }
        let skipped: usize = self.skipped.values().sum();
        parts.push(format!("{skipped} skipped"));
        parts.join(", ")
    }
}

/// One server's summary, as in the JSON `summary.servers`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ServerSummary {
    /// The server.
    pub(crate) server: String,
    /// The error code when the server was not done (or not finished); null when it was.
    pub(crate) error: Option<String>,
    /// Seconds the server took.
    pub(crate) seconds: f64,
    /// The counts.
    #[serde(flatten)]
    pub(crate) counts: Counts,
}

impl ServerSummary {
    /// The summary of one server.
    pub(crate) fn of(result: &ServerResult) -> ServerSummary {
        ServerSummary {
            server: result.server.clone(),
            error: result.error.as_ref().map(|e| e.kind().to_string()),
            seconds: round_seconds(result.elapsed),
            counts: Counts::of(result),
        }
    }
}

/// The total over every server, as in the JSON `summary.total`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Total {
    /// Servers in the run.
    pub(crate) servers: usize,
    /// Servers with an error (not queried, not understood, re-check failed).
    pub(crate) servers_failed: usize,
    /// The counts over all servers.
    #[serde(flatten)]
    pub(crate) counts: Counts,
}

impl Total {
    /// The total of these results.
    pub(crate) fn of(results: &[ServerResult]) -> Total {
        let mut t = Total {
            servers: results.len(),
            ..Total::default()
        };
        for r in results {
            t.servers_failed += usize::from(r.error.is_some());
            t.counts.add(&Counts::of(r));
        }
        t
    }
}

/// Seconds to one decimal place, for people and JSON.
pub(crate) fn round_seconds(d: Duration) -> f64 {
    (d.as_secs_f64() * 10.0).round() / 10.0
}

/// The progress line of a server that finished: `[2/10] TS02: 5 logged off, 1 failed, 3.2 s`.
pub(crate) fn progress_line(
    result: &ServerResult,
    position: usize,
    of: usize,
    mode: Mode,
) -> String {
    let executed = result.done.as_ref().is_some_and(|d| d.outcomes.is_some());
    let what = match (&result.error, &result.done) {
        (Some(e), _) if !executed => format!("not done ({})", e.kind()),
        (Some(e), _) => format!("{}; {}", Counts::of(result).words(mode, true), e.kind()),
        (None, _) => Counts::of(result).words(mode, executed),
    };
    format!(
        "[{position}/{of}] {}: {what}, {:.1} s",
        result.server,
        Secs(result.elapsed)
    )
}

/// The total line at the end of a run over several servers.
pub(crate) fn total_line(results: &[ServerResult], mode: Mode, elapsed: Duration) -> String {
    let total = Total::of(results);
    let executed = results
        .iter()
        .any(|r| r.done.as_ref().is_some_and(|d| d.outcomes.is_some()));
    let mut line = format!(
        "total: {} servers, {}",
        total.servers,
        total.counts.words(mode, executed)
    );
    if total.servers_failed > 0 {
        line.push_str(&format!(", {} server(s) not done", total.servers_failed));
    }
    line.push_str(&format!(", {:.1} s", Secs(elapsed)));
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unverified_logoffs_count_as_logged_off_and_still_present_as_failed_in_words() {
        let counts = Counts {
            planned: 4,
            logged_off: 2,
            failed: 1,
            outcomes: BTreeMap::from([
                (OutcomeCode::LoggedOff, 1),
                (OutcomeCode::LoggedOffUnverified, 1),
                (OutcomeCode::StillPresent, 1),
                (OutcomeCode::ReusedId, 1),
            ]),
            ..Counts::default()
        };
        assert_eq!(
            counts.words(Mode::Act, true),
            "2 logged off (1 unverified), 1 ID reused (left alone), 1 still present, 0 skipped"
        );
    }
}

//! Act: everything done to sessions, and the run's results. Confirmed plans come in; for each
//! server the stage warns (`--warn`, [`rounds`]), drains new logons ([`drain::run`]), re-checks
//! a stale table and logs off ([`server`]), verifies and resets ([`verify`]), and keeps the
//! caller's own session for last ([`last`]). It talks to the world only through [`Events`].

pub(crate) mod classify;
pub(crate) mod drain;
pub(crate) mod events;
pub(crate) mod execute;
pub(crate) mod gate;
pub(crate) mod last;
pub(crate) mod look;
pub(crate) mod outcome;
pub(crate) mod recheck;
pub(crate) mod results;
pub(crate) mod rounds;
pub(crate) mod server;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
pub(crate) mod verify;
pub(crate) mod warn;

pub(crate) use events::{Events, Record};
pub(crate) use look::Planner;
pub(crate) use results::{Done, ServerResult};

use crate::config::Config;
use crate::decode::CodePage;
use crate::exit_code::ExitCode;
use crate::host::{Host, LogonMode};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What acting needs: the flags, the machine, the way to read a server again, the way to tell
/// the world, and the run's Ctrl-C flag and drain record.
pub(crate) struct Stage<'a> {
    /// The flags.
    pub(crate) config: &'a Config,
    /// Runs the stock tools.
    pub(crate) host: &'a dyn Host,
    /// Reads and plans a server again (re-check, verification, the own session's last look).
    pub(crate) planner: Planner<'a>,
    /// Where lines and audit events go.
    pub(crate) events: &'a dyn Events,
    /// Decodes what the tools print, for messages.
    pub(crate) code_page: CodePage,
    /// Set by Ctrl-C: no new logoff, message or wait starts; what finished is reported.
    pub(crate) stop: &'a AtomicBool,
    /// What a second Ctrl-C puts back at once (`--drain`).
    pub(crate) undo: &'a drain::Undo,
    /// Read the table again before a logoff when it is older than this.
    pub(crate) recheck_after: Duration,
    /// Whether standard error is a terminal (the grace period is then a countdown).
    pub(crate) stderr_terminal: bool,
}

impl Stage<'_> {
    /// Says one line on standard error.
    pub(crate) fn say(&self, line: &str) {
        self.events.say(line);
    }

    /// Whether Ctrl-C asked the run to stop.
    pub(crate) fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// The gate's standing rules for `phase` of the run.
    pub(crate) fn rules(&self, phase: gate::Phase) -> gate::Rules {
        gate::Rules {
            max_age: self.recheck_after,
            stopping: self.stopping(),
            phase,
            unwarned: self.config.even_if_unwarned,
        }
    }

    /// Decodes a tool's message for display.
    pub(crate) fn text(&self, bytes: &[u8]) -> String {
        crate::source::lossy(bytes, self.code_page)
    }
}

/// Warns, drains (with `recorded`, from [`drain::run::prepare`]), then re-checks, logs off and
/// verifies on every server that has something planned, `--jobs` at a time; returns the exit
/// code of the drain steps (the sessions' own codes are in the results).
pub(crate) fn act(
    stage: &Stage<'_>,
    recorded: Option<LogonMode>,
    results: &mut [ServerResult],
) -> ExitCode {
    drain::run::around(stage, recorded, results, |results| {
        rounds::warn_and_wait(stage, results);
        // A server whose logoffs are done is verified on a thread of its own, so the worker
        // takes the next server at once; at most VERIFYING_PER_JOB × --jobs such threads.
        let jobs = stage.config.jobs;
        for_each_then(results, jobs, jobs * VERIFYING_PER_JOB, |r| {
            let started = Instant::now();
            let planned = r
                .done
                .as_ref()
                .is_some_and(|d| !d.plan.logoff_order().is_empty());
            let wrap_up = move |r: &mut ServerResult| {
                stage.events.server_acted(r);
                r.elapsed += started.elapsed();
                if planned {
                    stage.events.server_finished(r);
                }
            };
            match server::run(stage, r) {
                Some(looks) => Some(move || {
                    looks.finish(stage, r);
                    wrap_up(r);
                }),
                None => {
                    wrap_up(r);
                    None
                }
            }
        });
    })
}

/// How many servers each `--jobs` worker may leave verifying on their own threads: beyond that,
/// the worker verifies before it takes the next server, which bounds the queries at once.
pub(crate) const VERIFYING_PER_JOB: usize = 4;

/// Runs `first` on every item, `jobs` at a time; what it hands back runs on a thread of its
/// own (at most `behind` such threads at once; beyond that, on the worker), so the worker goes
/// on to the next item at once. Returns when all of it is done.
pub(crate) fn for_each_then<'s, T, F>(
    items: &'s mut [T],
    jobs: usize,
    behind: usize,
    first: impl Fn(&'s mut T) -> Option<F> + Sync,
) where
    T: Send + 's,
    F: FnOnce() + Send + 's,
{
    let workers = jobs.clamp(1, items.len().max(1));
    let queue = Mutex::new(items.iter_mut());
    let running = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let work = || loop {
            let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
            let Some(item) = next else {
                break;
            };
            let Some(then) = first(item) else {
                continue;
            };
            if running.fetch_add(1, Ordering::SeqCst) < behind {
                let running = &running;
                scope.spawn(move || {
                    then();
                    running.fetch_sub(1, Ordering::SeqCst);
                });
            } else {
                running.fetch_sub(1, Ordering::SeqCst);
                then();
            }
        };
        for _ in 1..workers {
            scope.spawn(work);
        }
        work();
    });
}

/// Runs `f` on every item, `jobs` at a time.
pub(crate) fn for_each<T: Send>(items: &mut [T], jobs: usize, f: impl Fn(&mut T) + Sync) {
    if jobs <= 1 || items.len() <= 1 {
        items.iter_mut().for_each(f);
        return;
    }
    let items_len = items.len();
    let queue = Mutex::new(items.iter_mut());
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(items_len) {
            scope.spawn(|| loop {
                let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                match next {
                    Some(item) => f(item),
                    None => break,
                }
            });
        }
    });
}

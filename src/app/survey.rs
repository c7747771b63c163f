//! Survey: read one server's table through the run's planner and keep the plan. A server that
//! fails, or has nothing more to do, is finished here.

use super::voice::Voice;
use crate::act::{Events, Planner, ServerResult};
use crate::config::Mode;
use crate::plan::Subject;
use std::time::Instant;

/// Reads and plans one server into `result`.
pub(super) fn survey(voice: &Voice<'_>, planner: &Planner<'_>, result: &mut ServerResult) {
    let started = Instant::now();
    match planner.look(result.target.as_ref()) {
        Ok(mut look) => {
            result.warnings.extend(std::mem::take(&mut look.warnings));
            result.done = Some(look.into_done(voice.config.verb));
            let lines: Vec<_> = result
                .done
                .iter()
                .flat_map(|d| d.plan.entries.iter())
                .filter_map(|e| match &e.subject {
                    Subject::Line(line) => Some(line),
                    Subject::Session(_) => None,
                })
                .collect();
            for warning in crate::table::summary::not_understood(&result.server, &lines) {
                voice.say(&warning);
            }
        }
        Err(e) if e.is_setup() => {
            voice.say(&format!("error: {e}"));
            result.error = Some(e);
            return;
        }
        Err(e) => {
            result.error = Some(e);
            voice.server_failed(result);
        }
    }
    result.elapsed += started.elapsed();
    let planned = result
        .done
        .as_ref()
        .is_some_and(|d| !d.plan.logoff_order().is_empty());
    if result.error.is_some() || voice.config.mode == Mode::DryRun || !planned {
        voice.finished(result);
    }
}

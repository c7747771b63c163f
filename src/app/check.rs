//! Check: `--check` says, reading only, whether a run with the other flags given would work on
//! this computer, and if not why and what to do; `--save-capture DIR` keeps what the tools
//! printed (see [`capture`]). The check runs `query session`, `query user` and `change logon
//! /query` and nothing else: never logoff, msg, tsdiscon, reset, eventcreate or another `change`.
//!
//! Exit code: 0 only when everything the flags need will work; otherwise the bits a run would
//! set: 2 a server cannot be queried (or the logon mode read), 4 an output is not understood,
//! 16 a tool the flags need is missing, `--drain` names another computer, or a folder can be
//! written by people who are not administrators (16 stands alone).

pub(crate) mod capture;
mod facts;

use super::{Environment, Io};
use crate::config::{Config, Format, Mode};
use crate::error::Error;
use crate::exit_code::{self, Cause, ExitCode};
use crate::host::about;
use crate::host::Host;
use crate::report::{self, Report};
use capture::{Folder, Recorder, Saved};
use std::sync::Mutex;

/// One line of the verdict: what, whether it works, and the cause it sets when it does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    /// `None`: works (or is only worth knowing); `Some`: will not work, with the cause.
    pub(crate) problem: Option<Cause>,
    /// What was found, and for a problem why and what to do.
    pub(crate) text: String,
}

impl Finding {
    fn ok(text: impl Into<String>) -> Finding {
        Finding {
            problem: None,
            text: text.into(),
        }
    }

    fn problem(cause: Cause, text: impl Into<String>) -> Finding {
        Finding {
            problem: Some(cause),
            text: text.into(),
        }
    }
}

/// `--check` and/or `--save-capture`: the check, or the run itself, through a recording host.
pub(crate) fn run(
    config: &Config,
    host: &dyn Host,
    env: &Environment,
    io: &mut Io<'_>,
) -> ExitCode {
    let folder = match &config.save_capture {
        None => None,
        Some(dir) => match Folder::create(dir) {
            Ok(folder) => Some(folder),
            Err(source) => {
                return Error::Setup {
                    flag: "--save-capture",
                    path: dir.clone(),
                    source,
                }
                .report(&mut *io.err)
            }
        },
    };
    let recorder = Recorder::new(host);
    let about = about::about();
    let check_text: Mutex<Option<String>> = Mutex::new(None);
    let saved = Mutex::new(None::<std::io::Result<()>>);
    let save = |plan: Option<&[u8]>, code: Option<ExitCode>| {
        let Some(folder) = &folder else { return };
        let text = check_text.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let mut done = saved.lock().unwrap_or_else(|e| e.into_inner());
        if done.is_none() {
            *done = Some(folder.save(&Saved {
                recorder: &recorder,
                about: &about,
                forced_code_page: config.code_page,
                plan,
                check: text.as_deref(),
                exit_code: code.map(ExitCode::code),
            }));
        }
    };
    let plan: Mutex<Option<Vec<u8>>> = Mutex::new(None);
    // The plan is kept; a run that acts is saved at once (before the own session's logoff),
    // a check once its verdict is known.
    let hook = |report: &Report<'_>, code: ExitCode| {
        let mut json = Vec::new();
        let json = report::write(&mut json, Format::Json, report, false).map(|()| json);
        match config.check {
            true => *plan.lock().unwrap_or_else(|e| e.into_inner()) = json.ok(),
            false => save(json.as_deref().ok(), Some(code)),
        }
    };

    let mut code = if config.check {
        let findings = facts::gather(config, &recorder, &about);
        let (text, mut code) = render(&findings);
        if let Err(e) = io
            .out
            .write_all(text.as_bytes())
            .and_then(|()| io.out.flush())
        {
            let _ = writeln!(
                io.err,
                "logoff-all: error: the --check report could not be written to standard \
                 output: {e}; it was lost"
            );
            code = code.with(Cause::OutputFailed);
        }
        *check_text.lock().unwrap_or_else(|e| e.into_inner()) = Some(text);
        if folder.is_some() {
            // The plan these flags make, as a dry run that writes nothing but the capture.
            let dry = Config {
                mode: if config.mode == Mode::List {
                    Mode::List
                } else {
                    Mode::DryRun
                },
                format: Format::Json,
                output: None,
                log: None,
                event_log: false,
                check: false,
                save_capture: None,
                ..config.clone()
            };
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let mut input = std::io::empty();
            let mut quiet = Io {
                out: &mut out,
                err: &mut err,
                input: &mut input,
                console: None,
            };
            let env = Environment {
                interactive: false,
                stderr_terminal: false,
                ..env.clone()
            };
            super::run_plan(&dry, &recorder, &env, &mut quiet, Some(&hook));
        }
        code
    } else {
        super::run_plan(config, &recorder, env, io, Some(&hook))
    };
    let kept = plan.lock().unwrap_or_else(|e| e.into_inner()).take();
    save(kept.as_deref(), Some(code));
    if let Some(folder) = &folder {
        let done = saved.lock().unwrap_or_else(|e| e.into_inner()).take();
        match done {
            Some(Ok(())) => {
                let _ = writeln!(
                    io.err,
                    "logoff-all: capture saved in {}",
                    folder.path.display()
                );
            }
            Some(Err(e)) => {
                let _ = writeln!(
                    io.err,
                    "logoff-all: error: the capture could not be saved in {}: {e}",
                    folder.path.display()
                );
                if config.check {
                    code = code.with(Cause::Usage);
                }
            }
            None => {}
        }
    }
    code
}

/// The verdict as text, and its exit code.
pub(crate) fn render(findings: &[(String, Vec<Finding>)]) -> (String, ExitCode) {
    let mut text = String::from(
        "logoff-all --check: reading only; nobody was logged off, messaged or disconnected and \
         nothing was changed\n",
    );
    let mut codes = Vec::new();
    let mut problems = 0;
    for (section, lines) in findings {
        text.push_str(&format!("\n{section}:\n"));
        for f in lines {
            let mark = match f.problem {
                None => "ok     ",
                Some(cause) => {
                    problems += 1;
                    codes.push(ExitCode::of(cause));
                    "PROBLEM"
                }
            };
            text.push_str(&format!("  {mark} {}\n", f.text));
        }
    }
    let code = exit_code::fold(codes);
    if problems == 0 {
        text.push_str("\nverdict: everything these flags need will work here (exit code 0)\n");
    } else {
        text.push_str(&format!(
            "\nverdict: {problems} problem(s) above; a run with these flags would not do all it \
             is asked (exit code {}: {})\n",
            code.code(),
            code.names().join(", ")
        ));
    }
    (text, code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_is_zero_only_without_problems_and_folds_the_causes() {
        let ok = vec![("tools".to_string(), vec![Finding::ok("query found")])];
        let (text, code) = render(&ok);
        assert_eq!(code, ExitCode::SUCCESS);
        assert!(text.contains("will work here (exit code 0)"), "{text}");
        let bad = vec![(
            "servers".to_string(),
            vec![
                Finding::ok("query found"),
                Finding::problem(Cause::QueryFailed, "query session failed"),
                Finding::problem(Cause::NotUnderstood, "query user not understood"),
            ],
        )];
        let (text, code) = render(&bad);
        assert_eq!(code.code(), 6);
        assert!(text.contains("2 problem(s)"), "{text}");
        assert!(text.contains("  PROBLEM query session failed"), "{text}");
    }
}

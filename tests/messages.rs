//! Messages and help as an admin meets them: every command-line error in one voice with its
//! reason, the help in sections on an 80-column console, and the slash form of every flag.
#![cfg(unix)]

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every error in one voice: `logoff-all: error: ...` and the `/?` hint, the parser's errors
/// included (they used to come in the parser's own format, without the prefix or the hint); a
/// suggestion only when it is close; and the cases that used to be called something else, or
/// accepted and failing later, each refused with its reason (exit 16).
#[test]
fn every_command_line_error_speaks_in_one_voice_with_its_reason() {
    let hint = "Run `logoff-all /?` (or --help) for the flags and examples.";
    for (args, says) in [
        (
            &["--frobnicate"][..],
            "--frobnicate is not a flag of logoff-all",
        ),
        (&["--format", "xml"], "invalid value 'xml' for '--format"),
        (&["--grace", "5m"], "--warn"),
        (
            &["--idle-over", "-5"],
            "--idle-over -5: a negative duration (-5) is refused",
        ),
        (&["--idle-over=-5m"], "a negative duration (-5m) is refused"),
        (
            &["-s", "TS01..contoso", "-n"],
            "invalid server name \"TS01..contoso\": it has an empty DNS label",
        ),
        (
            &["--state", "disc", "--session-name", "rdp*", "-n"],
            "--state disc cannot be used with --session-name \"rdp*\": a disconnected session \
             has no session name",
        ),
        (&["/server:"], "\"/server:\" names no server"),
    ] {
        let out = crate::common::run(args);
        assert_eq!(out.status.code(), Some(16), "{args:?}");
        let err = stderr(&out);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 2, "{args:?}: {err}");
        assert!(
            lines[0].starts_with("logoff-all: error: "),
            "{args:?}: {err}"
        );
        assert!(lines[0].contains(says), "{args:?}: {err}");
        assert_eq!(lines[1], hint, "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // A far guess is no help: `--frobnicate` is not offered `--format`.
    let err = stderr(&crate::common::run(&["--frobnicate"]));
    assert!(!err.contains("did you mean"), "{err}");
    assert!(!err.contains("unexpected argument"), "{err}");
}

/// The help in sections an admin scans (whom, what, where, what is written, testing), in that
/// order, every line within an 80-column console; it used to be 150 unwrapped lines in no order.
#[test]
fn help_is_in_sections_and_fits_an_80_column_console() {
    for flag in ["--help", "-h", "/?"] {
        let text = stdout(&crate::common::run(&[flag]));
        let at: Vec<usize> = [
            "Which sessions:",
            "What to do:",
            "Farm:",
            "Reports:",
            "Testing:",
        ]
        .iter()
        .map(|h| {
            text.find(&format!("\n{h}\n"))
                .unwrap_or_else(|| panic!("{flag}: {h}"))
        })
        .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{flag}: {at:?}");
        for line in text.lines() {
            assert!(line.chars().count() <= 80, "{flag}: {line}");
        }
    }
}

/// `/y` and `/n` used to be refused while `/server:` worked: the slash form of every flag runs.
#[test]
fn slash_forms_of_flags_are_accepted() {
    let input = crate::common::fixtures().join("en-2019-mixed.txt");
    let input = input.to_str().unwrap();
    for args in [
        &["/n", "/input", input][..],
        &["/dry-run", "/input:", input],
        &["/N", "/format:csv", "/input", input],
    ] {
        let out = crate::common::run(args);
        if args[1] == "/input:" {
            assert_eq!(out.status.code(), Some(16), "{args:?}");
            continue;
        }
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    }
    let out = crate::common::run(&["/y", "/input", input, "/format:json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(crate::common::json(&out)["mode"], "dry_run");
}

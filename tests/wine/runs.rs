//! End to end under Wine, continued: timeouts, exit codes, a dry run in JSON and Windows-style
//! flags, and tools planted where Windows would look first.

use super::*;

#[test]
#[ignore = "needs Wine and the Windows builds: scripts/test-all"]
fn hung_logoff_is_killed_at_the_timeout_and_the_rest_proceed() {
    for exe in exes() {
        let mut case = Case::new("hang", "en-2019-mixed.txt");
        case.set("STANDIN_LOGOFF_4", "hang");
        let started = Instant::now();
        // One at a time: the table is read again after the timeout, before the next logoff.
        let out = case.run(
            &exe,
            &["--parallel", "1", "--timeout", "3", "--format", "json"],
        );
        assert!(started.elapsed() < Duration::from_secs(60));
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        crate::common::assert_lines(
            &[
                "query session",
                "logoff 3",
                "logoff 4",
                "query session",
                "logoff 5",
                "logoff 6",
                "query session",
            ],
            &case.system32_calls(),
        );
        // Four at once (the default): the others start beside the hung one and finish.
        let out = case.run(&exe, &["--timeout", "3", "--format", "json"]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let calls = case.system32_calls();
        crate::common::assert_calls(
            &[
                "query session",
                "logoff 3",
                "logoff 4",
                "logoff 5",
                "logoff 6",
                "query session",
            ],
            &calls[calls.len() - 6..],
        );
        let report = json(&out);
        assert_eq!(
            report["sessions"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| s["outcome"] == "logged_off")
                .count(),
            3,
            "{report}"
        );
        let report = json(&out);
        let outcome = |id: u64| {
            report["sessions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["id"] == id)
                .unwrap()["outcome"]
                .clone()
        };
        assert_eq!(outcome(4), "timed_out");
        assert_eq!(outcome(5), "logged_off");
        assert_eq!(outcome(6), "logged_off");
    }
}

#[test]
#[ignore = "needs Wine and the Windows builds: scripts/test-all"]
fn exit_codes_for_query_failure_garbage_usage_and_success() {
    for exe in exes() {
        let mut case = Case::new("codes", "en-2019-console-user.txt");
        assert_eq!(case.run(&exe, &[]).status.code(), Some(0));
        assert_eq!(
            case.run(&exe, &["--codepage", "12345"]).status.code(),
            Some(16)
        );
        assert!(case.calls().is_empty(), "a usage error runs nothing");
        case.set(
            "STANDIN_QUERY_FILE",
            &win(&crate::common::fixtures().join("garbage-binary.txt")),
        );
        assert_eq!(case.run(&exe, &[]).status.code(), Some(4));
        crate::common::assert_calls(&["query session"], &case.system32_calls());
        case.set("STANDIN_QUERY_EXIT", "1");
        case.set(
            "STANDIN_QUERY_FILE",
            &win(&crate::common::fixtures().join("en-no-session-exists.txt")),
        );
        let out = case.run(&exe, &[]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(String::from_utf8_lossy(&out.stderr).contains("No session exists"));
        crate::common::assert_calls(&["query session"], &case.system32_calls());
    }
}

#[test]
#[ignore = "needs Wine and the Windows builds: scripts/test-all"]
fn dry_run_json_and_windows_style_server_and_help() {
    for exe in exes() {
        let case = Case::new("dry", "citrix-ica.txt");
        let out = case.run(&exe, &["/server:ts01", "-n", "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        crate::common::assert_calls(&["query session /server:ts01"], &case.system32_calls());
        let report = json(&out);
        assert_eq!(report["mode"], "dry_run");
        let planned: Vec<u64> = report["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["action"] == "logoff")
            .map(|s| s["id"].as_u64().unwrap())
            .collect();
        assert_eq!(planned, [2, 3, 4]);
        assert!(report["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["server"] == "ts01"));

        let out = case.run(&exe, &["/SERVER:ts01", "--yes"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        crate::common::assert_calls(
            &[
                "query session /server:ts01",
                "logoff 2 /server:ts01",
                "logoff 3 /server:ts01",
                "logoff 4 /server:ts01",
                "query session /server:ts01",
            ],
            &case.system32_calls(),
        );

        let out = case.run(&exe, &["/?"]);
        assert_eq!(out.status.code(), Some(0));
        assert!(String::from_utf8_lossy(&out.stdout).contains("--include-console"));
    }
}

#[test]
#[ignore = "needs Wine and the Windows builds: scripts/test-all"]
fn planted_query_and_logoff_in_cwd_and_beside_the_exe_are_not_run() {
    for exe in exes() {
        let mut case = Case::new("planted", "en-2019-console-user.txt");
        let beside = case.dir.join("app");
        std::fs::create_dir_all(&beside).unwrap();
        let copy = beside.join("logoff-all.exe");
        std::fs::copy(&exe, &copy).unwrap();
        for dir in [&case.dir, &beside] {
            for tool in ["query.exe", "logoff.exe", "QUERY.EXE"] {
                std::fs::copy(standin(), dir.join(tool)).unwrap();
            }
        }
        // The environment variable an earlier version read as a tools folder is ignored: only
        // --tools-dir overrides System32.
        case.set("LOGOFF_ALL_TOOLS_DIR", ".");
        let out = case.run_in(&copy, Some(&case.dir), &["--yes"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        // system32_calls panics on any call from elsewhere.
        crate::common::assert_calls(
            &["query session", "logoff 2", "query session"],
            &case.system32_calls(),
        );
    }
}

/// `--output` on a hard link to the `--exclude-file` (another name, one file) is refused before
/// anything runs: the file identity the exe asks Windows for (volume serial and file ID) finds
/// them the same, while another file with the same text is not.
#[test]
#[ignore = "needs Wine and the Windows builds: scripts/test-all"]
fn output_on_a_hard_link_to_the_exclude_file_is_refused() {
    for exe in exes() {
        let case = Case::new("hardlink", "en-2019-mixed.txt");
        let keep = case.dir.join("keep.txt");
        std::fs::write(&keep, "admin\r\n").unwrap();
        let link = case.dir.join("report.csv");
        let _ = std::fs::remove_file(&link);
        std::fs::hard_link(&keep, &link).unwrap();
        let args = [
            "-n",
            "--exclude-file",
            &win(&keep),
            "--format",
            "csv",
            "--output",
        ];
        let out = case.run(&exe, &[&args[..], &[&win(&link)]].concat());
        assert_eq!(out.status.code(), Some(16), "{}", text(&out));
        assert!(text(&out).contains("is the same file as"), "{}", text(&out));
        assert!(case.calls().is_empty(), "a usage error runs nothing");
        assert_eq!(std::fs::read_to_string(&keep).unwrap(), "admin\r\n");
        // Another file with the same text is another file.
        let other = case.dir.join("other.csv");
        std::fs::write(&other, "admin\r\n").unwrap();
        let out = case.run(&exe, &[&args[..], &[&win(&other)]].concat());
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }
}

//! `--check` under Wine: the real exes read the Windows version, the display language and the
//! folders' DACLs through the system calls (RtlGetVersion, GetUserDefaultUILanguage,
//! GetNamedSecurityInfoW and GetAce), and run nothing but reads.

use super::{exes, text, Case};

#[test]
#[ignore = "needs Wine and the Windows builds: scripts/test-all"]
fn check_reads_the_system_and_the_folders_permissions() {
    for exe in exes() {
        let case = Case::new("check", "en-2019-mixed.txt");
        let log = case.dir.join("logs");
        std::fs::create_dir_all(&log).unwrap();
        let log_arg = super::win(&log.join("audit.jsonl"));
        let out = case.run(&exe, &["--check", "--dry-run", "--log", &log_arg]);
        let said = text(&out);
        assert!(
            said.contains("  ok      Windows "),
            "{}: {said}",
            exe.display()
        );
        assert!(said.contains("display language 0x"), "{said}");
        assert!(!said.contains("not Windows"), "{said}");
        // The DACLs were read: each folder is judged, none "could not be read".
        assert!(
            !said
                .lines()
                .any(|l| l.contains("folder") && l.contains("could not be read")),
            "{said}"
        );
        assert!(said.contains("the exe's folder"), "{said}");
        assert!(
            said.contains("--log folder") && said.contains(&super::win(&log)),
            "{said}"
        );
        for call in case.system32_calls() {
            assert!(
                ["query session", "query user", "change logon /query"].contains(&call.as_str()),
                "{call}: {said}"
            );
        }
        // Wine builds a folder's DACL without Unix permissions' "other" bits, so a folder open
        // to everyone cannot be made here; that judgement is unit-tested in src/host/acl.rs.
        assert_eq!(out.status.code(), Some(0), "{said}");
    }
}

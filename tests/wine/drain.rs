//! --drain under Wine: the logon mode is read from the registry values `change logon` sets
//! (Wine's registry is real), so a `change logon /query` text in any language, or none, and
//! its exit code 1 do not stop the drain; the stand-in `change.exe` sets those values as the
//! real one does.

use super::{exes, prefix, text, Case, WINE};
use std::path::Path;
use std::process::Command;

const WINLOGON: &str = r"HKLM\Software\Microsoft\Windows NT\CurrentVersion\Winlogon";
const TERMINAL_SERVER: &str = r"HKLM\System\CurrentControlSet\Control\Terminal Server";

/// `reg ARGS` in `prefix`: its output.
pub(super) fn reg(prefix: &Path, args: &[&str]) -> String {
    let out = Command::new(WINE)
        .arg("reg")
        .args(args)
        .env("WINEPREFIX", prefix)
        .env("WINEDEBUG", "-all")
        .output()
        .expect("wine64 runs");
    assert!(out.status.success(), "reg {args:?}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Sets the two values in `prefix` as `change logon` would for `disabled` and `drain`.
pub(super) fn set_mode(prefix: &Path, disabled: &str, drain: &str) {
    reg(
        prefix,
        &[
            "add",
            WINLOGON,
            "/v",
            "WinStationsDisabled",
            "/t",
            "REG_SZ",
            "/d",
            disabled,
            "/f",
        ],
    );
    reg(
        prefix,
        &[
            "add",
            TERMINAL_SERVER,
            "/v",
            "TSServerDrainMode",
            "/t",
            "REG_DWORD",
            "/d",
            drain,
            "/f",
        ],
    );
}

/// The two values in `prefix` now, as `reg query` prints their data.
pub(super) fn mode(prefix: &Path) -> (String, String) {
    let value = |key: &str, name: &str| {
        let out = reg(prefix, &["query", key, "/v", name]);
        out.lines()
            .find(|l| l.contains(name))
            .and_then(|l| l.split_whitespace().last())
            .unwrap_or_default()
            .to_string()
    };
    (
        value(WINLOGON, "WinStationsDisabled"),
        value(TERMINAL_SERVER, "TSServerDrainMode"),
    )
}

#[test]
#[ignore = "needs Wine and the Windows builds: scripts/test-all"]
fn the_mode_comes_from_the_registry_in_any_language() {
    for exe in exes() {
        // The stand-in prints the same text whatever the mode, so only texts no table knows
        // (as on a German, Russian or Chinese server) or none: the registry alone decides.
        for query_text in [
            "Sitzungsanmeldungen sind zurzeit AKTIVIERT",
            "Вход в сеансы в настоящее время РАЗРЕШЕН",
            "当前已启用会话登录",
            "",
        ] {
            set_mode(prefix(), "0", "0");
            let mut case = Case::new("drain", "en-2019-mixed.txt");
            case.set("STANDIN_CHANGE_QUERY", query_text);
            let out = case.run(&exe, &["--drain", "--yes", "--verify-wait", "0"]);
            assert_eq!(out.status.code(), Some(0), "{query_text}: {}", text(&out));
            let calls = case.system32_calls();
            let changes: Vec<&str> = calls
                .iter()
                .filter(|c| c.starts_with("change"))
                .map(String::as_str)
                .collect();
            assert_eq!(
                changes,
                [
                    "change logon /query",
                    "change logon /drain",
                    "change logon /query",
                    "change logon /query",
                    "change logon /enable",
                    "change logon /query",
                ],
                "{query_text}: {calls:?}"
            );
            assert!(calls.iter().any(|c| c == "logoff 3"), "{calls:?}");
            assert_eq!(mode(prefix()), ("0".to_string(), "0x0".to_string()));
        }
        // Logons disabled in the registry: already blocked, left so, whatever the text says.
        set_mode(prefix(), "1", "0");
        let mut case = Case::new("drain-disabled", "en-2019-mixed.txt");
        case.set("STANDIN_CHANGE_QUERY", "当前已禁用会话登录");
        let out = case.run(&exe, &["--drain", "--yes", "--verify-wait", "0"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let calls = case.system32_calls();
        assert_eq!(
            calls.iter().filter(|c| c.starts_with("change")).count(),
            1,
            "{calls:?}"
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("already blocked"));
        assert_eq!(mode(prefix()), ("1".to_string(), "0x0".to_string()));
        set_mode(prefix(), "0", "0");
    }
}

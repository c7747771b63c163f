//! Code pages under Wine: the OEM code page comes from the system locale, and code pages
//! without a built-in table are decoded by Windows itself.

use super::{exes, json, text, Case};

#[test]
#[ignore = "needs Wine and the Windows builds: scripts/test-all"]
fn oem_code_page_comes_from_the_system_locale() {
    for exe in exes() {
        let mut case = Case::new("oem", "en-oem-cp850-user.txt");
        // Wine takes the OEM code page from the locale: de_DE → 850, en_US → 437.
        case.set("LANG", "de_DE.UTF-8").set("LC_ALL", "de_DE.UTF-8");
        let out = case.run(&exe, &["-n", "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let report = json(&out);
        assert_eq!(report["sessions"][1]["user"], "Jørgen");
        assert_eq!(report["sessions"][2]["user"], "Ångström");
        let case = Case::new("oem-us", "en-oem-cp850-user.txt");
        let report = json(&case.run(&exe, &["-n", "--format", "json"]));
        assert_eq!(
            report["sessions"][1]["user"], "J¢rgen",
            "CP437 reads 0x9B as ¢"
        );
    }
}

#[test]
#[ignore = "needs Wine and the Windows builds: scripts/test-all"]
fn code_pages_without_a_table_are_decoded_by_windows() {
    for exe in exes() {
        let mut case = Case::new("gbk", "zh-user-cp936.txt");
        // zh_CN → OEM code page 936, which only Windows itself can decode here.
        case.set("LANG", "zh_CN.UTF-8").set("LC_ALL", "zh_CN.UTF-8");
        let out = case.run(&exe, &["-n", "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert_eq!(json(&out)["sessions"][1]["user"], "张伟");
        let out = case.run(&exe, &["-n", "--codepage", "936", "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert_eq!(json(&out)["sessions"][1]["user"], "张伟");
    }
}

//! Unit tests of decoding: code pages, UTF-16, UTF-8, line ends and damaged bytes.
use super::*;

fn lines<'a>(d: &'a Decoded<'_>) -> Vec<&'a str> {
    d.lines.iter().map(|l| &*l.text).collect()
}

#[test]
fn oem_bytes_decode_with_the_default_code_page() {
    // "Müller" as CP850 writes it: ü is 0x81, which is not valid UTF-8.
    let d = decode(b" M\x81ller\r\n x\r\n", CodePage::Default(850)).unwrap();
    assert_eq!(d.encoding, Encoding::CodePage(850));
    assert_eq!(lines(&d), [" Müller", " x"]);
    assert!(d.lines.iter().all(|l| l.problem.is_none()));
}

#[test]
fn cp866_cyrillic_decodes() {
    let d = decode(
        b"\x88\x8C\x9F_\x91\x85\x80\x8D\x91\x80\n",
        CodePage::Forced(866),
    )
    .unwrap();
    assert_eq!(lines(&d), ["ИМЯ_СЕАНСА"]);
}

#[test]
fn cp932_double_bytes_decode_and_broken_pairs_are_marked() {
    let d = decode(
        b"\x83\x86\x81[\x83U\x81[\x96\xbc\n\x83\n",
        CodePage::Forced(932),
    )
    .unwrap();
    assert_eq!(d.lines[0].text, "ユーザー名");
    assert!(d.lines[0].problem.is_none());
    assert!(d.lines[1].problem.as_deref().unwrap().contains("0x83"));
}

#[test]
fn undefined_byte_marks_only_its_line() {
    // 0x81 has no character in Windows-1252.
    let d = decode(b"ok\nbad \x81 byte\nok\n", CodePage::Forced(1252)).unwrap();
    assert!(d.lines[0].problem.is_none());
    assert!(d.lines[1].text.contains('\u{FFFD}'));
    assert!(d.lines[1].problem.as_deref().unwrap().contains("0x81"));
    assert!(d.lines[2].problem.is_none());
}

#[test]
fn utf16le_with_and_without_bom() {
    let text = " ID  STATE\r\n 1  Disc\r\n";
    let units: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    for bytes in [units.clone(), [vec![0xFF, 0xFE], units].concat()] {
        let d = decode(&bytes, CodePage::Default(437)).unwrap();
        assert_eq!(d.encoding, Encoding::Utf16Le);
        assert_eq!(lines(&d), [" ID  STATE", " 1  Disc"]);
    }
}

#[test]
fn clean_utf8_is_recognised_unless_a_code_page_is_forced() {
    let bytes = "Jürgen\n".as_bytes();
    let d = decode(bytes, CodePage::Default(850)).unwrap();
    assert_eq!((d.encoding, &*d.lines[0].text), (Encoding::Utf8, "Jürgen"));
    let d = decode(bytes, CodePage::Forced(850)).unwrap();
    assert_eq!(d.encoding, Encoding::CodePage(850));
    assert_ne!(d.lines[0].text, "Jürgen");
}

#[test]
fn doubled_carriage_returns_end_a_line_cleanly() {
    let d = decode(b" a\r\r\n b\r\n c\r\r\n", CodePage::Default(437)).unwrap();
    assert_eq!(lines(&d), [" a", " b", " c"]);
    assert!(d.lines.iter().all(|l| l.problem.is_none()));
    let units: Vec<u8> = " a\r\r\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let bytes = [vec![0xFF, 0xFE], units].concat();
    let d = decode(&bytes, CodePage::Default(437)).unwrap();
    assert_eq!(lines(&d), [" a"]);
    assert!(d.lines[0].problem.is_none());
}

#[test]
fn the_first_line_shown_keeps_its_leading_spaces() {
    let d = decode(b"\r\n   x  y \r\n", CodePage::Default(437)).unwrap();
    assert_eq!(d.first_text(100), "   x  y");
}

#[test]
fn nul_and_control_bytes_mark_the_line() {
    let d = decode(b"a\x00b\nc\x1bd\ne\tf\n", CodePage::Default(437)).unwrap();
    assert!(d.lines[0].problem.is_some());
    assert!(d.lines[1].problem.is_some());
    assert!(
        d.lines[2].problem.is_none(),
        "tabs are the parser's to judge"
    );
}

#[test]
fn unsupported_code_page_is_an_error_naming_the_supported_ones() {
    let err = decode(b"\x80", CodePage::Forced(936)).unwrap_err();
    assert!(err.to_string().contains("936"));
    assert!(err.to_string().contains("850"));
}

/// Found by the fuzzer: a soft hyphen (CP850 0xF0) before `>` has no display width, so the
/// marker and the row read as if they began in column 0. Such a line is not clean.
#[test]
fn an_invisible_character_first_marks_the_line() {
    let bytes = b" SESSIONNAME       USERNAME                 ID  STATE\r\n\xf0>rdp-tcp#3         admin                     3  Active\r\n";
    let d = decode(bytes, CodePage::Forced(850)).unwrap();
    let problem = d.lines[1].problem.as_deref().unwrap_or("");
    assert!(problem.contains("U+00AD"), "{problem:?}");
    assert!(d.lines[0].problem.is_none());
}

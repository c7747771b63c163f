//! Code page 932 (Japanese Shift JIS): one or two bytes per character, by its tables.

use crate::decode::codepage_tables::{CP932_DOUBLE, CP932_SINGLE};
use crate::decode::undecodable;

/// Decodes one line; the problem names the first byte (or pair) that is not a character.
pub(super) fn line(raw: &[u8]) -> (String, Option<String>) {
    let mut text = String::with_capacity(raw.len());
    let mut problem = None;
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        let (ch, used) = if b < 0x80 {
            (Some(b as char), 1)
        } else if let Some(lead) = lead_index(b) {
            match raw.get(i + 1) {
                Some(&t) if (0x40..=0xFC).contains(&t) => {
                    let unit = CP932_DOUBLE[lead * 189 + usize::from(t - 0x40)];
                    (char::from_u32(u32::from(unit)).filter(|c| *c != '\0'), 2)
                }
                _ => (None, 1),
            }
        } else {
            let unit = CP932_SINGLE[usize::from(b - 0x80)];
            (char::from_u32(u32::from(unit)).filter(|c| *c != '\0'), 1)
        };
        if ch.is_none() && problem.is_none() {
            problem = Some(undecodable(932, &raw[i..i + used], i));
        }
        text.push(ch.unwrap_or(char::REPLACEMENT_CHARACTER));
        i += used;
    }
    (text, problem)
}

fn lead_index(b: u8) -> Option<usize> {
    match b {
        0x81..=0x9F => Some(usize::from(b - 0x81)),
        0xE0..=0xFC => Some(usize::from(b - 0xE0) + 31),
        _ => None,
    }
}

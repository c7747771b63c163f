//! Fuzz decode → parse → plan: no panic, and the safety invariant (tests/support/invariant.rs)
//! holds for whatever bytes query session / query user print, under any options.
//!
//! Input layout: byte 0 = option flags, bytes 1..3 = own session ID (little endian), then the
//! `query session` bytes; with the idle flag, `\n@@quser@@\n` splits off `query user` bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logoff_all::decode::CodePage;

#[path = "../../tests/support/invariant.rs"]
mod invariant;

const SPLIT: &[u8] = b"\n@@quser@@\n";

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let flags = data[0];
    let own = u16::from_le_bytes([data[1], data[2]]);
    let rest = &data[3..];
    let (sessions, users) = match rest.windows(SPLIT.len()).position(|w| w == SPLIT) {
        Some(at) => (&rest[..at], &rest[at + SPLIT.len()..]),
        None => (rest, &[][..]),
    };
    let code_page = match (flags >> 4) & 7 {
        0 => CodePage::Default(437),
        1 => CodePage::Forced(850),
        2 => CodePage::Forced(866),
        3 => CodePage::Forced(932),
        4 => CodePage::Forced(65001),
        5 => CodePage::Forced(1252),
        6 => CodePage::Default(850),
        _ => CodePage::Forced(437),
    };
    let opts = invariant::Opts {
        include_console: flags & 1 != 0,
        include_self: flags & 2 != 0,
        own_session: (flags & 4 != 0).then_some(u32::from(own)),
        code_page,
        idle_over: (flags & 8 != 0).then_some(u64::from(own % 600)),
    };
    if let Err(violation) = invariant::check(sessions, users, opts) {
        panic!("safety invariant violated: {violation}");
    }
});

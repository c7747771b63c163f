//! Identifiers checked once and trusted after: a server name safe to pass as `/server:NAME`, and
//! a session ID that is only ever a plain decimal number.

use crate::vocab::text::quote;
use std::fmt;

/// A Remote Desktop session ID: a plain decimal number, the only thing ever passed to `logoff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionId(u32);

impl SessionId {
    /// IDs from this value up belong to listeners on Windows Server 2008 and later.
    pub const FIRST_LISTENER: u32 = 65536;

    /// Wraps a number known to be a session ID.
    pub fn new(id: u32) -> Self {
        SessionId(id)
    }

    /// Reads a session ID from text made only of ASCII decimal digits (no sign, no spaces,
    /// no leading zero: `query` never prints one, so `01` is damage, not session 1).
    pub fn parse(text: &str) -> Option<Self> {
        if text.is_empty() || text.len() > 10 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if text.len() > 1 && text.starts_with('0') {
            return None;
        }
        text.parse().ok().map(SessionId)
    }

    /// The number itself.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A server name checked to be safe to pass to `query` and `logoff` as `/server:NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerName(String);

impl ServerName {
    /// Accepts a NetBIOS or DNS name or an IPv4 address: letters, digits, `-`, `.`, `_`,
    /// starting with a letter, digit or `_`, at most 253 characters, no empty label (one final
    /// dot of a rooted name is allowed) and none over 63 characters; a leading `\\` is dropped.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let name = text.strip_prefix(r"\\").unwrap_or(text);
        let ok = |c: char| c.is_ascii_alphanumeric() || c == '_';
        let valid = name.len() <= 253
            && name.starts_with(ok)
            && name.chars().all(|c| ok(c) || c == '.' || c == '-');
        // A rooted name (`ts01.contoso.com.`) may end in one dot.
        let labels = || name.strip_suffix('.').unwrap_or(name).split('.');
        if valid && labels().any(str::is_empty) {
            Err(format!(
                "invalid server name {}: it has an empty DNS label (two dots in a row); write the name as TS01 or ts01.contoso.com",
                quote(text)
            ))
        } else if valid && labels().any(|label| label.len() > 63) {
            Err(format!(
                "invalid server name {}: a DNS label (the part between two dots) is longer than \
                 63 characters; check the name",
                quote(text)
            ))
        } else if valid {
            Ok(ServerName(name.to_string()))
        } else {
            Err(format!(
                "invalid server name {}: use a computer name, DNS name or IPv4 address \
                 (letters, digits, '-', '.', '_')",
                quote(text)
            ))
        }
    }

    /// The name as given (without a leading `\\`).
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_names_are_validated() {
        for ok in [
            "TS01",
            "ts-01.corp.example.com",
            "10.0.0.5",
            r"\\TS01",
            "_srv",
        ] {
            assert!(ServerName::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-x",
            "/x",
            "ts 01",
            "ts01&calc",
            "ts01\"",
            "a;b",
            "ts01\n",
            "..",
            "ünï",
        ] {
            assert!(ServerName::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(ServerName::parse(r"\\TS01").unwrap().as_str(), "TS01");
    }

    /// `TS01..contoso` used to be accepted and fail later, at the query: an empty label is
    /// refused with its reason when the name is read.
    #[test]
    fn an_empty_dns_label_is_refused_with_its_reason() {
        for bad in ["TS01..contoso", "ts01.contoso..", "a..b.c"] {
            let e = ServerName::parse(bad).unwrap_err();
            assert!(e.contains("empty DNS label"), "{bad}: {e}");
        }
        let long = format!("ts01.{}.com", "x".repeat(64));
        assert!(ServerName::parse(&long).unwrap_err().contains("63"));
    }
}

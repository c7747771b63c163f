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
    /// starting with a letter, digit or `_`, at most 253 characters; a leading `\\` is dropped.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let name = text.strip_prefix(r"\\").unwrap_or(text);
        let ok = |c: char| c.is_ascii_alphanumeric() || c == '_';
        let valid = name.len() <= 253
            && name.starts_with(ok)
            && name.chars().all(|c| ok(c) || c == '.' || c == '-');
        if valid {
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
}

//! Query: sessions read by running the stock `query session` (and `query user`), optionally
//! with `/server:NAME`, telling a failed query apart from a table.

use super::{counter_warning, idle_table, lossy, session_table, Snapshot, Source};
use crate::decode::CodePage;
use crate::error::{Error, QueryError};
use crate::host::runner::{Output, RunError};
use crate::host::{Call, Host, HostError, Locality};
use crate::table::idle::IdleTable;
use crate::vocab::one_line;
use crate::vocab::ServerName;
use regex::Regex;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The stock tools, run on a server through the host.
pub(crate) struct Query<'a> {
    /// Runs the tools and answers what this computer is.
    pub(crate) host: &'a dyn Host,
    /// Time each `query` may take.
    pub(crate) timeout: Duration,
    /// How to decode what they print.
    pub(crate) code_page: CodePage,
}

impl Source for Query<'_> {
    fn read(&self, server: Option<&ServerName>, idle: bool) -> Result<Snapshot, Error> {
        let text = |b: &[u8]| lossy(b, self.code_page);
        // The table's age counts from before the query: a slow query does not make it younger.
        let read_at = Instant::now();
        let captured = sessions(self.host, server, self.timeout, &text)?;
        let mut warnings = Vec::new();
        let stderr = one_line(&text(&captured.stderr));
        if !stderr.is_empty() {
            warnings.push(format!("query session also printed on stderr: {stderr}"));
        }
        let locality = server.map_or(Locality::Local, |s| self.host.locality(s));
        let table = session_table(&captured.stdout, self.code_page)?;
        warnings.extend(counter_warning(&table));
        let idle = match idle {
            true => self.read_idle(server)?,
            false => None,
        };
        Ok(Snapshot {
            table,
            idle,
            read_at,
            own_session: match locality {
                Locality::Local => self.host.own_session(),
                Locality::Remote | Locality::Unknown => None,
            },
            // When the server cannot be told from this computer, the caller's own user marks
            // the sessions that may be the caller's own.
            own_user: match locality {
                Locality::Unknown => self.host.own_user(),
                Locality::Local | Locality::Remote => None,
            },
            warnings,
            whole: super::ends_with_line_end(&captured.stdout),
        })
    }

    fn read_idle(&self, server: Option<&ServerName>) -> Result<Option<IdleTable>, Error> {
        let text = |b: &[u8]| lossy(b, self.code_page);
        match users(self.host, server, self.timeout, &text)? {
            None => Ok(Some(IdleTable::default())),
            Some(captured) => idle_table(&captured.stdout, self.code_page).map(Some),
        }
    }
}

/// What `query session` printed when it succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Captured {
    /// Standard output: the table.
    pub(crate) stdout: Vec<u8>,
    /// Standard error: normally empty.
    pub(crate) stderr: Vec<u8>,
}

/// Runs `query session` on `server` and returns its output, or why there is no table to read;
/// `text` decodes a message for display.
fn sessions(
    host: &dyn Host,
    server: Option<&ServerName>,
    timeout: Duration,
    text: &dyn Fn(&[u8]) -> String,
) -> Result<Captured, QueryError> {
    let what = "query session";
    classify(
        start(host, &Call::QuerySession, server, what, timeout)?,
        what,
        text,
    )
}

fn start(
    host: &dyn Host,
    call: &Call<'_>,
    server: Option<&ServerName>,
    what: &'static str,
    timeout: Duration,
) -> Result<Output, QueryError> {
    match host.run(call, server, timeout) {
        Ok(output) => Ok(output),
        Err(HostError::Tool(e)) => Err(QueryError::Tool(e)),
        Err(HostError::Run(RunError::TimedOut { .. })) => {
            Err(QueryError::TimedOut { what, timeout })
        }
        Err(HostError::Run(RunError::Cut { .. })) => Err(QueryError::Stopped { what }),
        Err(HostError::Run(e)) => Err(QueryError::Run(e)),
    }
}

fn classify(
    output: Output,
    what: &'static str,
    text: &dyn Fn(&[u8]) -> String,
) -> Result<Captured, QueryError> {
    let message = || {
        let joined = [text(&output.stderr), text(&output.stdout)].join(" ");
        one_line(&joined)
    };
    if !output.success() {
        return Err(QueryError::Failed {
            what,
            code: output.code.unwrap_or(-1),
            message: message(),
        });
    }
    if output.stdout.iter().all(u8::is_ascii_whitespace) {
        return Err(if output.stderr.iter().all(u8::is_ascii_whitespace) {
            QueryError::Empty { what }
        } else {
            QueryError::ErrorText {
                what,
                message: message(),
            }
        });
    }
    Ok(Captured {
        stdout: output.stdout,
        stderr: output.stderr,
    })
}

/// Runs `query user`; `Ok(None)` when it says nobody is logged on ("No User exists for *" on
/// stderr with a non-zero exit code, and nothing on stdout), which is not an error.
fn users(
    host: &dyn Host,
    server: Option<&ServerName>,
    timeout: Duration,
    text: &dyn Fn(&[u8]) -> String,
) -> Result<Option<Captured>, QueryError> {
    let what = "query user";
    let output = start(host, &Call::QueryUser, server, what, timeout)?;
    if says_nobody(&output, text) {
        return Ok(None);
    }
    classify(output, what, text).map(Some)
}

/// Whether `query user` answered that nobody is logged on: "No User exists for *" and nothing
/// else, on either stream (it is stderr on a console; a capture that merges the streams puts it
/// on stdout), with exit code 1 (seen) or 0. "No User exists for NAME" is not it: it is also
/// the answer when the caller lacks the rights.
fn says_nobody(output: &Output, text: &dyn Fn(&[u8]) -> String) -> bool {
    let said = one_line(&[text(&output.stdout), text(&output.stderr)].join(" "));
    matches!(output.code, Some(0 | 1)) && said.eq_ignore_ascii_case("no user exists for *")
}

/// Whether text that holds no table reads like one of the stock tools' error messages
/// ("No session exists for *", "Error 5 getting Session Names", RPC errors, access denied, in
/// any language a bracketed error number or a hex code; the usage text after "Invalid
/// parameter(s)").
pub(crate) fn looks_like_error(text: &str) -> bool {
    static PATTERN: OnceLock<Option<Regex>> = OnceLock::new();
    PATTERN
        .get_or_init(|| {
            // A constant pattern, compiled in a test; were it ever refused, no text would read
            // as an error and the output would be reported as not understood: nobody is
            // logged off either way.
            Regex::new(
                r"(?i-u)no session exists|no user exists|error\s*\[?\d+\]?|\[\d+\]\s*:|\b0x[0-9a-f]{8}\b|getting session names|rpc server|access is denied|could not|is not recognized|invalid parameter",
            )
            .ok()
        })
        .as_ref()
        .is_some_and(|p| p.is_match(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_error_texts_are_recognised() {
        assert!(looks_like_error("No session exists for *"));
        assert!(looks_like_error("Error 5 getting Session Names"));
        assert!(looks_like_error(
            "Error [1722]:The RPC server is unavailable."
        ));
        assert!(!looks_like_error("SESSIONNAME USERNAME ID STATE"));
        // Any language: a bracketed error number before a colon, or a hex error code.
        assert!(looks_like_error("Ошибка [5]:Отказано в доступе"));
        assert!(looks_like_error("Ошибка 0x00000005 перечисления сеансов"));
        assert!(!looks_like_error(" services  0  Disc"));
    }

    #[test]
    fn only_no_user_for_star_means_nobody() {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let out = |code, stdout: &str, stderr: &str| Output {
            code: Some(code),
            stdout: stdout.as_bytes().to_vec(),
            stderr: stderr.as_bytes().to_vec(),
        };
        assert!(says_nobody(&out(1, "", "No User exists for *\r\n"), &text));
        assert!(says_nobody(&out(1, "No User exists for *\n", ""), &text));
        assert!(says_nobody(&out(0, "", "No User exists for *"), &text));
        for (code, stderr) in [
            (1, "No User exists for console"),
            (1, "No User exists for foo"),
            (5, "No User exists for *"),
            (1, "Error [5]:Access is denied."),
        ] {
            assert!(!says_nobody(&out(code, "", stderr), &text), "{stderr}");
        }
    }
}

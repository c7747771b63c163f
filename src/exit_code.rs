//! Exit codes as bits, like robocopy: every cause of a run that did not fully succeed sets its
//! own bit, so a scheduler sees them all at once. [`TABLE`] is the one place they are written
//! down; `--help` prints it and a test holds README.md to it.

use std::fmt;

/// One documented exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// The number (0, or one bit).
    pub code: u8,
    /// A stable name for programs (JSON `exit_code.bits`).
    pub name: &'static str,
    /// What it means, for people.
    pub meaning: &'static str,
}

/// Every exit code: 0, then one row per bit in bit order ([`Cause`] indexes rows 1..).
pub const TABLE: [Row; 7] = [
    Row {
        code: 0,
        name: "success",
        meaning: "everything planned was done, or there was nothing to do, or a dry run",
    },
    Row {
        code: 1,
        name: "logoff_failed",
        meaning: "a logoff or disconnect failed, timed out or left the session present (the others were still done)",
    },
    Row {
        code: 2,
        name: "query_failed",
        meaning: "a server could not be queried; nobody on it was logged off",
    },
    Row {
        code: 4,
        name: "not_understood",
        meaning: "output or rows were not understood and were skipped",
    },
    Row {
        code: 8,
        name: "cancelled",
        meaning: "cancelled at the prompt or stopped by Ctrl-C",
    },
    Row {
        code: 16,
        name: "usage",
        meaning: "usage or setup error; nothing was done (never combined with the others)",
    },
    Row {
        code: 32,
        name: "output_failed",
        meaning: "the report or the audit log could not be written in full (disk full, standard output closed); what was done stands",
    },
];

/// One reason for a non-zero exit code; each sets one bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// 1: a logoff (or disconnect) failed, timed out or left the session present.
    LogoffFailed = 1,
    /// 2: a server could not be queried (query missing, failed, timed out, printed an error).
    QueryFailed = 2,
    /// 4: the output, or some rows of it, were not understood and were skipped.
    NotUnderstood = 3,
    /// 8: the prompt was declined, or Ctrl-C stopped the run.
    Cancelled = 4,
    /// 16: the command line or the setup is wrong; nothing was done.
    Usage = 5,
    /// 32: the report or the audit log could not be written in full.
    OutputFailed = 6,
}

impl Cause {
    /// Every cause, in bit order.
    pub const ALL: [Cause; 6] = [
        Cause::LogoffFailed,
        Cause::QueryFailed,
        Cause::NotUnderstood,
        Cause::Cancelled,
        Cause::Usage,
        Cause::OutputFailed,
    ];

    /// Its row of [`TABLE`].
    pub fn row(self) -> &'static Row {
        &TABLE[self as usize]
    }

    /// Its bit.
    pub fn bit(self) -> u8 {
        self.row().code
    }
}

/// How a run ended: a set of causes; empty is success. A usage error stands alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExitCode(u8);

impl ExitCode {
    /// 0: success.
    pub const SUCCESS: ExitCode = ExitCode(0);

    /// The code with this one cause.
    pub fn of(cause: Cause) -> ExitCode {
        ExitCode(cause.bit())
    }

    /// This code and `cause` too (a usage error replaces everything else).
    pub fn with(self, cause: Cause) -> ExitCode {
        fold([self, ExitCode::of(cause)])
    }

    /// Whether `cause` is set.
    pub fn has(self, cause: Cause) -> bool {
        self.0 & cause.bit() != 0
    }

    /// The causes set, in bit order.
    pub fn causes(self) -> Vec<Cause> {
        Cause::ALL.into_iter().filter(|c| self.has(*c)).collect()
    }

    /// The names of the bits set (empty for success).
    pub fn names(self) -> Vec<&'static str> {
        self.causes().iter().map(|c| c.row().name).collect()
    }

    /// The process exit status.
    pub fn code(self) -> u8 {
        self.0
    }

    /// Whether nothing went wrong.
    pub fn is_success(self) -> bool {
        self.0 == 0
    }
}

impl From<Cause> for ExitCode {
    fn from(cause: Cause) -> ExitCode {
        ExitCode::of(cause)
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(code: ExitCode) -> std::process::ExitCode {
        std::process::ExitCode::from(code.0)
    }
}

impl fmt::Display for ExitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = self.names();
        if names.is_empty() {
            write!(f, "0 (success)")
        } else {
            write!(f, "{} ({})", self.0, names.join(" + "))
        }
    }
}

/// Folds many results (one per server, session or step) into one code: the bits are ORed,
/// except that a usage error stands alone.
pub fn fold(codes: impl IntoIterator<Item = ExitCode>) -> ExitCode {
    let bits = codes.into_iter().fold(0u8, |acc, c| acc | c.0);
    if bits & Cause::Usage.bit() != 0 {
        ExitCode::of(Cause::Usage)
    } else {
        ExitCode(bits)
    }
}

/// The table as plain text for `--help`: one line per code.
pub fn help_text() -> String {
    let mut text = String::from("Exit codes (added together when several apply, like robocopy):\n");
    for row in TABLE {
        text.push_str(&format!("  {:>2}  {}\n", row.code, row.meaning));
    }
    text
}

/// The table as Markdown, as README.md shows it.
pub fn markdown() -> String {
    let mut text = String::from("| code | name | meaning |\n|---|---|---|\n");
    for row in TABLE {
        text.push_str(&format!(
            "| {} | `{}` | {} |\n",
            row.code, row.name, row.meaning
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_zero_then_one_bit_per_cause_in_order() {
        assert_eq!(TABLE[0].code, 0);
        for (i, cause) in Cause::ALL.iter().enumerate() {
            assert_eq!(cause.bit(), 1 << i, "{cause:?}");
            assert_eq!(cause.row(), &TABLE[i + 1]);
        }
        let mut names: Vec<&str> = TABLE.iter().map(|r| r.name).collect();
        names.dedup();
        assert_eq!(names.len(), TABLE.len());
    }

    #[test]
    fn fold_ors_the_bits() {
        assert_eq!(fold([]), ExitCode::SUCCESS);
        let failed = ExitCode::of(Cause::LogoffFailed);
        let down = ExitCode::of(Cause::QueryFailed);
        assert_eq!(fold([failed, ExitCode::SUCCESS, down]).code(), 3);
        assert_eq!(fold([failed, failed]).code(), 1);
        let all = fold(
            [
                Cause::LogoffFailed,
                Cause::QueryFailed,
                Cause::NotUnderstood,
                Cause::Cancelled,
            ]
            .map(ExitCode::of),
        );
        assert_eq!(all.code(), 15);
        assert_eq!(
            all.names(),
            [
                "logoff_failed",
                "query_failed",
                "not_understood",
                "cancelled"
            ]
        );
        assert_eq!(
            all.to_string(),
            "15 (logoff_failed + query_failed + not_understood + cancelled)"
        );
    }

    #[test]
    fn usage_stands_alone() {
        let usage = ExitCode::of(Cause::Usage);
        assert_eq!(fold([ExitCode::of(Cause::LogoffFailed), usage]), usage);
        assert_eq!(
            ExitCode::of(Cause::QueryFailed).with(Cause::Usage).code(),
            16
        );
        assert_eq!(usage.with(Cause::Cancelled).code(), 16);
        assert_eq!(usage.with(Cause::OutputFailed).code(), 16);
    }

    #[test]
    fn output_failed_adds_to_the_outcome_bits() {
        let code = ExitCode::of(Cause::LogoffFailed).with(Cause::OutputFailed);
        assert_eq!(code.code(), 33);
        assert_eq!(code.names(), ["logoff_failed", "output_failed"]);
    }

    #[test]
    fn help_and_markdown_list_every_row() {
        for row in TABLE {
            assert!(help_text().contains(row.meaning));
            assert!(markdown().contains(&format!("| {} | `{}` |", row.code, row.name)));
        }
    }
}

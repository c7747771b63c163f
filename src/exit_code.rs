//! Exit codes: one documented number per way a run can end, and the fold of many outcomes into
//! one code for a scheduled task's `%ERRORLEVEL%`. The same table is in README.md.

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitCode {
    /// 0: every planned logoff succeeded (or the session was already gone), or nothing to do,
    /// or a dry run.
    Success = 0,
    /// 1: at least one planned logoff failed or timed out; the others were still done.
    LogoffFailed = 1,
    /// 2: the command line is wrong, or `--input` cannot be read; nothing was done.
    Usage = 2,
    /// 3: `query session` could not be run, failed, timed out, printed an error or nothing;
    /// nobody was logged off.
    QueryFailed = 3,
    /// 4: the output was not recognised as a session table (no header, unknown code page);
    /// nobody was logged off.
    NotUnderstood = 4,
    /// 5: the confirmation prompt was declined; nobody was logged off.
    Cancelled = 5,
    /// 6: stopped by Ctrl-C; what finished is reported, the rest was not run.
    Interrupted = 6,
}

impl ExitCode {
    /// The process exit status.
    pub fn code(self) -> i32 {
        self as i32
    }

    /// How bad it is when several results are folded: a whole server left untouched is worse
    /// than a failed logoff, which is worse than success.
    fn severity(self) -> u8 {
        match self {
            ExitCode::Success => 0,
            ExitCode::Cancelled => 1,
            ExitCode::LogoffFailed => 2,
            ExitCode::NotUnderstood => 3,
            ExitCode::QueryFailed => 4,
            ExitCode::Interrupted => 5,
            ExitCode::Usage => 6,
        }
    }
}

/// Folds many results (one per server, or per logoff) into the worst.
pub fn fold(codes: impl IntoIterator<Item = ExitCode>) -> ExitCode {
    codes
        .into_iter()
        .max_by_key(|c| c.severity())
        .unwrap_or(ExitCode::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_the_documented_ones() {
        let all = [
            ExitCode::Success,
            ExitCode::LogoffFailed,
            ExitCode::Usage,
            ExitCode::QueryFailed,
            ExitCode::NotUnderstood,
            ExitCode::Cancelled,
            ExitCode::Interrupted,
        ];
        assert_eq!(all.map(ExitCode::code), [0, 1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn fold_keeps_the_worst() {
        assert_eq!(fold([]), ExitCode::Success);
        assert_eq!(
            fold([ExitCode::Success, ExitCode::LogoffFailed]),
            ExitCode::LogoffFailed
        );
        assert_eq!(
            fold([
                ExitCode::LogoffFailed,
                ExitCode::QueryFailed,
                ExitCode::Success
            ]),
            ExitCode::QueryFailed
        );
        assert_eq!(
            fold([ExitCode::NotUnderstood, ExitCode::LogoffFailed]),
            ExitCode::NotUnderstood
        );
    }
}

//! Tools: find the stock programs (`query`, `logoff`, `msg`, `eventcreate`, `tsdiscon`, `reset`,
//! `change`) by absolute path, never from the current directory or the executable's own folder.

use crate::host::system;
use std::path::{Path, PathBuf};

/// A stock Windows program this tool runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tool {
    /// `query.exe` (`query session`).
    Query,
    /// `logoff.exe`.
    Logoff,
    /// `msg.exe`.
    Msg,
    /// `eventcreate.exe`.
    EventCreate,
    /// `tsdiscon.exe`.
    TsDiscon,
    /// `reset.exe` (`reset session`).
    Reset,
    /// `change.exe` (`change logon`).
    Change,
}

impl Tool {
    /// Every tool, in declaration order (a tool's index is its position here).
    pub(crate) const ALL: [Tool; 7] = [
        Tool::Query,
        Tool::Logoff,
        Tool::Msg,
        Tool::EventCreate,
        Tool::TsDiscon,
        Tool::Reset,
        Tool::Change,
    ];

    /// The file name: `query.exe` on Windows, `query` elsewhere (test stand-ins).
    pub(crate) fn file_name(self) -> &'static str {
        let (windows, other) = match self {
            Tool::Query => ("query.exe", "query"),
            Tool::Logoff => ("logoff.exe", "logoff"),
            Tool::Msg => ("msg.exe", "msg"),
            Tool::EventCreate => ("eventcreate.exe", "eventcreate"),
            Tool::TsDiscon => ("tsdiscon.exe", "tsdiscon"),
            Tool::Reset => ("reset.exe", "reset"),
            Tool::Change => ("change.exe", "change"),
        };
        if cfg!(windows) {
            windows
        } else {
            other
        }
    }
}

/// A tool could not be found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ToolError {
    /// The file is not where it must be.
    #[error(
        "{file} not found at {}; the stock Remote Desktop tools are missing (Home editions \
         have none) or --tools-dir points to the wrong folder",
        path.display()
    )]
    Missing {
        /// The tool's file name.
        file: &'static str,
        /// Where it was looked for.
        path: PathBuf,
    },
    /// No folder to look in (not Windows, no override, not on PATH).
    #[error("{file} not found: off Windows the tools are taken from PATH or --tools-dir")]
    NotOnPath {
        /// The tool's file name.
        file: &'static str,
    },
}

/// Finds `tool`: in `override_dir` (`--tools-dir`, made absolute when the config was built)
/// when given; on Windows in the system folder; elsewhere on PATH (where only test stand-ins
/// live).
pub(crate) fn locate(tool: Tool, override_dir: Option<&Path>) -> Result<PathBuf, ToolError> {
    let file = tool.file_name();
    let dir = override_dir
        .map(Path::to_path_buf)
        .or_else(system::system_tools_dir);
    if let Some(dir) = dir {
        let path = dir.join(file);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(ToolError::Missing { file, path })
        };
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .filter(|d| d.is_absolute())
        .map(|d| d.join(file))
        .find(|p| p.is_file())
        .ok_or(ToolError::NotOnPath { file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_dir_is_used_and_a_missing_file_names_the_path() {
        let dir = std::env::temp_dir().join(format!("logoff-all-tools-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(Tool::Query.file_name()), b"").unwrap();
        assert_eq!(
            locate(Tool::Query, Some(&dir)).unwrap(),
            dir.join(Tool::Query.file_name())
        );
        let err = locate(Tool::Logoff, Some(&dir)).unwrap_err();
        assert!(err.to_string().contains(&dir.display().to_string()));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn all_lists_every_tool_at_its_index() {
        for (i, tool) in Tool::ALL.iter().enumerate() {
            assert_eq!(*tool as usize, i);
        }
    }
}

//! Paths the run writes: `--output` (created, truncated) and `--log` (appended). Neither may be
//! a file the run reads (`--exclude-file`, `--servers-file`, `--input`, `--input-user`) or the
//! other one, compared by the file they reach (its identity, so hard links too; links
//! followed); and neither may be a link itself,
//! which someone could plant in the place of a report to make the run overwrite another file.

use crate::cli::Cli;
use crate::error::Error;
use crate::host::file_id::file_id;
use crate::vocab::quote;
use std::path::{Path, PathBuf};

/// Refuses `--output` or `--log` that is a link, or that reaches a file another flag names.
pub(crate) fn check(cli: &Cli) -> Result<(), Error> {
    let read: [(&str, Option<&PathBuf>); 4] = [
        ("--exclude-file", cli.exclude_file.as_ref()),
        ("--servers-file", cli.servers_file.as_ref()),
        ("--input", cli.input.as_ref()),
        ("--input-user", cli.workflow.input_user.as_ref()),
    ];
    let written: [(&str, Option<&PathBuf>); 2] = [
        ("--output", cli.output.as_ref()),
        ("--log", cli.log.as_ref()),
    ];
    for (flag, path) in written {
        let Some(path) = path else { continue };
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(Error::Usage(format!(
                "{flag} {} is a link: a report or log is never written through a link, which \
                 could make the run overwrite another file; name the file itself",
                quote(&path.to_string_lossy())
            )));
        }
        let others = read
            .iter()
            .chain(written.iter().filter(|(f, _)| *f != flag));
        for (other, other_path) in others {
            let Some(other_path) = other_path else {
                continue;
            };
            if other_path.as_os_str() != "-" && same_file(path, other_path) {
                return Err(Error::Usage(format!(
                    "{flag} {} is the same file as {other} {}: writing it would overwrite what \
                     the run reads or logs; give {flag} a file of its own",
                    quote(&path.to_string_lossy()),
                    quote(&other_path.to_string_lossy())
                )));
            }
        }
    }
    Ok(())
}

/// Whether `a` and `b` reach the same file (links followed, any spelling of the path, hard
/// links too: by the file's identity), or would, once created.
fn same_file(a: &Path, b: &Path) -> bool {
    if let (Some(a), Some(b)) = (file_id(a), file_id(b)) {
        return a == b;
    }
    match (resolve(a), resolve(b)) {
        // Windows' file systems ignore case: C:\x\Run.log is c:\x\run.log.
        (Some(a), Some(b)) if cfg!(windows) => {
            a.to_string_lossy().to_lowercase() == b.to_string_lossy().to_lowercase()
        }
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// The file `path` reaches: itself with links followed, or, when it does not exist yet, its
/// folder's (links followed) with its name.
fn resolve(path: &Path) -> Option<PathBuf> {
    if let Ok(real) = std::fs::canonicalize(path) {
        return Some(real);
    }
    let name = path.file_name()?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::canonicalize(parent).ok().map(|p| p.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_file_is_found_by_any_path_and_through_links() {
        let dir = std::env::temp_dir().join(format!("logoff-all-paths-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let keep = dir.join("keep.txt");
        std::fs::write(&keep, "alice\n").unwrap();
        assert!(same_file(&keep, &dir.join(".").join("keep.txt")));
        #[cfg(unix)]
        {
            let link = dir.join("report.csv");
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(&keep, &link).unwrap();
            assert!(same_file(&link, &keep));
        }
        assert!(!same_file(&dir.join("new.csv"), &keep));
        // A hard link is another name of the same file: another path, one identity.
        let hard = dir.join("hard.csv");
        let _ = std::fs::remove_file(&hard);
        std::fs::hard_link(&keep, &hard).unwrap();
        assert!(same_file(&hard, &keep));
        assert!(same_file(&keep, &hard));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

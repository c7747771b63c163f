//! File identity: which file a path reaches, whatever its name. Two hard links to one file
//! have different paths, even once links are resolved, but one identity: on Unix the device
//! and inode numbers, on Windows the volume serial number and the file index.

use std::path::Path;

/// The identity of the file `path` reaches (symbolic links followed); `None` when it cannot
/// be opened or asked (it does not exist yet, or access is denied).
pub(crate) fn file_id(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).ok()?;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(windows)]
    {
        windows::file_id(path)
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = path;
        None
    }
}

#[cfg(windows)]
mod windows {
    use std::os::windows::fs::OpenOptionsExt;
    use std::os::windows::io::AsRawHandle;
    use std::path::Path;
    use windows_sys::Win32::Storage::FileSystem::{
        GetFileInformationByHandle, BY_HANDLE_FILE_INFORMATION, FILE_FLAG_BACKUP_SEMANTICS,
        FILE_SHARE_DELETE, FILE_SHARE_READ, FILE_SHARE_WRITE,
    };

    /// Opens `path` without asking for any access (so a file only its writer may read is
    /// still asked) and reads its volume serial number and file index.
    pub(super) fn file_id(path: &Path) -> Option<(u64, u64)> {
        let file = std::fs::OpenOptions::new()
            .access_mode(0)
            .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)
            .custom_flags(FILE_FLAG_BACKUP_SEMANTICS)
            .open(path)
            .ok()?;
        // SAFETY: all-zero is a valid value of this plain C struct of integers and FILETIMEs.
        let mut info: BY_HANDLE_FILE_INFORMATION = unsafe { std::mem::zeroed() };
        // SAFETY: the handle is open for the whole call (`file` lives to the end of this
        // function) and `info` is a valid, writable struct of the type the call fills.
        let ok = unsafe { GetFileInformationByHandle(file.as_raw_handle(), &mut info) };
        if ok == 0 {
            return None;
        }
        let index = (u64::from(info.nFileIndexHigh) << 32) | u64::from(info.nFileIndexLow);
        Some((u64::from(info.dwVolumeSerialNumber), index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hard_links_share_one_identity_and_other_files_do_not() {
        let dir = std::env::temp_dir().join(format!("logoff-all-fileid-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (a, b, c) = (dir.join("a.txt"), dir.join("b.txt"), dir.join("c.txt"));
        std::fs::write(&a, "alice\n").unwrap();
        std::fs::write(&c, "alice\n").unwrap();
        let _ = std::fs::remove_file(&b);
        std::fs::hard_link(&a, &b).unwrap();
        assert!(file_id(&a).is_some());
        assert_eq!(file_id(&a), file_id(&b));
        assert_ne!(file_id(&a), file_id(&c));
        assert_eq!(file_id(&dir.join("missing.txt")), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! File identity: which file a path reaches, whatever its name. Two hard links to one file
//! have different paths, even once links are resolved, but one identity: on Unix the device
//! and inode numbers, on Windows the volume serial number and the file ID (128 bits, as ReFS
//! needs, where the system gives it; else the 64-bit file index). A file index of 0 or all
//! ones, which some network shares give every file, is no identity: the caller then compares
//! paths.

use std::path::Path;

/// The identity of the file `path` reaches (symbolic links followed); `None` when it cannot
/// be opened or asked (it does not exist yet, or access is denied).
pub(crate) fn file_id(path: &Path) -> Option<(u64, u128)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).ok()?;
        Some((meta.dev(), u128::from(meta.ino())))
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
        FileIdInfo, GetFileInformationByHandle, GetFileInformationByHandleEx,
        BY_HANDLE_FILE_INFORMATION, FILE_FLAG_BACKUP_SEMANTICS, FILE_ID_INFO, FILE_SHARE_DELETE,
        FILE_SHARE_READ, FILE_SHARE_WRITE,
    };

    /// Opens `path` without asking for any access (so a file only its writer may read is
    /// still asked) and reads its volume serial number and file ID.
    pub(super) fn file_id(path: &Path) -> Option<(u64, u128)> {
        let file = std::fs::OpenOptions::new()
            .access_mode(0)
            .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)
            .custom_flags(FILE_FLAG_BACKUP_SEMANTICS)
            .open(path)
            .ok()?;
        let handle = file.as_raw_handle();
        // SAFETY: all-zero is a valid value of this plain C struct of integers and bytes.
        let mut id: FILE_ID_INFO = unsafe { std::mem::zeroed() };
        // SAFETY: the handle is open for the whole call (`file` lives to the end of this
        // function); `id` is a valid, writable struct of the class asked and its size is given.
        let ok = unsafe {
            GetFileInformationByHandleEx(
                handle,
                FileIdInfo,
                (&mut id as *mut FILE_ID_INFO).cast(),
                std::mem::size_of::<FILE_ID_INFO>() as u32,
            )
        };
        // Windows 8 / Server 2012 and later; Windows 7 answers with the 64-bit index below.
        if ok != 0 {
            let file_id = u128::from_le_bytes(id.FileId.Identifier);
            return known(file_id).then_some((id.VolumeSerialNumber, file_id));
        }
        // SAFETY: all-zero is a valid value of this plain C struct of integers and FILETIMEs.
        let mut info: BY_HANDLE_FILE_INFORMATION = unsafe { std::mem::zeroed() };
        // SAFETY: the handle is open for the whole call (`file` lives to the end of this
        // function) and `info` is a valid, writable struct of the type the call fills.
        let ok = unsafe { GetFileInformationByHandle(handle, &mut info) };
        if ok == 0 {
            return None;
        }
        let index = (u64::from(info.nFileIndexHigh) << 32) | u64::from(info.nFileIndexLow);
        known(u128::from(index)).then_some((u64::from(info.dwVolumeSerialNumber), index.into()))
    }

    /// Whether a file ID names one file: 0 and all ones are what some shares give every file.
    fn known(id: u128) -> bool {
        id != 0 && id != u128::MAX && id != u128::from(u64::MAX)
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

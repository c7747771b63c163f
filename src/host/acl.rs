//! ACL: whether people who are not administrators can write into a folder (the exe's folder, the
//! `--log` and `--output` folders of a run that runs as Administrator or SYSTEM). The decision is
//! a pure function over a given ACL description ([`writers`]); [`read`] reads a folder's DACL
//! through advapi32 (`GetNamedSecurityInfoW`, `GetAce`) on Windows.

use std::path::Path;

/// The well-known groups every signed-in non-administrator's token holds, with their names.
pub(crate) const NON_ADMINS: [(&str, &str); 4] = [
    ("S-1-5-32-545", "Users"),
    ("S-1-5-11", "Authenticated Users"),
    ("S-1-1-0", "Everyone"),
    ("S-1-5-4", "Interactive"),
];

/// `OBJECT_INHERIT_ACE`: the entry is inherited by files in the folder.
pub(crate) const OBJECT_INHERIT: u8 = 0x01;
/// `INHERIT_ONLY_ACE`: applies to children only, not to the folder itself.
pub(crate) const INHERIT_ONLY: u8 = 0x08;
/// `INHERITED_ACE`: the entry came from the parent folder.
pub(crate) const INHERITED: u8 = 0x10;

/// The rights that let someone change what is in a folder, or the folder itself: add a file
/// (`FILE_ADD_FILE` / `FILE_WRITE_DATA`), add a sub-folder (`FILE_ADD_SUBDIRECTORY` /
/// `FILE_APPEND_DATA`), delete a child (`FILE_DELETE_CHILD`), `DELETE`, `WRITE_DAC`,
/// `WRITE_OWNER`, `GENERIC_WRITE` and `GENERIC_ALL`.
pub(crate) const WRITE_RIGHTS: u32 = 0x0000_0002
    | 0x0000_0004
    | 0x0000_0040
    | 0x0001_0000
    | 0x0004_0000
    | 0x0008_0000
    | 0x4000_0000
    | 0x1000_0000;

/// One access control entry, as read from a DACL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ace {
    /// The trustee's SID in string form (`S-1-5-32-545`).
    pub(crate) sid: String,
    /// Allow (true) or deny (false); other entry types are not read.
    pub(crate) allow: bool,
    /// The access mask.
    pub(crate) rights: u32,
    /// The ACE flags (`OBJECT_INHERIT`, `CONTAINER_INHERIT`, `INHERIT_ONLY`, `INHERITED`).
    pub(crate) flags: u8,
}

/// A folder's DACL: `None` is a NULL DACL, which grants everyone everything.
pub(crate) type Dacl = Option<Vec<Ace>>;

/// Which of the [`NON_ADMINS`] groups can write into the folder, or into the files it holds, by
/// `dacl` (entries in order, as Windows evaluates them: the first entry to decide a right wins).
/// Empty: only others (administrators, SYSTEM, the owner by name) can.
pub(crate) fn writers(dacl: &Dacl) -> Vec<&'static str> {
    let Some(entries) = dacl else {
        // A NULL DACL: no protection at all.
        return vec!["S-1-1-0"];
    };
    let mut found = Vec::new();
    // The folder itself (entries that are not inherit-only), then the files created in it
    // (entries that files inherit, inherit-only ones included).
    for applies in [
        (|a: &Ace| a.flags & INHERIT_ONLY == 0) as fn(&Ace) -> bool,
        |a: &Ace| a.flags & OBJECT_INHERIT != 0,
    ] {
        let (mut granted, mut denied) = (0u32, 0u32);
        for ace in entries.iter().filter(|a| applies(a)) {
            let Some(&(sid, _)) = NON_ADMINS.iter().find(|(s, _)| *s == ace.sid) else {
                continue;
            };
            let rights = ace.rights & WRITE_RIGHTS;
            if ace.allow {
                let new = rights & !denied & !granted;
                if new != 0 && !found.contains(&sid) {
                    found.push(sid);
                }
                granted |= new;
            } else {
                denied |= rights & !granted;
            }
        }
    }
    crate::vocab::order::sort_by_key(&mut found, |sid| {
        NON_ADMINS
            .iter()
            .position(|(s, _)| s == sid)
            .map_or(0, |p| p + 1)
    });
    found
}

/// The group's name and SID, for messages: `Users (S-1-5-32-545)`.
pub(crate) fn name(sid: &str) -> String {
    match NON_ADMINS.iter().find(|(s, _)| *s == sid) {
        Some((s, n)) => format!("{n} ({s})"),
        None => sid.to_string(),
    }
}

/// The `icacls` lines that leave `folder` writable by Administrators and SYSTEM only: the
/// explicit grants of `writers` removed (when any is explicit), inheritance cut, full control
/// for Administrators (S-1-5-32-544) and SYSTEM (S-1-5-18) on the folder and what it holds.
pub(crate) fn fix(folder: &Path, dacl: &Dacl, writers: &[&str]) -> Vec<String> {
    let folder = folder.display();
    let mut lines = Vec::new();
    let explicit: Vec<&str> = writers
        .iter()
        .copied()
        .filter(|sid| {
            dacl.as_ref().is_some_and(|entries| {
                entries
                    .iter()
                    .any(|a| a.sid == *sid && a.allow && a.flags & INHERITED == 0)
            })
        })
        .collect();
    if !explicit.is_empty() {
        let sids: Vec<String> = explicit.iter().map(|s| format!("*{s}")).collect();
        lines.push(format!("icacls \"{folder}\" /remove:g {}", sids.join(" ")));
    }
    lines.push(format!(
        "icacls \"{folder}\" /inheritance:r /grant:r \"*S-1-5-32-544:(OI)(CI)F\" \
         \"*S-1-5-18:(OI)(CI)F\""
    ));
    lines
}

/// Why a folder's DACL could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AclError {
    /// Off Windows there are no ACLs to read.
    #[cfg_attr(windows, allow(dead_code))]
    #[error("not Windows")]
    NotWindows,
    /// The system refused or failed.
    #[cfg_attr(not(windows), allow(dead_code))]
    #[error("{0}")]
    Failed(String),
}

/// The DACL of `folder`, read with `GetNamedSecurityInfoW` and walked with `GetAce`.
pub(crate) fn read(folder: &Path) -> Result<Dacl, AclError> {
    #[cfg(windows)]
    {
        windows::read(folder)
    }
    #[cfg(not(windows))]
    {
        let _ = folder;
        Err(AclError::NotWindows)
    }
}

#[cfg(windows)]
mod windows {
    use super::{Ace, AclError, Dacl};
    use std::os::windows::ffi::OsStrExt;
    use std::path::Path;
    use windows_sys::Win32::Foundation::{LocalFree, ERROR_SUCCESS};
    use windows_sys::Win32::Security::Authorization::{
        ConvertSidToStringSidW, GetNamedSecurityInfoW, SE_FILE_OBJECT,
    };
    use windows_sys::Win32::Security::{
        AclSizeInformation, GetAce, GetAclInformation, ACCESS_ALLOWED_ACE, ACE_HEADER, ACL,
        ACL_SIZE_INFORMATION, DACL_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR,
    };

    /// `ACCESS_ALLOWED_ACE_TYPE` and `ACCESS_DENIED_ACE_TYPE` (same layout).
    const ALLOWED: u8 = 0;
    const DENIED: u8 = 1;

    pub(super) fn read(folder: &Path) -> Result<Dacl, AclError> {
        let wide: Vec<u16> = folder.as_os_str().encode_wide().chain([0]).collect();
        let mut dacl: *mut ACL = std::ptr::null_mut();
        let mut sd: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
        // SAFETY: `wide` is NUL-terminated; the out pointers are valid; on success `sd` is a
        // buffer the system allocated, freed below with LocalFree, and `dacl` points into it.
        let err = unsafe {
            GetNamedSecurityInfoW(
                wide.as_ptr(),
                SE_FILE_OBJECT,
                DACL_SECURITY_INFORMATION,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                &mut dacl,
                std::ptr::null_mut(),
                &mut sd,
            )
        };
        if err != ERROR_SUCCESS {
            return Err(AclError::Failed(format!(
                "GetNamedSecurityInfoW failed with error {err}"
            )));
        }
        let result = if dacl.is_null() {
            Ok(None)
        } else {
            entries(dacl).map(Some)
        };
        // SAFETY: `sd` was allocated by GetNamedSecurityInfoW and is not used after this.
        unsafe { LocalFree(sd) };
        result
    }

    fn entries(dacl: *mut ACL) -> Result<Vec<Ace>, AclError> {
        let mut info = ACL_SIZE_INFORMATION {
            AceCount: 0,
            AclBytesInUse: 0,
            AclBytesFree: 0,
        };
        // SAFETY: `dacl` is a valid ACL; `info` is the structure of the class asked for, with
        // its size.
        let ok = unsafe {
            GetAclInformation(
                dacl,
                (&mut info as *mut ACL_SIZE_INFORMATION).cast(),
                std::mem::size_of::<ACL_SIZE_INFORMATION>() as u32,
                AclSizeInformation,
            )
        };
        if ok == 0 {
            return Err(AclError::Failed("GetAclInformation failed".into()));
        }
        let mut out = Vec::new();
        for i in 0..info.AceCount {
            let mut ace: *mut core::ffi::c_void = std::ptr::null_mut();
            // SAFETY: `i` is below the ACL's entry count; `ace` receives a pointer into it.
            if unsafe { GetAce(dacl, i, &mut ace) } == 0 || ace.is_null() {
                return Err(AclError::Failed(format!("GetAce({i}) failed")));
            }
            // SAFETY: every ACE starts with an ACE_HEADER.
            let header = unsafe { *(ace as *const ACE_HEADER) };
            if header.AceType != ALLOWED && header.AceType != DENIED {
                // Object and callback entries: not written by icacls on folders; a deny of this
                // kind is ignored (the answer can only be more cautious), an allow is not read.
                continue;
            }
            let allowed = ace as *const ACCESS_ALLOWED_ACE;
            // SAFETY: allowed and denied entries share ACCESS_ALLOWED_ACE's layout; the SID
            // starts at SidStart, inside the entry.
            let (mask, sid) = unsafe {
                (
                    (*allowed).Mask,
                    std::ptr::addr_of!((*allowed).SidStart) as *mut core::ffi::c_void,
                )
            };
            let mut text: windows_sys::core::PWSTR = std::ptr::null_mut();
            // SAFETY: `sid` is the entry's SID; `text` receives a LocalAlloc'ed string, freed
            // below.
            if unsafe { ConvertSidToStringSidW(sid, &mut text) } == 0 || text.is_null() {
                return Err(AclError::Failed("ConvertSidToStringSidW failed".into()));
            }
            let mut len = 0;
            // SAFETY: `text` is NUL-terminated.
            while unsafe { *text.add(len) } != 0 {
                len += 1;
            }
            // SAFETY: `len` units were just read from `text`.
            let sid = String::from_utf16_lossy(unsafe { std::slice::from_raw_parts(text, len) });
            // SAFETY: allocated by ConvertSidToStringSidW, not used after this.
            unsafe { LocalFree(text.cast()) };
            out.push(Ace {
                sid,
                allow: header.AceType == ALLOWED,
                rights: mask,
                flags: header.AceFlags,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADMINS: &str = "S-1-5-32-544";
    const SYSTEM: &str = "S-1-5-18";
    const USERS: &str = "S-1-5-32-545";
    const AUTH: &str = "S-1-5-11";
    const FULL: u32 = 0x001F_01FF;
    /// Read and execute (icacls RX).
    const RX: u32 = 0x0012_00A9;
    /// Modify (icacls M).
    const MODIFY: u32 = 0x0013_01BF;
    /// `CONTAINER_INHERIT_ACE`: inherited by sub-folders.
    const CONTAINER_INHERIT: u8 = 0x02;
    const OICI: u8 = OBJECT_INHERIT | CONTAINER_INHERIT;

    fn ace(sid: &str, allow: bool, rights: u32, flags: u8) -> Ace {
        Ace {
            sid: sid.to_string(),
            allow,
            rights,
            flags,
        }
    }

    /// What `icacls DIR /inheritance:r /grant:r *S-1-5-32-544:(OI)(CI)F *S-1-5-18:(OI)(CI)F`
    /// leaves.
    fn locked() -> Vec<Ace> {
        vec![ace(ADMINS, true, FULL, OICI), ace(SYSTEM, true, FULL, OICI)]
    }

    #[test]
    fn a_folder_for_administrators_and_system_only_has_no_other_writer() {
        assert!(writers(&Some(locked())).is_empty());
        let mut readable = locked();
        readable.push(ace(USERS, true, RX, OICI | INHERITED));
        assert!(writers(&Some(readable)).is_empty());
    }

    /// `C:\` on a default install: Users may create folders (and append) there.
    #[test]
    fn the_default_root_of_the_system_drive_is_writable_by_users_and_authenticated_users() {
        let mut root = locked();
        root.push(ace(USERS, true, RX, OICI));
        root.push(ace(AUTH, true, 0x0000_0004, CONTAINER_INHERIT));
        root.push(ace(AUTH, true, MODIFY, OICI | INHERIT_ONLY));
        assert_eq!(writers(&Some(root.clone())), [AUTH]);
        let fixes = fix(Path::new("C:\\Tools"), &Some(root), &[AUTH]);
        assert_eq!(
            fixes,
            [
                "icacls \"C:\\Tools\" /remove:g *S-1-5-11",
                "icacls \"C:\\Tools\" /inheritance:r /grant:r \"*S-1-5-32-544:(OI)(CI)F\" \
                 \"*S-1-5-18:(OI)(CI)F\""
            ]
        );
    }

    #[test]
    fn an_inherited_grant_is_fixed_by_cutting_inheritance_alone() {
        let dacl = Some(vec![
            ace(ADMINS, true, FULL, OICI | INHERITED),
            ace(USERS, true, MODIFY, OICI | INHERITED),
        ]);
        assert_eq!(writers(&dacl), [USERS]);
        assert_eq!(fix(Path::new("D:\\x"), &dacl, &[USERS]).len(), 1);
    }

    #[test]
    fn a_null_dacl_lets_everyone_write() {
        assert_eq!(writers(&None), ["S-1-1-0"]);
    }

    #[test]
    fn a_deny_before_the_grant_wins_and_after_it_does_not() {
        let grant = ace(USERS, true, MODIFY, OICI);
        let deny = ace("S-1-1-0", false, WRITE_RIGHTS, OICI);
        assert!(writers(&Some(vec![deny.clone(), grant.clone()])).is_empty());
        assert_eq!(writers(&Some(vec![grant, deny])), [USERS]);
    }

    #[test]
    fn inherit_only_grants_count_for_the_files_but_not_for_sub_folders_only() {
        // Files created in the folder would be writable: the exe could be replaced.
        let files = Some(vec![ace(
            USERS,
            true,
            MODIFY,
            OBJECT_INHERIT | INHERIT_ONLY,
        )]);
        assert_eq!(writers(&files), [USERS]);
        // Only sub-folders inherit it: the folder and its files are not writable.
        let subdirs = Some(vec![ace(
            USERS,
            true,
            MODIFY,
            CONTAINER_INHERIT | INHERIT_ONLY,
        )]);
        assert!(writers(&subdirs).is_empty());
    }

    #[test]
    fn other_groups_and_single_rights_are_told_apart() {
        // A named user or another group is not one of the four.
        let other = Some(vec![ace("S-1-5-21-1-2-3-1001", true, FULL, OICI)]);
        assert!(writers(&other).is_empty());
        for right in [
            0x2,
            0x4,
            0x40,
            0x1_0000,
            0x4_0000,
            0x8_0000,
            0x4000_0000,
            0x1000_0000,
        ] {
            let dacl = Some(vec![ace("S-1-5-4", true, right, 0)]);
            assert_eq!(writers(&dacl), ["S-1-5-4"], "{right:#x}");
        }
        // Read, execute and read attributes alone are not writing.
        assert!(writers(&Some(vec![ace("S-1-5-4", true, RX | 0x80, 0)])).is_empty());
        assert_eq!(name(USERS), "Users (S-1-5-32-545)");
    }
}

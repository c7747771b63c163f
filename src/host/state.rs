//! State the drain keeps on this computer: the logon mode as the registry holds it, whether a
//! process still runs (the journal of a run that may have been killed), and the folder only
//! administrators can write to.

use crate::host::LogonMode;
#[cfg(windows)]
use std::path::PathBuf;

/// Where the logon mode is kept in the registry (`change logon` sets these values):
/// `HKLM\Software\Microsoft\Windows NT\CurrentVersion\Winlogon`, value `WinStationsDisabled`.
#[cfg(windows)]
pub(crate) const WINLOGON_KEY: &str = r"Software\Microsoft\Windows NT\CurrentVersion\Winlogon";
/// `HKLM\System\CurrentControlSet\Control\Terminal Server`, value `TSServerDrainMode`.
#[cfg(windows)]
pub(crate) const TERMINAL_SERVER_KEY: &str = r"System\CurrentControlSet\Control\Terminal Server";

/// The logon mode as the registry holds it, whatever the display language; `None` off Windows
/// or when a value is missing, unreadable or not one of the documented numbers.
pub(crate) fn logon_mode() -> Option<LogonMode> {
    #[cfg(windows)]
    {
        mode_from_registry(
            registry_number(WINLOGON_KEY, "WinStationsDisabled"),
            registry_number(TERMINAL_SERVER_KEY, "TSServerDrainMode"),
        )
    }
    #[cfg(not(windows))]
    {
        None
    }
}

/// The mode the two registry values mean (docs/FORMATS.md has the table and its sources):
/// `WinStationsDisabled` 1 is disabled whatever the drain value; with 0, `TSServerDrainMode`
/// 0 is enabled, 1 drain until restart, 2 drain. Anything else, or a missing value, is `None`.
#[cfg(any(windows, test))]
pub(crate) fn mode_from_registry(
    win_stations_disabled: Option<u32>,
    drain_mode: Option<u32>,
) -> Option<LogonMode> {
    match (win_stations_disabled?, drain_mode) {
        (1, _) => Some(LogonMode::Disable),
        (0, Some(0)) => Some(LogonMode::Enable),
        (0, Some(1)) => Some(LogonMode::DrainUntilRestart),
        (0, Some(2)) => Some(LogonMode::Drain),
        _ => None,
    }
}

/// A number in `HKLM\key`, value `value`, stored as a REG_DWORD or as a REG_SZ of digits
/// (`WinStationsDisabled` is a string on most systems); always the 64-bit view.
#[cfg(windows)]
fn registry_number(key: &str, value: &str) -> Option<u32> {
    use windows_sys::Win32::System::Registry::{
        RegGetValueW, HKEY_LOCAL_MACHINE, REG_DWORD, REG_SZ, RRF_RT_REG_DWORD, RRF_RT_REG_SZ,
        RRF_SUBKEY_WOW6464KEY,
    };
    let key = wide(key);
    let value = wide(value);
    let mut kind = 0u32;
    let mut buf = [0u16; 64];
    let mut size = std::mem::size_of_val(&buf) as u32;
    // SAFETY: the key and value names are NUL-terminated UTF-16; the buffer and its size in
    // bytes are passed together, and `kind` and `size` are valid places to write one u32.
    let rc = unsafe {
        RegGetValueW(
            HKEY_LOCAL_MACHINE,
            key.as_ptr(),
            value.as_ptr(),
            RRF_RT_REG_DWORD | RRF_RT_REG_SZ | RRF_SUBKEY_WOW6464KEY,
            &mut kind,
            buf.as_mut_ptr().cast(),
            &mut size,
        )
    };
    if rc != 0 {
        return None;
    }
    let units = (size as usize / 2).min(buf.len());
    match kind {
        REG_DWORD if size == 4 => Some(u32::from(buf[0]) | (u32::from(buf[1]) << 16)),
        REG_SZ => String::from_utf16(&buf[..units])
            .ok()?
            .trim_end_matches('\0')
            .trim()
            .parse()
            .ok(),
        _ => None,
    }
}

/// `text` as NUL-terminated UTF-16.
#[cfg(windows)]
fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain(std::iter::once(0)).collect()
}

/// Whether a process runs, and when it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Process {
    /// No such process (or it has ended).
    Gone,
    /// It runs; its start time when the system tells it (a number only comparable with
    /// another of this computer).
    Running(Option<u64>),
}

/// Whether process `pid` runs and when it started: on Windows its creation time, on Linux
/// its start time in clock ticks after boot (`/proc/PID/stat`).
pub(crate) fn process(pid: u32) -> Process {
    #[cfg(windows)]
    {
        use windows_sys::Win32::Foundation::{
            CloseHandle, GetLastError, ERROR_ACCESS_DENIED, FILETIME, STILL_ACTIVE,
        };
        use windows_sys::Win32::System::Threading::{
            GetExitCodeProcess, GetProcessTimes, OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION,
        };
        // SAFETY: OpenProcess takes plain values and returns a handle or null.
        let handle = unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) };
        if handle.is_null() {
            // SAFETY: reads the calling thread's last error.
            return if unsafe { GetLastError() } == ERROR_ACCESS_DENIED {
                Process::Running(None)
            } else {
                Process::Gone
            };
        }
        let mut code = 0u32;
        let zero = FILETIME {
            dwLowDateTime: 0,
            dwHighDateTime: 0,
        };
        let (mut created, mut exited, mut kernel, mut user) = (zero, zero, zero, zero);
        // SAFETY: `handle` is a valid process handle, closed below; each out pointer is a
        // valid place for the API to write.
        let (alive, times) = unsafe {
            let alive = GetExitCodeProcess(handle, &mut code) != 0 && code == STILL_ACTIVE as u32;
            let times =
                GetProcessTimes(handle, &mut created, &mut exited, &mut kernel, &mut user) != 0;
            CloseHandle(handle);
            (alive, times)
        };
        if !alive {
            return Process::Gone;
        }
        Process::Running(
            times.then(|| {
                (u64::from(created.dwHighDateTime) << 32) | u64::from(created.dwLowDateTime)
            }),
        )
    }
    #[cfg(not(windows))]
    {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            return Process::Gone;
        };
        // After the command name in parentheses: state (field 3) ... starttime (field 22).
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map_or("", |(_, rest)| rest)
            .split_whitespace()
            .collect();
        match fields.first() {
            Some(&"Z") | Some(&"X") | None => Process::Gone,
            Some(_) => Process::Running(fields.get(19).and_then(|s| s.parse().ok())),
        }
    }
}

/// The folder for the drain journal on Windows, `%ProgramData%\logoff-all`, created so that
/// only SYSTEM and the Administrators can write in it; an existing folder must be owned by one
/// of them or by the account this runs as. `Err` says why it cannot be used.
#[cfg(windows)]
pub(crate) fn admin_state_dir() -> Result<PathBuf, String> {
    use windows_sys::Win32::Foundation::{GetLastError, LocalFree, ERROR_ALREADY_EXISTS};
    use windows_sys::Win32::Security::Authorization::{
        ConvertStringSecurityDescriptorToSecurityDescriptorW, SDDL_REVISION_1,
    };
    use windows_sys::Win32::Security::SECURITY_ATTRIBUTES;
    use windows_sys::Win32::Storage::FileSystem::CreateDirectoryW;
    let base = std::env::var_os("ProgramData")
        .filter(|p| !p.is_empty())
        .ok_or("the ProgramData folder is not set in the environment")?;
    let dir = PathBuf::from(base).join("logoff-all");
    let path = wide(&dir.to_string_lossy());
    // Protected: nothing inherited; full control for SYSTEM and the Administrators only.
    let sddl = wide("D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)");
    let mut sd = std::ptr::null_mut();
    // SAFETY: the string is NUL-terminated UTF-16; `sd` receives a LocalAlloc'd descriptor,
    // freed below; the size pointer may be null.
    let ok = unsafe {
        ConvertStringSecurityDescriptorToSecurityDescriptorW(
            sddl.as_ptr(),
            SDDL_REVISION_1,
            &mut sd,
            std::ptr::null_mut(),
        )
    };
    if ok == 0 {
        return Err(format!(
            "the folder {} could not be given its permissions (error {})",
            dir.display(),
            // SAFETY: reads the calling thread's last error.
            unsafe { GetLastError() }
        ));
    }
    let sa = SECURITY_ATTRIBUTES {
        nLength: std::mem::size_of::<SECURITY_ATTRIBUTES>() as u32,
        lpSecurityDescriptor: sd,
        bInheritHandle: 0,
    };
    // SAFETY: the path is NUL-terminated UTF-16 and `sa` points to a valid descriptor.
    let (created, error) = unsafe {
        let created = CreateDirectoryW(path.as_ptr(), &sa) != 0;
        let error = GetLastError();
        LocalFree(sd);
        (created, error)
    };
    if created {
        return Ok(dir);
    }
    if error != ERROR_ALREADY_EXISTS {
        return Err(format!(
            "the folder {} could not be created (error {error})",
            dir.display()
        ));
    }
    if owned_by_admins(&path) {
        Ok(dir)
    } else {
        Err(format!(
            "the folder {} is not owned by SYSTEM, the Administrators or this account, so \
             someone else may have written in it; delete it (an administrator), and the next \
             run creates it again",
            dir.display()
        ))
    }
}

/// Whether `sid` is the account this process runs as (which may create the folder itself,
/// and is the one running the drain).
#[cfg(windows)]
fn is_own_account(sid: windows_sys::Win32::Security::PSID) -> bool {
    use windows_sys::Win32::Foundation::CloseHandle;
    use windows_sys::Win32::Security::{EqualSid, GetTokenInformation, TokenUser, TOKEN_QUERY};
    use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};
    let mut token = std::ptr::null_mut();
    // SAFETY: GetCurrentProcess returns a pseudo handle; `token` receives a handle closed below.
    if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
        return false;
    }
    // A TOKEN_USER with its SID after it; u64 keeps the buffer aligned for the pointer in it.
    let mut buf = [0u64; 64];
    let mut len = 0u32;
    // SAFETY: the buffer and its size in bytes are passed together; on success it holds a
    // TOKEN_USER whose SID points into the buffer, which outlives its use here.
    unsafe {
        let ok = GetTokenInformation(
            token,
            TokenUser,
            buf.as_mut_ptr().cast(),
            std::mem::size_of_val(&buf) as u32,
            &mut len,
        ) != 0;
        CloseHandle(token);
        if !ok {
            return false;
        }
        let user = &*buf
            .as_ptr()
            .cast::<windows_sys::Win32::Security::TOKEN_USER>();
        EqualSid(user.User.Sid, sid) != 0
    }
}

/// Whether the file or folder at `path` (NUL-terminated UTF-16) is owned by SYSTEM, the
/// Administrators group or the account this process runs as.
#[cfg(windows)]
fn owned_by_admins(path: &[u16]) -> bool {
    use windows_sys::Win32::Foundation::LocalFree;
    use windows_sys::Win32::Security::Authorization::{GetNamedSecurityInfoW, SE_FILE_OBJECT};
    use windows_sys::Win32::Security::{
        IsWellKnownSid, WinBuiltinAdministratorsSid, WinLocalSystemSid, OWNER_SECURITY_INFORMATION,
    };
    let mut owner = std::ptr::null_mut();
    let mut sd = std::ptr::null_mut();
    // SAFETY: the path is NUL-terminated UTF-16; `owner` points into `sd`, which the API
    // allocates and which is freed below after the last use of `owner`.
    unsafe {
        let rc = GetNamedSecurityInfoW(
            path.as_ptr(),
            SE_FILE_OBJECT,
            OWNER_SECURITY_INFORMATION,
            &mut owner,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut sd,
        );
        if rc != 0 {
            return false;
        }
        let admin = !owner.is_null()
            && (IsWellKnownSid(owner, WinBuiltinAdministratorsSid) != 0
                || IsWellKnownSid(owner, WinLocalSystemSid) != 0
                || is_own_account(owner));
        LocalFree(sd);
        admin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_values_map_to_the_documented_modes() {
        use LogonMode::*;
        assert_eq!(mode_from_registry(Some(0), Some(0)), Some(Enable));
        assert_eq!(
            mode_from_registry(Some(0), Some(1)),
            Some(DrainUntilRestart)
        );
        assert_eq!(mode_from_registry(Some(0), Some(2)), Some(Drain));
        assert_eq!(mode_from_registry(Some(1), Some(0)), Some(Disable));
        assert_eq!(mode_from_registry(Some(1), None), Some(Disable));
        // Missing or unknown values are not guessed at.
        assert_eq!(mode_from_registry(None, Some(0)), None);
        assert_eq!(mode_from_registry(Some(0), None), None);
        assert_eq!(mode_from_registry(Some(0), Some(3)), None);
        assert_eq!(mode_from_registry(Some(2), Some(0)), None);
    }

    #[test]
    fn this_process_runs_and_a_reaped_child_is_gone() {
        let me = process(std::process::id());
        assert!(matches!(me, Process::Running(Some(_))), "{me:?}");
        assert_eq!(me, process(std::process::id()), "the start time is stable");
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert_eq!(process(pid), Process::Gone);
    }
}

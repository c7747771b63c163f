//! System: what this program asks of the operating system it runs on: the OEM code page, the
//! caller's own session, and where the stock tools live.

use crate::table::session::SessionId;
use std::path::PathBuf;

/// The code page `query` writes redirected output in: the system's OEM code page on Windows,
/// CP437 elsewhere (captured output is then usually from a US English host).
pub fn oem_code_page() -> u16 {
    #[cfg(windows)]
    {
        // SAFETY: GetOEMCP takes no arguments and cannot fail.
        let cp = unsafe { windows_sys::Win32::Globalization::GetOEMCP() };
        u16::try_from(cp).unwrap_or(437)
    }
    #[cfg(not(windows))]
    {
        437
    }
}

/// The Remote Desktop session this process runs in, asked of the system; `None` off Windows.
pub fn own_session() -> Option<SessionId> {
    #[cfg(windows)]
    {
        use windows_sys::Win32::System::RemoteDesktop::ProcessIdToSessionId;
        use windows_sys::Win32::System::Threading::GetCurrentProcessId;
        let mut session = 0u32;
        // SAFETY: `session` is a valid place for the API to write one u32.
        let ok = unsafe { ProcessIdToSessionId(GetCurrentProcessId(), &mut session) };
        (ok != 0).then(|| SessionId::new(session))
    }
    #[cfg(not(windows))]
    {
        None
    }
}

/// The folder holding `query.exe`, `logoff.exe` and `msg.exe`: `%SystemRoot%\System32`, or
/// `%SystemRoot%\Sysnative` from a 32-bit process on 64-bit Windows (System32 would be
/// redirected to SysWOW64, where they do not exist). `None` off Windows.
pub fn system_tools_dir() -> Option<PathBuf> {
    #[cfg(windows)]
    {
        use std::os::windows::ffi::OsStringExt;
        use windows_sys::Win32::System::SystemInformation::GetSystemWindowsDirectoryW;
        use windows_sys::Win32::System::Threading::{GetCurrentProcess, IsWow64Process};
        let mut buf = [0u16; 512];
        // SAFETY: the buffer and its length in UTF-16 units are passed together.
        let len = unsafe { GetSystemWindowsDirectoryW(buf.as_mut_ptr(), buf.len() as u32) };
        if len == 0 || len as usize >= buf.len() {
            return None;
        }
        let windows = PathBuf::from(std::ffi::OsString::from_wide(&buf[..len as usize]));
        let mut wow64 = 0;
        // SAFETY: GetCurrentProcess returns a pseudo handle that needs no closing.
        let ok = unsafe { IsWow64Process(GetCurrentProcess(), &mut wow64) };
        let sub = if ok != 0 && wow64 != 0 {
            "Sysnative"
        } else {
            "System32"
        };
        Some(windows.join(sub))
    }
    #[cfg(not(windows))]
    {
        None
    }
}

/// This computer's name, to tell a `--server` that names the local host.
pub fn computer_name() -> Option<String> {
    std::env::var("COMPUTERNAME")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .filter(|n| !n.is_empty())
}

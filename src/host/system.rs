//! System: what this program asks of the operating system it runs on: the OEM code page, the
//! caller's own session and user, this computer's names and the addresses a name resolves to,
//! and where the stock tools live.

use crate::host::{Locality, LogonMode};
use crate::vocab::ServerName;
use crate::vocab::SessionId;
use std::net::{IpAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Mutex;

/// The code page `query` writes redirected output in: the system's OEM code page on Windows,
/// CP437 elsewhere (captured output is then usually from a US English host).
pub(crate) fn oem_code_page() -> u16 {
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
pub(crate) fn own_session() -> Option<SessionId> {
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
pub(crate) fn system_tools_dir() -> Option<PathBuf> {
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

/// This computer's names: NetBIOS name, DNS host name and fully qualified DNS name, as the
/// system reports them (`GetComputerNameExW`); off Windows the host name from the environment
/// or the kernel.
pub(crate) fn computer_names() -> Vec<String> {
    #[cfg(windows)]
    {
        use windows_sys::Win32::System::SystemInformation::{
            ComputerNameDnsFullyQualified, ComputerNameDnsHostname, ComputerNameNetBIOS,
            GetComputerNameExW,
        };
        let mut names = Vec::new();
        for format in [
            ComputerNameNetBIOS,
            ComputerNameDnsHostname,
            ComputerNameDnsFullyQualified,
        ] {
            let mut buf = [0u16; 512];
            let mut len = buf.len() as u32;
            // SAFETY: the buffer and its length in UTF-16 units are passed together; on success
            // `len` holds the number of units written, without the terminating NUL.
            let ok = unsafe { GetComputerNameExW(format, buf.as_mut_ptr(), &mut len) };
            if ok != 0 && (len as usize) < buf.len() {
                let name = String::from_utf16_lossy(&buf[..len as usize]);
                if !name.is_empty() && !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        names
    }
    #[cfg(not(windows))]
    {
        let kernel = std::fs::read_to_string("/proc/sys/kernel/hostname").ok();
        ["HOSTNAME", "COMPUTERNAME"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .chain(kernel)
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect()
    }
}

/// The user this process runs as, without the domain (as `query` prints it); off Windows (test
/// stand-ins) the `USER` or `USERNAME` environment variable.
pub(crate) fn own_user() -> Option<String> {
    #[cfg(windows)]
    {
        use windows_sys::Win32::System::WindowsProgramming::GetUserNameW;
        let mut buf = [0u16; 257];
        let mut len = buf.len() as u32;
        // SAFETY: the buffer and its length in UTF-16 units are passed together; on success
        // `len` counts the units written including the terminating NUL.
        let ok = unsafe { GetUserNameW(buf.as_mut_ptr(), &mut len) };
        (ok != 0 && len >= 1 && (len as usize) <= buf.len())
            .then(|| String::from_utf16_lossy(&buf[..len as usize - 1]))
            .filter(|n| !n.is_empty())
    }
    #[cfg(not(windows))]
    {
        ["USER", "USERNAME"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|n| !n.is_empty())
    }
}

/// Whether `server` names this computer: by name (NetBIOS, DNS host name, FQDN), as loopback
/// (`localhost`, 127.0.0.0/8, ::1), or by any address of this computer, also through an alias
/// that resolves to one. Answers are remembered for the run (the re-checks ask again).
pub(crate) fn locality(server: &ServerName) -> Locality {
    static KNOWN: Mutex<Vec<(String, Locality)>> = Mutex::new(Vec::new());
    remembered(&KNOWN, server.as_str(), || {
        locality_with(server, &computer_names(), &resolve, &is_own_address)
    })
}

/// The addresses `server` resolves to (an IP address is its own), in canonical form; `None`
/// when it does not resolve. Looked up once per run.
pub(crate) fn addresses(server: &ServerName) -> Option<Vec<IpAddr>> {
    resolve(server.as_str())
}

/// The addresses a name resolves to, looked up once per run; `None` when it does not resolve.
fn resolve(name: &str) -> Option<Vec<IpAddr>> {
    static KNOWN: Mutex<Vec<(String, Option<Vec<IpAddr>>)>> = Mutex::new(Vec::new());
    remembered(&KNOWN, name, || {
        let mut addrs: Vec<IpAddr> = Vec::new();
        for ip in (name, 0)
            .to_socket_addrs()
            .ok()?
            .map(|a| a.ip().to_canonical())
        {
            if !addrs.contains(&ip) {
                addrs.push(ip);
            }
        }
        (!addrs.is_empty()).then_some(addrs)
    })
}

/// The answer for `name` (ignoring case) from `cache`, or `find`'s, remembered. The lock is
/// not held while `find` runs, so lookups of different names from several threads overlap.
fn remembered<T: Clone>(
    cache: &Mutex<Vec<(String, T)>>,
    name: &str,
    find: impl FnOnce() -> T,
) -> T {
    let key = name.to_ascii_lowercase();
    let hit = {
        let known = cache.lock().unwrap_or_else(|e| e.into_inner());
        known
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    };
    if let Some(v) = hit {
        return v;
    }
    let v = find();
    let mut known = cache.lock().unwrap_or_else(|e| e.into_inner());
    known.push((key, v.clone()));
    v
}

/// Whether `ip` is an address of this computer: the system lets a socket bind only to its own
/// addresses.
fn is_own_address(ip: IpAddr) -> bool {
    std::net::UdpSocket::bind((ip, 0)).is_ok()
}

/// [`locality`] with this computer's names, a resolver and the own-address test given, for
/// tests.
pub(crate) fn locality_with(
    server: &ServerName,
    names: &[String],
    resolve: &dyn Fn(&str) -> Option<Vec<IpAddr>>,
    is_own: &dyn Fn(IpAddr) -> bool,
) -> Locality {
    let n = server.as_str().trim_end_matches('.').to_ascii_lowercase();
    if n == "localhost" || n.ends_with(".localhost") {
        return Locality::Local;
    }
    let lower: Vec<String> = names
        .iter()
        .map(|c| c.trim_end_matches('.').to_ascii_lowercase())
        .collect();
    if lower.contains(&n) {
        return Locality::Local;
    }
    let theirs = match n.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => match resolve(&n) {
            Some(addrs) => addrs,
            None => return Locality::Unknown,
        },
    };
    let mine = |ip: &IpAddr| {
        let ip = ip.to_canonical();
        ip.is_loopback() || ip.is_unspecified() || is_own(ip)
    };
    if theirs.iter().any(mine) {
        return Locality::Local;
    }
    // This computer's own names resolving to the same address (a cluster or NAT name that no
    // local socket holds) also make it local.
    let ours: Vec<IpAddr> = lower.iter().filter_map(|c| resolve(c)).flatten().collect();
    if theirs.iter().any(|ip| ours.contains(ip)) {
        Locality::Local
    } else {
        Locality::Remote
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str) -> Option<Vec<IpAddr>> {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        match name {
            "ts01" | "ts01.corp.example.com" => Some(vec![ip("10.0.0.5")]),
            "alias-of-ts01" => Some(vec![ip("10.0.0.5")]),
            "ts02" => Some(vec![ip("10.0.0.6")]),
            "loop-alias" => Some(vec![ip("127.0.0.1")]),
            "ts01.other-domain.example" => Some(vec![ip("192.168.1.5")]),
            _ => None,
        }
    }

    fn own(ip: IpAddr) -> bool {
        ip == "10.0.0.5".parse::<IpAddr>().unwrap()
            || ip == "192.168.1.5".parse::<IpAddr>().unwrap()
    }

    fn at(server: &str) -> Locality {
        let names = ["TS01".to_string(), "ts01.corp.example.com".to_string()];
        locality_with(&ServerName::parse(server).unwrap(), &names, &table, &own)
    }

    /// Issue 11 item 4: an IP address, an alias, 127.0.0.2 or another FQDN of this computer
    /// was taken for a remote server.
    #[test]
    fn this_computer_is_known_by_every_name_and_address() {
        for local in [
            "localhost",
            "LOCALHOST",
            "localhost.",
            "127.0.0.1",
            "127.0.0.2",
            "127.255.0.9",
            "0.0.0.0",
            "ts01",
            "TS01.corp.example.com",
            "ts01.corp.example.com.",
            "10.0.0.5",
            "192.168.1.5",
            "alias-of-ts01",
            "ts01.other-domain.example",
            "loop-alias",
        ] {
            assert_eq!(at(local), Locality::Local, "{local}");
        }
        assert_eq!(at("ts02"), Locality::Remote);
        assert_eq!(at("10.0.0.6"), Locality::Remote);
        assert_eq!(at("nowhere"), Locality::Unknown);
    }

    #[test]
    fn an_address_resolves_to_itself_and_a_bad_name_to_nothing() {
        let at = |s: &str| addresses(&ServerName::parse(s).unwrap());
        assert_eq!(at("10.0.0.5"), Some(vec!["10.0.0.5".parse().unwrap()]));
        // RFC 6761: .invalid never resolves.
        assert_eq!(at("nowhere.invalid"), None);
    }

    #[test]
    fn an_address_a_local_socket_can_bind_is_this_computer() {
        assert!(is_own_address("127.0.0.1".parse().unwrap()));
        // TEST-NET-3 (RFC 5737) is never assigned to a host.
        assert!(!is_own_address("203.0.113.77".parse().unwrap()));
        assert_eq!(
            locality(&ServerName::parse("127.0.0.3").unwrap()),
            Locality::Local
        );
    }

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

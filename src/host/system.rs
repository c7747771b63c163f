//! System: what this program asks of the operating system it runs on: the OEM code page, the
//! caller's own session and user, this computer's names and the addresses a name resolves to,
//! and where the stock tools live.

use crate::host::Locality;
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
}

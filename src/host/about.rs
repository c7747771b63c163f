//! About this computer, for `--check` and saved captures: the Windows version (`RtlGetVersion`,
//! which, unlike `GetVersionEx`, does not depend on the exe's manifest) and the user's display
//! language (`GetUserDefaultUILanguage`). Off Windows both say so.

/// What is known of the system the run is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct About {
    /// `10.0.20348` (major.minor.build), or `None` off Windows or when the system does not say.
    pub(crate) version: Option<String>,
    /// The display language as a LANGID and its name: `0x0409 en-US`.
    pub(crate) language: Option<String>,
    /// Whether this is Windows at all.
    pub(crate) windows: bool,
}

/// Asks the system.
pub(crate) fn about() -> About {
    About {
        version: version(),
        language: language(),
        windows: cfg!(windows),
    }
}

fn version() -> Option<String> {
    #[cfg(windows)]
    {
        use windows_sys::Wdk::System::SystemServices::RtlGetVersion;
        use windows_sys::Win32::System::SystemInformation::OSVERSIONINFOW;
        // SAFETY: OSVERSIONINFOW is plain data; all zeroes is a valid value.
        let mut info: OSVERSIONINFOW = unsafe { std::mem::zeroed() };
        info.dwOSVersionInfoSize = std::mem::size_of::<OSVERSIONINFOW>() as u32;
        // SAFETY: `info` is a valid OSVERSIONINFOW with its size set.
        let status = unsafe { RtlGetVersion(&mut info) };
        (status == 0).then(|| {
            format!(
                "{}.{}.{}",
                info.dwMajorVersion, info.dwMinorVersion, info.dwBuildNumber
            )
        })
    }
    #[cfg(not(windows))]
    {
        None
    }
}

fn language() -> Option<String> {
    #[cfg(windows)]
    {
        use windows_sys::Win32::Globalization::{GetUserDefaultUILanguage, LCIDToLocaleName};
        // SAFETY: takes no arguments and cannot fail.
        let id = unsafe { GetUserDefaultUILanguage() };
        let mut buf = [0u16; 85];
        // SAFETY: the buffer and its length in UTF-16 units are passed together; a LANGID is
        // an LCID with the default sort.
        let len = unsafe { LCIDToLocaleName(u32::from(id), buf.as_mut_ptr(), buf.len() as i32, 0) };
        let name = match usize::try_from(len) {
            Ok(n) if n > 1 && n <= buf.len() => String::from_utf16_lossy(&buf[..n - 1]),
            _ => "unknown name".to_string(),
        };
        Some(format!("{id:#06x} {name}"))
    }
    #[cfg(not(windows))]
    {
        None
    }
}

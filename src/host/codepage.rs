//! Code pages without a table here, decoded by Windows itself (MultiByteToWideChar with
//! MB_ERR_INVALID_CHARS, so an invalid byte marks the line instead of becoming '?').

#[cfg(windows)]
pub(crate) fn is_valid(cp: u16) -> bool {
    // SAFETY: IsValidCodePage only reads its argument.
    unsafe { windows_sys::Win32::Globalization::IsValidCodePage(u32::from(cp)) != 0 }
}

#[cfg(not(windows))]
pub(crate) fn is_valid(_cp: u16) -> bool {
    false
}

/// Decodes one line; `None` when the bytes are not valid in `cp`.
#[cfg(windows)]
pub(crate) fn decode(cp: u16, raw: &[u8]) -> Option<String> {
    use windows_sys::Win32::Globalization::{MultiByteToWideChar, MB_ERR_INVALID_CHARS};
    if raw.is_empty() {
        return Some(String::new());
    }
    let len = i32::try_from(raw.len()).ok()?;
    let mut wide = vec![0u16; raw.len()];
    // SAFETY: input and output buffers are passed with their lengths; one byte never makes
    // more than one UTF-16 unit, so `wide` is large enough.
    let n = unsafe {
        MultiByteToWideChar(
            u32::from(cp),
            MB_ERR_INVALID_CHARS,
            raw.as_ptr(),
            len,
            wide.as_mut_ptr(),
            len,
        )
    };
    if n <= 0 {
        return None;
    }
    String::from_utf16(&wide[..n as usize]).ok()
}

#[cfg(not(windows))]
pub(crate) fn decode(_cp: u16, _raw: &[u8]) -> Option<String> {
    None
}

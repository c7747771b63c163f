//! Console: where the confirmation goes when a person can answer. On Windows it is the console
//! itself (`CONOUT$`, written with `WriteConsoleW`), so `logoff-all > plan.txt 2> err.txt` still
//! shows the plan and the question; elsewhere standard error is used. The answer is read from
//! standard input, which is the console whenever a person is asked (that is what "asked" means:
//! standard input is a terminal).

use std::io::Write;

/// The console of this process, when there is one to write to (Windows only).
pub(crate) fn open() -> Option<Box<dyn Write>> {
    #[cfg(windows)]
    {
        windows::Console::open().map(|c| Box::new(c) as Box<dyn Write>)
    }
    #[cfg(not(windows))]
    {
        None
    }
}

/// Whether standard output is closed (`>&-` in a shell; no handle on Windows). The standard
/// library would swallow what is written there without a word, so the run is told and writes
/// the report to [`Closed`] instead, which fails. On Unix the standard library puts `/dev/null`,
/// opened for reading and writing, in the place of a closed stdout at start; a shell's
/// `>/dev/null` opens it for writing only, which is a choice and is left alone.
pub(crate) fn stdout_closed() -> bool {
    #[cfg(windows)]
    {
        use std::os::windows::io::AsRawHandle;
        std::io::stdout().as_raw_handle().is_null()
    }
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        let same = |a: std::fs::Metadata, b: std::fs::Metadata| {
            (a.dev(), a.ino(), a.rdev()) == (b.dev(), b.ino(), b.rdev())
        };
        let null = match (
            std::fs::metadata("/proc/self/fd/1"),
            std::fs::metadata("/dev/null"),
        ) {
            (Ok(out), Ok(null)) => same(out, null),
            _ => false,
        };
        // `flags:` is octal; O_RDWR is 2 in the access bits.
        let read_write = || {
            std::fs::read_to_string("/proc/self/fdinfo/1")
                .ok()
                .and_then(|info| {
                    let flags = info.lines().find_map(|l| l.strip_prefix("flags:"))?;
                    u32::from_str_radix(flags.trim(), 8).ok()
                })
                .is_some_and(|flags| flags & 3 == 2)
        };
        null && read_write()
    }
    #[cfg(not(any(windows, target_os = "linux")))]
    {
        false
    }
}

/// What the report is written to when standard output is closed: every write fails, saying so.
pub(crate) struct Closed;

impl Write for Closed {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::new(
            std::io::ErrorKind::BrokenPipe,
            "standard output is closed",
        ))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(windows)]
mod windows {
    use std::io::{self, Write};
    use std::os::windows::io::AsRawHandle;
    use windows_sys::Win32::System::Console::WriteConsoleW;

    /// `CONOUT$`, opened for writing; text is written as UTF-16 so that any name shows right.
    pub(crate) struct Console {
        file: std::fs::File,
        /// The tail of a UTF-8 sequence cut by the previous write.
        pending: Vec<u8>,
    }

    impl Console {
        pub(crate) fn open() -> Option<Console> {
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open("CONOUT$")
                .ok()?;
            Some(Console {
                file,
                pending: Vec::new(),
            })
        }

        fn write_wide(&self, text: &str) -> io::Result<()> {
            let wide: Vec<u16> = text.encode_utf16().collect();
            let mut done = 0;
            while done < wide.len() {
                let chunk = &wide[done..(done + 8192).min(wide.len())];
                let mut written = 0u32;
                // SAFETY: the handle is the open CONOUT$ file; the pointer and length describe
                // `chunk`, and `written` is a valid place for one u32.
                let ok = unsafe {
                    WriteConsoleW(
                        self.file.as_raw_handle() as _,
                        chunk.as_ptr().cast(),
                        chunk.len() as u32,
                        &mut written,
                        std::ptr::null(),
                    )
                };
                if ok == 0 || written == 0 {
                    return Err(io::Error::last_os_error());
                }
                done += written as usize;
            }
            Ok(())
        }
    }

    impl Write for Console {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.pending.extend_from_slice(buf);
            let valid = match std::str::from_utf8(&self.pending) {
                Ok(_) => self.pending.len(),
                Err(e) if e.error_len().is_none() => e.valid_up_to(),
                Err(_) => self.pending.len(),
            };
            let text = String::from_utf8_lossy(&self.pending[..valid]).into_owned();
            self.pending.drain(..valid);
            self.write_wide(&text)?;
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
}

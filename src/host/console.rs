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

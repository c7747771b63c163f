//! Files the command line names (`--input`, `--input-user`, `--exclude-file`,
//! `--servers-file`): checked to be regular files no larger than their limit before they are
//! opened, read with that limit (a file that grows meanwhile is cut off and refused), and list
//! files decoded as Windows tools save text (UTF-8 with or without a byte order mark, UTF-16
//! with one).

use crate::vocab::quote;
use std::io::{self, Read};
use std::path::Path;

/// The most read from `--input` and `--input-user`: as much as a live `query` may print (the
/// host's output limit for `query`, 4 MiB; a test holds the two equal).
pub(crate) const CAPTURE_LIMIT: u64 = 4 << 20;
/// The most read from `--exclude-file` and `--servers-file`: far more than any list of names.
pub(crate) const LIST_LIMIT: u64 = 1 << 20;

/// A size for messages: `4 MiB`, `512 KiB`, `300 bytes`.
pub(crate) fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes % (1 << 20) == 0 {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes % (1 << 10) == 0 {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

fn too_large(limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "it is larger than {}, the most read from this file",
            size(limit)
        ),
    )
}

/// What a path that is not a regular file is, for messages.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    if meta.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a pipe (FIFO)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

fn not_regular(meta: &std::fs::Metadata) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "it is {}, not a regular file (a pipe or device may never end, or never answer)",
            kind_of(meta)
        ),
    )
}

/// Checks, without opening it (opening a pipe waits for a writer), that `path` is a regular
/// file of at most `limit` bytes.
pub(crate) fn check(path: &Path, limit: u64) -> io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    if meta.len() > limit {
        return Err(too_large(limit));
    }
    Ok(())
}

/// Reads at most `limit` bytes from `reader`; more is an error, not a cut.
pub(crate) fn read_limited(reader: impl Read, limit: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

/// Reads a regular file of at most `limit` bytes: checked before it is opened, checked again
/// once open (the path may have changed in between), read with the limit.
pub(crate) fn read(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    check(path, limit)?;
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    read_limited(file, limit)
}

/// Decodes the bytes of a list file: a UTF-8, UTF-16 LE or UTF-16 BE byte order mark is
/// honoured and dropped (Notepad and Windows PowerShell 5.1's `Out-File` and `>` write one);
/// without one the text must be UTF-8.
pub(crate) fn decode(bytes: &[u8]) -> Result<String, String> {
    let utf16 = |rest: &[u8], le: bool| -> Result<String, String> {
        if rest.len() % 2 != 0 {
            return Err("UTF-16 text with an odd number of bytes".to_string());
        }
        let units = rest.chunks_exact(2).map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|e| format!("invalid UTF-16 ({e})"))
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => std::str::from_utf8(rest)
            .map(str::to_string)
            .map_err(|e| format!("invalid UTF-8 after the byte order mark ({e})")),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, true),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, false),
        _ => std::str::from_utf8(bytes).map(str::to_string).map_err(|e| {
            format!(
                "not UTF-8 ({e}); save it as UTF-8 or Unicode (UTF-16) in Notepad, \
                 so that names with accents are read as written"
            )
        }),
    }
}

/// Reads and decodes a list file named by `flag`; an error says what, where and `todo`.
pub(crate) fn read_list(flag: &str, path: &Path, todo: &str) -> Result<String, String> {
    let fail = |why: String| {
        format!(
            "cannot read {flag} {}: {why}; {todo}",
            quote(&path.to_string_lossy())
        )
    };
    let bytes = read(path, LIST_LIMIT).map_err(|e| fail(e.to_string()))?;
    decode(&bytes).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_capture_may_be_as_large_as_a_live_query_output() {
        assert_eq!(
            CAPTURE_LIMIT,
            crate::host::runner::QUERY_OUTPUT_LIMIT as u64
        );
    }

    fn utf16(text: &str, le: bool) -> Vec<u8> {
        let mut out = if le {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for u in text.encode_utf16() {
            out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out
    }

    /// Issue 11 item 3: Notepad's UTF-8 byte order mark used to become part of the first
    /// pattern, which then matched nobody.
    #[test]
    fn byte_order_marks_are_dropped_and_utf16_is_read() {
        let text = "Administrator\r\n# keep\r\nJürgen\r\n";
        let mut utf8 = vec![0xEF, 0xBB, 0xBF];
        utf8.extend_from_slice(text.as_bytes());
        for bytes in [
            utf8,
            utf16(text, true),
            utf16(text, false),
            text.as_bytes().to_vec(),
        ] {
            assert_eq!(decode(&bytes).unwrap(), text);
        }
        assert!(decode(b"J\xfcrgen").unwrap_err().contains("not UTF-8"));
        assert!(decode(&[0xFF, 0xFE, 0x41]).is_err());
    }

    /// Issue 20: the files were read whole, without limit: a 3 GB file took 24 GB of memory,
    /// `/dev/zero` never ended and a FIFO hung the run.
    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let dir = std::env::temp_dir().join(format!("logoff-all-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("list.txt");
        std::fs::write(&file, vec![b'a'; 100]).unwrap();
        assert_eq!(read(&file, 100).unwrap().len(), 100);
        let e = read(&file, 99).unwrap_err().to_string();
        assert!(e.contains("larger than 99 bytes"), "{e}");
        let e = read(&dir, 100).unwrap_err().to_string();
        assert!(e.contains("a folder, not a regular file"), "{e}");
        // A file that grows after the check is cut at the limit and refused.
        let endless = std::io::repeat(b'x');
        let e = read_limited(endless, 1 << 20).unwrap_err().to_string();
        assert!(e.contains("larger than 1 MiB"), "{e}");
        #[cfg(unix)]
        {
            let e = read(Path::new("/dev/zero"), LIST_LIMIT)
                .unwrap_err()
                .to_string();
            assert!(e.contains("a device, not a regular file"), "{e}");
            let fifo = dir.join("fifo");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                // Refused from its metadata: opening it would wait for a writer forever.
                let e = read(&fifo, LIST_LIMIT).unwrap_err().to_string();
                assert!(e.contains("a pipe (FIFO)"), "{e}");
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

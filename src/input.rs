//! From bytes to text: decides whether a file is a document (UTF-8, BOM allowed), binary (a NUL
//! byte: skipped) or not UTF-8 (reported at the first bad byte). Never alters input files.

/// What a file's bytes turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub enum Decoded {
    /// Valid UTF-8 text (a BOM, if any, is kept; the document parser skips it).
    Text(String),
    /// The file holds a NUL byte: not a text document.
    Binary,
    /// Not valid UTF-8: `valid` is the text before the first bad sequence at `offset`, which is
    /// `len` bytes long (at least 1).
    InvalidUtf8 {
        valid: String,
        offset: usize,
        len: usize,
        byte: u8,
    },
}

/// Reads a whole file, as `std::fs::read` does but without asking the file system for the file's
/// size first: on a corpus of short files that `statx` is a fifth of the system calls. The bytes
/// are read into the thread's buffer (zeroed once, kept from file to file), so most files take
/// two `read` calls (the second sees the end), and are copied out into the text buffer an
/// earlier document of the thread left (`document::spare_text_buffer`), or a new one.
pub fn read_file(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let mut file = open(path)?;
    BUFFER.with_borrow_mut(|buf| {
        if buf.is_empty() {
            buf.resize(READ_BUFFER, 0);
        }
        let mut len = 0;
        let result = loop {
            if len == buf.len() {
                buf.resize(2 * len, 0);
            }
            match file.read(&mut buf[len..]) {
                Ok(0) => {
                    let mut bytes = crate::document::spare_text_buffer();
                    bytes.extend_from_slice(&buf[..len]);
                    break Ok(bytes);
                }
                Ok(n) => len += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        // One huge file should not pin its size in every thread for the rest of the run.
        if buf.len() > READ_BUFFER_KEPT {
            *buf = Vec::new();
        }
        result
    })
}

/// Opens a file to read. Where the system has `openat`, a file is opened relative to its folder,
/// which the thread keeps open while it reads files from that folder (the walk hands out files in
/// order, so consecutive files mostly share one): the kernel then looks up one name per file, not
/// every folder on its path again (on the benchmark corpus, path lookup was about 4% of the run).
/// Anything unusual (no folder part, a folder that cannot be opened) takes the plain way, whose
/// errors are the ones reported. A folder renamed while the thread holds it open is still read
/// from: the files are those the walk found there.
#[cfg(unix)]
fn open(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    use rustix::fs::{Mode, OFlags};
    use std::os::fd::OwnedFd;
    use std::path::PathBuf;
    thread_local! {
        static FOLDER: std::cell::RefCell<Option<(PathBuf, OwnedFd)>> =
            const { std::cell::RefCell::new(None) };
    }
    let (Some(folder), Some(name)) = (path.parent(), path.file_name()) else {
        return std::fs::File::open(path);
    };
    if folder.as_os_str().is_empty() {
        return std::fs::File::open(path);
    }
    FOLDER.with_borrow_mut(|cached| {
        if cached.as_ref().is_none_or(|(p, _)| p != folder) {
            // `O_PATH` where Linux has it: the folder is only named, never read.
            #[cfg(any(target_os = "linux", target_os = "android"))]
            let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
            #[cfg(not(any(target_os = "linux", target_os = "android")))]
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            *cached = rustix::fs::open(folder, flags, Mode::empty())
                .ok()
                .map(|fd| (folder.to_path_buf(), fd));
        }
        let Some((_, dir)) = cached.as_ref() else {
            return std::fs::File::open(path);
        };
        let fd = rustix::fs::openat(dir, name, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty())?;
        Ok(std::fs::File::from(fd))
    })
}

#[cfg(not(unix))]
fn open(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// The thread's read buffer to begin with: most news articles are shorter.
const READ_BUFFER: usize = 64 * 1024;
/// A read buffer grown beyond this (by a large file) is given back after the file.
const READ_BUFFER_KEPT: usize = 1024 * 1024;

pub fn decode(bytes: Vec<u8>) -> Decoded {
    // memchr's SIMD search: `<[u8]>::contains` scans a byte at a time here.
    if memchr::memchr(0, &bytes).is_some() {
        return Decoded::Binary;
    }
    match String::from_utf8(bytes) {
        Ok(text) => Decoded::Text(text),
        Err(err) => {
            let e = err.utf8_error();
            let offset = e.valid_up_to();
            let bytes = err.into_bytes();
            let len = e.error_len().unwrap_or(bytes.len() - offset).max(1);
            let byte = bytes[offset];
            let valid = String::from_utf8(bytes[..offset].to_vec()).expect("prefix is valid UTF-8");
            Decoded::InvalidUtf8 {
                valid,
                offset,
                len,
                byte,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `read_file` gives back every byte, whatever the size against its buffer: empty, short,
    /// exactly the buffer, beyond it (the buffer grows), and beyond what the thread keeps (the
    /// buffer is given back, and the next file is read all the same).
    #[test]
    fn read_file_reads_whole_files_of_any_size() {
        let dir = tempfile::tempdir().unwrap();
        for (i, len) in [
            0,
            1,
            1000,
            READ_BUFFER - 1,
            READ_BUFFER,
            READ_BUFFER + 1,
            3 * READ_BUFFER + 7,
            READ_BUFFER_KEPT + 5,
            17,
        ]
        .into_iter()
        .enumerate()
        {
            let bytes: Vec<u8> = (0..len).map(|j| (j * 31 + i) as u8).collect();
            let path = dir.path().join(format!("{i}.txt"));
            std::fs::write(&path, &bytes).unwrap();
            assert_eq!(read_file(&path).unwrap(), bytes, "length {len}");
        }
        let missing = read_file(&dir.path().join("missing.txt")).unwrap_err();
        assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
        assert!(read_file(dir.path()).is_err(), "a folder is not a file");
    }

    /// Files opened relative to the thread's open folder (`open`): the same name in two folders,
    /// read in turns, gives each folder's own file; a bare name, a missing folder, a file
    /// replaced in the open folder, and a folder renamed away (once another folder was opened)
    /// behave as a plain open does.
    #[test]
    fn files_are_read_from_their_own_folder() {
        let root = tempfile::tempdir().unwrap();
        let (a, b) = (root.path().join("a"), root.path().join("b"));
        for (dir, text) in [(&a, "in a"), (&b, "in b")] {
            std::fs::create_dir(dir).unwrap();
            std::fs::write(dir.join("doc.txt"), text).unwrap();
        }
        for _ in 0..2 {
            assert_eq!(read_file(&a.join("doc.txt")).unwrap(), b"in a");
            assert_eq!(read_file(&b.join("doc.txt")).unwrap(), b"in b");
        }
        std::fs::write(b.join("doc.txt"), "b again").unwrap();
        assert_eq!(read_file(&b.join("doc.txt")).unwrap(), b"b again");
        let gone = root.path().join("gone");
        std::fs::rename(&b, &gone).unwrap();
        // The open folder is the one the walk found: renamed during the run, it is still read.
        assert_eq!(read_file(&b.join("doc.txt")).unwrap(), b"b again");
        read_file(&a.join("doc.txt")).unwrap();
        let err = read_file(&b.join("doc.txt")).unwrap_err();
        assert_eq!(
            err.kind(),
            std::io::ErrorKind::NotFound,
            "folder renamed away"
        );
        let err = read_file(&root.path().join("none/doc.txt")).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound, "missing folder");
        assert!(
            read_file(std::path::Path::new("Cargo.toml")).is_ok(),
            "a bare name"
        );
    }

    #[test]
    fn latin1_is_reported_at_first_bad_byte() {
        let d = decode(b"price \xa3300".to_vec());
        assert_eq!(
            d,
            Decoded::InvalidUtf8 {
                valid: "price ".into(),
                offset: 6,
                len: 1,
                byte: 0xa3
            }
        );
    }

    #[test]
    fn nul_means_binary() {
        assert_eq!(decode(b"PK\x03\x04\x00\x00".to_vec()), Decoded::Binary);
    }

    #[test]
    fn bom_is_kept() {
        assert_eq!(
            decode(b"\xef\xbb\xbfHi".to_vec()),
            Decoded::Text("\u{feff}Hi".into())
        );
    }

    #[test]
    fn truncated_sequence_at_end() {
        let d = decode(b"ok \xe2\x80".to_vec());
        assert_eq!(
            d,
            Decoded::InvalidUtf8 {
                valid: "ok ".into(),
                offset: 3,
                len: 2,
                byte: 0xe2
            }
        );
    }
}

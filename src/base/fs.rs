//! Reading a file that someone else may have prepared: only a regular file is read
//! (a FIFO would block, a device never ends), at most a given number of bytes, and a
//! symbolic link is followed only when the caller allows it.
//!
//! Every read of a file the project or a configuration names goes through here: the
//! project walker's, a dotenv source's, a certificate's, the ledger's.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// A symbolic link where none is followed, a folder, a FIFO, a device or a socket
    /// (which, as [`file_kind`] says).
    #[error("{0}, not a regular file")]
    NotRegular(&'static str),
    /// Larger than the limit for this kind of file.
    #[error("{size} bytes, over the {} limit", describe_size(*.limit))]
    TooLarge {
        /// Its size in bytes.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file does not exist (as the operating system says it).
    #[error("{0}")]
    Missing(String),
    /// A symbolic link that leads out of the folder it must stay in.
    #[error("a symbolic link to {} (outside {})", .target.display(), .within.display())]
    Outside {
        /// Where it leads.
        target: std::path::PathBuf,
        /// The folder.
        within: std::path::PathBuf,
    },
    /// The operating system refused (permissions, a file that vanished).
    #[error("{0}")]
    Unreadable(String),
}

/// Whether symbolic links are followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links<'a> {
    /// Never (a link is [`ReadError::NotRegular`]).
    Refuse,
    /// Only when the file it leads to is inside this folder (a project's file may
    /// link to another of its files, never out of the project).
    Within(&'a Path),
    /// Followed to wherever it points (a path the user gave on purpose).
    Follow,
    /// Never, for a file a walk has just listed as a regular file: opened without
    /// asking its kind first (the walk did), and checked once open as always. Saves a
    /// path lookup per file where a walk reads thousands.
    Listed,
}

/// `4 MiB`, `512 KiB`, `100 bytes`.
pub fn describe_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// What a file is, in words: `a FIFO`, `a character device`, `a folder`...
pub fn file_kind(kind: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_file() {
        "a regular file"
    } else if kind.is_dir() {
        "a folder"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else {
        "a special file"
    }
}

/// Opens a regular file for reading without blocking on a FIFO (O_NONBLOCK) and,
/// with [`Links::Refuse`], without following a link (O_NOFOLLOW); returns it with its
/// size.
pub fn open_regular(path: &Path, links: Links<'_>) -> Result<(File, u64), ReadError> {
    use std::os::unix::fs::OpenOptionsExt;
    let missing = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::Missing(e.to_string()),
        _ => ReadError::Unreadable(e.to_string()),
    };
    let mut flags = rustix::fs::OFlags::NONBLOCK;
    let mut target = path.to_path_buf();
    match links {
        Links::Refuse | Links::Listed => flags |= rustix::fs::OFlags::NOFOLLOW,
        Links::Follow => {}
        Links::Within(root) => {
            // Resolve every link, then open the result without following another.
            target = std::fs::canonicalize(path).map_err(missing)?;
            let root = std::fs::canonicalize(root).map_err(missing)?;
            if !target.starts_with(&root) {
                return Err(ReadError::Outside {
                    target,
                    within: root,
                });
            }
            flags |= rustix::fs::OFlags::NOFOLLOW;
        }
    }
    // Never open what is not a regular file: opening some devices does something
    // (a watchdog starts counting, a tape rewinds). What is opened is checked again.
    let before = match links {
        Links::Listed => None,
        Links::Refuse => Some(std::fs::symlink_metadata(&target)),
        _ => Some(std::fs::metadata(&target)),
    };
    if let Some(before) = before {
        let before = before.map_err(missing)?;
        if !before.is_file() {
            return Err(ReadError::NotRegular(file_kind(before.file_type())));
        }
    }
    let opened = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags.bits() as i32)
        .open(&target);
    regular(opened)
}

/// The file just opened (`O_NOFOLLOW`), with its size, if it is a regular file.
fn regular(opened: std::io::Result<File>) -> Result<(File, u64), ReadError> {
    let file = match opened {
        Ok(file) => file,
        Err(e) if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
            return Err(ReadError::NotRegular("a symbolic link"));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ReadError::Missing(e.to_string()));
        }
        Err(e) => return Err(ReadError::Unreadable(e.to_string())),
    };
    let meta = file
        .metadata()
        .map_err(|e| ReadError::Unreadable(e.to_string()))?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(file_kind(meta.file_type())));
    }
    Ok((file, meta.len()))
}

/// [`read_into`] of a file a walk listed (as [`Links::Listed`]), opened by its `name`
/// in the open folder `dir`: the kernel looks up one name instead of every
/// component of the path, which is a fair part of reading 10,000 small files.
pub fn read_listed_at(
    dir: &File,
    name: &std::ffi::OsStr,
    limit: u64,
    buf: &mut Vec<u8>,
) -> Result<(), ReadError> {
    use rustix::fs::OFlags;
    let opened = rustix::fs::openat(
        dir,
        name,
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
        rustix::fs::Mode::empty(),
    )
    .map(File::from)
    .map_err(std::io::Error::from);
    let (file, size) = regular(opened)?;
    read_open(file, size, limit, buf)
}

/// An open folder, for [`read_listed_at`].
pub fn open_folder(path: &Path) -> std::io::Result<File> {
    use rustix::fs::OFlags;
    rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        rustix::fs::Mode::empty(),
    )
    .map(File::from)
    .map_err(std::io::Error::from)
}

/// Reads a regular file of at most `limit` bytes into `buf` (see [`open_regular`]).
pub fn read_into(
    path: &Path,
    limit: u64,
    links: Links<'_>,
    buf: &mut Vec<u8>,
) -> Result<(), ReadError> {
    let (file, size) = open_regular(path, links)?;
    read_open(file, size, limit, buf)
}

/// Reads the open `file` of `size` bytes into `buf`, at most `limit` bytes. A short
/// read once `size` bytes are in is the end: it is not confirmed by another read that
/// returns nothing (one system call per file fewer, on 10,000 files).
fn read_open(mut file: File, size: u64, limit: u64, buf: &mut Vec<u8>) -> Result<(), ReadError> {
    if size > limit {
        return Err(ReadError::TooLarge { size, limit });
    }
    // One byte more than the size: a file that grew since fills it and is read on.
    let most = usize::try_from(limit)
        .unwrap_or(usize::MAX)
        .saturating_add(1);
    buf.clear();
    buf.resize(
        usize::try_from(size)
            .unwrap_or(usize::MAX)
            .saturating_add(1)
            .min(most),
        0,
    );
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            if filled >= most {
                break;
            }
            buf.resize((filled * 2).clamp(filled + 1, most), 0);
        }
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => {
                filled += n;
                if filled < buf.len() && filled as u64 >= size {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ReadError::Unreadable(e.to_string())),
        }
    }
    buf.truncate(filled);
    // It grew while being read.
    if filled as u64 > limit {
        return Err(ReadError::TooLarge {
            size: filled as u64,
            limit,
        });
    }
    Ok(())
}

/// Files of one run read once however many readers ask: a probe that reads a Compose
/// file by name, the dotenv source of an environment, the walker reading a
/// `.gitignore`, and the run's pass over every file's contents all get the same bytes
/// from one read. Only the files its owner says readers ask for by name are kept (see
/// [`ReadCache::keeping`]), so memory holds a few small files, not the project.
pub struct ReadCache {
    entries: std::sync::Mutex<std::collections::HashMap<std::path::PathBuf, CachedRead>>,
    keeps: fn(&Path) -> bool,
}

impl std::fmt::Debug for ReadCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadCache").finish_non_exhaustive()
    }
}

type CachedRead = std::sync::Arc<std::sync::OnceLock<Result<std::sync::Arc<[u8]>, ReadError>>>;

/// The most a kept file may hold (each reader applies its own, smaller limit).
pub const KEPT_LIMIT: u64 = 4 * 1024 * 1024;

impl ReadCache {
    /// A cache keeping the files for which `keeps` holds.
    pub fn keeping(keeps: fn(&Path) -> bool) -> ReadCache {
        ReadCache {
            entries: std::sync::Mutex::default(),
            keeps,
        }
    }

    /// Whether it keeps the file at `path`.
    pub fn keeps(&self, path: &Path) -> bool {
        (self.keeps)(path)
    }

    /// The file at `path` as [`read`] would give it (at most `limit` bytes, links as
    /// `links` says), read once for the run when it is kept and not a symbolic link.
    pub fn read(
        &self,
        path: &Path,
        limit: u64,
        links: Links<'_>,
    ) -> Result<std::sync::Arc<[u8]>, ReadError> {
        // A path through a link (its last part or any folder on the way) is read as
        // asked, every time: where it leads is the reader's rule (`Within` confines
        // it to the project). Kept files are read without following anything.
        let plain = self.keeps(path)
            && match links {
                Links::Refuse | Links::Listed => true,
                Links::Within(_) | Links::Follow => {
                    std::fs::canonicalize(path).map_or(true, |c| c == path)
                }
            };
        if !plain {
            return read(path, limit, links).map(std::sync::Arc::from);
        }
        let cell = {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            std::sync::Arc::clone(entries.entry(path.to_path_buf()).or_default())
        };
        let bytes = cell
            .get_or_init(|| read(path, KEPT_LIMIT, Links::Refuse).map(std::sync::Arc::from))
            .clone()?;
        if bytes.len() as u64 > limit {
            return Err(ReadError::TooLarge {
                size: bytes.len() as u64,
                limit,
            });
        }
        Ok(bytes)
    }

    /// [`ReadCache::read`] as text, invalid UTF-8 replaced.
    pub fn read_text(
        &self,
        path: &Path,
        limit: u64,
        links: Links<'_>,
    ) -> Result<String, ReadError> {
        self.read(path, limit, links)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// Reads through `cache` when there is one, else straight from the file.
pub fn read_text_via(
    cache: Option<&ReadCache>,
    path: &Path,
    limit: u64,
    links: Links<'_>,
) -> Result<String, ReadError> {
    match cache {
        Some(cache) => cache.read_text(path, limit, links),
        None => read_text(path, limit, links),
    }
}

/// [`read_into`] a new buffer.
pub fn read(path: &Path, limit: u64, links: Links<'_>) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::new();
    read_into(path, limit, links, &mut buf)?;
    Ok(buf)
}

/// [`read`] as text, invalid UTF-8 replaced.
pub fn read_text(path: &Path, limit: u64, links: Links<'_>) -> Result<String, ReadError> {
    read(path, limit, links).map(|bytes| match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_keeps_the_readers_link_rules() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let project = root.join("project");
        let outside = root.join("outside");
        std::fs::create_dir_all(&project).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join(".env"), "SECRET=x").unwrap();
        std::fs::write(project.join(".env"), "A=1").unwrap();
        // A folder of the project that leads out of it.
        std::os::unix::fs::symlink(&outside, project.join("config")).unwrap();
        let cache = ReadCache::keeping(|p| p.file_name().is_some_and(|n| n == ".env"));
        assert_eq!(
            &*cache
                .read(&project.join(".env"), 100, Links::Within(&project))
                .unwrap(),
            b"A=1"
        );
        // Read once: the second reader gets the same bytes.
        std::fs::write(project.join(".env"), "A=2").unwrap();
        assert_eq!(
            &*cache
                .read(&project.join(".env"), 100, Links::Listed)
                .unwrap(),
            b"A=1"
        );
        assert!(matches!(
            cache.read(&project.join("config/.env"), 100, Links::Within(&project)),
            Err(ReadError::Outside { .. })
        ));
        // Its own limit for each reader.
        assert!(matches!(
            cache.read(&project.join(".env"), 2, Links::Refuse),
            Err(ReadError::TooLarge { size: 3, limit: 2 })
        ));
    }

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        std::fs::write(&file, "hello").unwrap();
        assert_eq!(read_text(&file, 10, Links::Refuse).unwrap(), "hello");
        assert_eq!(
            read(&file, 4, Links::Refuse),
            Err(ReadError::TooLarge { size: 5, limit: 4 })
        );
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert_eq!(
            read(&link, 10, Links::Refuse),
            Err(ReadError::NotRegular("a symbolic link"))
        );
        assert_eq!(read_text(&link, 10, Links::Follow).unwrap(), "hello");
        let zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert_eq!(
            read(&zero, 10, Links::Follow),
            Err(ReadError::NotRegular("a character device"))
        );
        let fifo = dir.path().join("fifo");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
            0,
        )
        .unwrap();
        // Would block forever without O_NONBLOCK.
        assert_eq!(
            read(&fifo, 10, Links::Follow),
            Err(ReadError::NotRegular("a FIFO"))
        );
        assert!(matches!(
            read(&dir.path().join("absent"), 10, Links::Follow),
            Err(ReadError::Missing(_))
        ));
        // A link that stays inside the folder is followed; one that leaves is not.
        let inner = dir.path().join("sub");
        std::fs::create_dir(&inner).unwrap();
        std::os::unix::fs::symlink("../a.txt", inner.join("up")).unwrap();
        assert_eq!(
            read_text(&inner.join("up"), 10, Links::Within(dir.path())).unwrap(),
            "hello"
        );
        assert!(matches!(
            read(&inner.join("up"), 10, Links::Within(&inner)),
            Err(ReadError::Outside { .. })
        ));
        assert!(matches!(
            read(&zero, 10, Links::Within(dir.path())),
            Err(ReadError::Outside { .. })
        ));
        assert_eq!(describe_size(4 * 1024 * 1024), "4 MiB");
    }
}

//! The ledger file: append-only JSON Lines, one [`Record`] per line, each chained to the
//! one before by hash.
//!
//! Writers take an exclusive lock on the file, check the whole chain, then append one
//! line with a single `write` and `fsync` it; readers take a shared lock. A crash can
//! leave at worst a torn last line (no line end), which [`Ledger::read`] reports and
//! never drops silently; earlier lines are never rewritten. This module never decides
//! what a record means: that is [`super::state`].

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::record::{Entry, GENESIS, RECORD_VERSION, Record};
use crate::base::timestamp::Timestamp;

/// The largest ledger read (hundreds of thousands of records).
pub const MAX_LEDGER: u64 = 256 * 1024 * 1024;

/// The first thing wrong with a ledger. Records before it are intact.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainProblem {
    /// The last line has no line end: a write was interrupted.
    #[error(
        "line {line} is incomplete: {len} bytes from byte {offset} have no line end (a write was interrupted)"
    )]
    TornTail {
        /// Line number, from 1.
        line: usize,
        /// Byte offset where the line starts.
        offset: u64,
        /// Its length in bytes.
        len: usize,
    },
    /// A line is not a record.
    #[error("line {line} is not a valid record: {reason}")]
    Malformed {
        /// Line number.
        line: usize,
        /// Why.
        reason: String,
    },
    /// A record's content does not match its hash: it was edited.
    #[error("line {line} was modified: its content does not match its hash")]
    Modified {
        /// Line number.
        line: usize,
    },
    /// A record does not follow the one before it: a record was deleted, inserted or
    /// moved.
    #[error("line {line} is out of place: {detail} (a record was deleted, inserted or reordered)")]
    BrokenLink {
        /// Line number.
        line: usize,
        /// What does not match.
        detail: String,
    },
}

impl ChainProblem {
    /// The line it is on.
    pub fn line(&self) -> usize {
        match self {
            ChainProblem::TornTail { line, .. }
            | ChainProblem::Malformed { line, .. }
            | ChainProblem::Modified { line }
            | ChainProblem::BrokenLink { line, .. } => *line,
        }
    }
}

/// Why the ledger could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// Reading, writing, locking or syncing failed.
    #[error("ledger {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The chain is broken; nothing is appended to a broken ledger.
    #[error(
        "ledger {} is damaged, so nothing was recorded: {problem}\n  run `preflight verify` for details",
        path.display()
    )]
    Broken {
        /// The file.
        path: PathBuf,
        /// The first problem.
        problem: ChainProblem,
    },
    /// `repair` was asked of a ledger whose problem is not a torn last line.
    #[error(
        "ledger {} cannot be repaired automatically: {problem}\n  only an interrupted last line can be set aside; restore the file from version control",
        path.display()
    )]
    NotRepairable {
        /// The file.
        path: PathBuf,
        /// The problem.
        problem: ChainProblem,
    },
}

/// What reading a ledger found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contents {
    /// The records up to the first problem, all verified.
    pub records: Vec<Record>,
    /// The first problem, if any.
    pub problem: Option<ChainProblem>,
}

impl Contents {
    /// Hash of the last verified record: what a report quotes so that it can be
    /// checked against the ledger later.
    pub fn head(&self) -> Option<&str> {
        self.records.last().map(|r| r.hash.as_str())
    }
}

/// A ledger file.
#[derive(Debug, Clone)]
pub struct Ledger {
    path: PathBuf,
}

impl Ledger {
    /// The ledger at `path` (which need not exist yet).
    pub fn new(path: impl Into<PathBuf>) -> Ledger {
        Ledger { path: path.into() }
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(&self, source: std::io::Error) -> LedgerError {
        LedgerError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// Opens the ledger file: a regular file, never through a symbolic link, never
    /// blocking (a FIFO in its place is refused, not waited on).
    fn open(&self, options: &mut OpenOptions) -> std::io::Result<File> {
        use std::os::unix::fs::OpenOptionsExt;
        let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
        let file = options.custom_flags(flags.bits() as i32).open(&self.path)?;
        if !file.metadata()?.is_file() {
            return Err(std::io::Error::other("not a regular file"));
        }
        Ok(file)
    }

    /// Reads at most [`MAX_LEDGER`] bytes of the open ledger.
    fn read_all(&self, file: &mut File) -> Result<Vec<u8>, LedgerError> {
        let mut bytes = Vec::new();
        file.take(MAX_LEDGER + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| self.io(e))?;
        if bytes.len() as u64 > MAX_LEDGER {
            return Err(self.io(std::io::Error::other(format!(
                "larger than {} MiB",
                MAX_LEDGER / (1024 * 1024)
            ))));
        }
        Ok(bytes)
    }

    /// Reads and verifies the whole ledger under a shared lock. A missing file is an
    /// empty ledger.
    pub fn read(&self) -> Result<Contents, LedgerError> {
        let mut file = match self.open(OpenOptions::new().read(true)) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Contents::default()),
            Err(e) => return Err(self.io(e)),
        };
        file.lock_shared().map_err(|e| self.io(e))?;
        let bytes = self.read_all(&mut file)?;
        Ok(verify(&bytes))
    }

    /// Appends one record under an exclusive lock, after verifying the chain, and
    /// syncs it to disk before returning it.
    pub fn append(&self, entry: Entry) -> Result<Record, LedgerError> {
        self.append_with(|_| Ok(entry))
    }

    /// Like [`Ledger::append`], but the entry is made (or refused) by `make` from the
    /// verified records while the lock is held, so the checks it makes cannot be
    /// invalidated by another writer in between.
    pub fn append_with<E: From<LedgerError>>(
        &self,
        make: impl FnOnce(&Contents) -> Result<Entry, E>,
    ) -> Result<Record, E> {
        let (mut file, contents) = self.open_locked()?;
        if let Some(problem) = contents.problem {
            return Err(LedgerError::Broken {
                path: self.path.clone(),
                problem,
            }
            .into());
        }
        let entry = make(&contents)?;
        let seq = contents.records.len() as u64 + 1;
        let record = Record::seal(entry, seq, contents.head().unwrap_or(GENESIS));
        let mut line = record.to_line();
        line.push('\n');
        // One write call for the whole line: with the lock held, no other writer
        // interleaves, and a crash leaves at worst this line torn.
        file.write_all(line.as_bytes()).map_err(|e| self.io(e))?;
        file.sync_data().map_err(|e| self.io(e))?;
        Ok(record)
    }

    /// Sets an interrupted last line aside: copies it to `<ledger>.torn-<time>` and
    /// truncates the ledger to the records before it. Any other problem is refused.
    /// Returns the file the torn bytes were saved to, or `None` when nothing was wrong.
    pub fn repair_torn_tail(&self, now: Timestamp) -> Result<Option<PathBuf>, LedgerError> {
        let (file, contents) = self.open_locked()?;
        match contents.problem {
            None => Ok(None),
            Some(ChainProblem::TornTail { offset, .. }) => {
                let mut bytes = Vec::new();
                (&file)
                    .seek(SeekFrom::Start(offset))
                    .and_then(|_| (&file).read_to_end(&mut bytes))
                    .map_err(|e| self.io(e))?;
                let mut aside = self.path.as_os_str().to_owned();
                aside.push(format!(".torn-{}", now.compact()));
                let aside = PathBuf::from(aside);
                std::fs::write(&aside, &bytes).map_err(|e| self.io(e))?;
                file.set_len(offset).map_err(|e| self.io(e))?;
                file.sync_all().map_err(|e| self.io(e))?;
                Ok(Some(aside))
            }
            Some(problem) => Err(LedgerError::NotRepairable {
                path: self.path.clone(),
                problem,
            }),
        }
    }

    /// Opens (creating it and its directory if needed) and exclusively locks the file,
    /// then reads and verifies it.
    fn open_locked(&self) -> Result<(File, Contents), LedgerError> {
        let parent = self
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|e| self.io(e))?;
        let existed = self.path.exists();
        let mut file = self
            .open(OpenOptions::new().read(true).append(true).create(true))
            .map_err(|e| self.io(e))?;
        if !existed {
            // Make the new directory entry durable too.
            File::open(parent)
                .and_then(|d| d.sync_all())
                .map_err(|e| self.io(e))?;
        }
        file.lock().map_err(|e| self.io(e))?;
        file.seek(SeekFrom::Start(0)).map_err(|e| self.io(e))?;
        let bytes = self.read_all(&mut file)?;
        Ok((file, verify(&bytes)))
    }
}

/// Verifies ledger bytes: every line a record of a known version, numbered in order,
/// linked to the previous record's hash and matching its own hash.
pub fn verify(bytes: &[u8]) -> Contents {
    let mut contents = Contents::default();
    let mut offset = 0usize;
    let mut line = 0usize;
    while offset < bytes.len() {
        line += 1;
        let rest = &bytes[offset..];
        let Some(end) = rest.iter().position(|&b| b == b'\n') else {
            contents.problem = Some(ChainProblem::TornTail {
                line,
                offset: offset as u64,
                len: rest.len(),
            });
            return contents;
        };
        let text = &rest[..end];
        offset += end + 1;
        let expected_prev = contents.head().unwrap_or(GENESIS).to_string();
        match check_line(text, line, &expected_prev) {
            Ok(record) => contents.records.push(record),
            Err(problem) => {
                contents.problem = Some(problem);
                return contents;
            }
        }
    }
    contents
}

fn check_line(text: &[u8], line: usize, expected_prev: &str) -> Result<Record, ChainProblem> {
    let malformed = |reason: String| ChainProblem::Malformed { line, reason };
    let record: Record = serde_json::from_slice(text).map_err(|e| malformed(e.to_string()))?;
    if record.v != RECORD_VERSION {
        return Err(malformed(format!(
            "record version {} (this build reads version {RECORD_VERSION})",
            record.v
        )));
    }
    if record.hash != record.compute_hash() {
        return Err(ChainProblem::Modified { line });
    }
    if record.prev != expected_prev {
        return Err(ChainProblem::BrokenLink {
            line,
            detail: if line == 1 {
                "it is not the first record".to_string()
            } else {
                format!("its `prev` is not the hash of line {}", line - 1)
            },
        });
    }
    if record.seq != line as u64 {
        return Err(ChainProblem::BrokenLink {
            line,
            detail: format!("it is numbered {}", record.seq),
        });
    }
    Ok(record)
}

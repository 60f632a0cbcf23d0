//! The ledger file: append-only JSON Lines, one [`Record`] per line, linked by hash.
//!
//! Records form a DAG: each names the ledger's heads when it was written (a ledger of
//! an earlier version starts with a linear chain, still verified as one). The order of
//! lines does not matter, so git's built-in `merge=union` (set for the ledger in a
//! `.gitattributes` beside it, written with the first record) merges two branches'
//! ledgers without a conflict and without per-clone configuration; every record of
//! both sides stays valid. Records are put in order by their links, then time, then
//! hash, so every clone derives the same state.
//!
//! Writers take an exclusive lock on the file, check every record, then append one
//! line with a single `write` and `fsync` it; readers take a shared lock. A crash can
//! leave at worst a torn last line (no line end), which [`Ledger::read`] reports and
//! never drops silently; earlier lines are never rewritten. This module never decides
//! what a record means (nor whether its signature counts): that is [`super::state`].

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use super::record::{Entry, GENESIS, RECORD_VERSION, RECORD_VERSION_CHAIN, Record};
use crate::base::timestamp::Timestamp;

/// How far a record's time may be ahead of the clock reading it, or behind a record
/// it follows (clocks of two machines disagree a little).
pub const CLOCK_SKEW: std::time::Duration = std::time::Duration::from_secs(300);

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
    /// A record's time cannot be true: ahead of the clock, or before a record it
    /// follows.
    #[error("line {line} is dated {at}, {detail}")]
    BadTime {
        /// Line number.
        line: usize,
        /// Its time.
        at: Timestamp,
        /// What it contradicts.
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
            | ChainProblem::BrokenLink { line, .. }
            | ChainProblem::BadTime { line, .. } => *line,
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
    /// This machine's clock is behind a record already in the ledger.
    #[error(
        "ledger {}: this machine's clock says {now}, before the ledger's latest record ({latest}); nothing was recorded: set the clock right",
        path.display()
    )]
    ClockBehind {
        /// The file.
        path: PathBuf,
        /// This clock.
        now: Timestamp,
        /// The latest record's time.
        latest: Timestamp,
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
    /// The verified records, in the ledger's order (links, then time, then hash); a
    /// record with a problem, and every record that follows it, is left out.
    pub records: Vec<Record>,
    /// The first problem (by line), if any.
    pub problem: Option<ChainProblem>,
    /// How many problems in all.
    pub problems: usize,
    /// Hashes of the verified records no other verified record follows, sorted.
    pub heads: Vec<String>,
}

impl Contents {
    /// The ledger's head(s), joined with `+` when branches were merged and no record
    /// has been written since: what a report quotes so that it can be checked against
    /// the ledger later.
    pub fn head(&self) -> Option<String> {
        (!self.heads.is_empty()).then(|| self.heads.join("+"))
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
        Ok(verify(&bytes, Timestamp::now()))
    }

    /// Appends one unsigned record under an exclusive lock, after verifying the
    /// ledger, and syncs it to disk before returning it.
    pub fn append(&self, entry: Entry) -> Result<Record, LedgerError> {
        self.append_with(|_| Ok(entry), |_| Ok(None))
    }

    /// Like [`Ledger::append`], but the entry is made (or refused) by `make` from the
    /// verified records while the lock is held, so the checks it makes cannot be
    /// invalidated by another writer in between; `sign` returns the signature of the
    /// sealed record (its [`Record::signed_message`]), or `None` to leave it unsigned.
    /// A record is never dated before a record it follows (beyond [`CLOCK_SKEW`]).
    pub fn append_with<E: From<LedgerError>>(
        &self,
        make: impl FnOnce(&Contents) -> Result<Entry, E>,
        sign: impl FnOnce(&Record) -> Result<Option<String>, E>,
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
        if let Some(latest) = contents.records.iter().map(|r| r.at).max()
            && entry.at.plus(CLOCK_SKEW) < latest
        {
            return Err(LedgerError::ClockBehind {
                path: self.path.clone(),
                now: entry.at,
                latest,
            }
            .into());
        }
        self.mark_union_merge().map_err(|e| self.io(e))?;
        let mut record = Record::seal(entry, contents.heads.clone());
        record.sig = sign(&record)?;
        record.pos = contents.records.len() as u64 + 1;
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

    /// Makes sure git merges the ledger with its built-in union driver: a
    /// `.gitattributes` beside the ledger names it `merge=union` (created, or the line
    /// added). Git reads the attribute from the committed file, so every clone merges
    /// the same way with no configuration of its own.
    fn mark_union_merge(&self) -> std::io::Result<()> {
        let Some(name) = self.path.file_name().and_then(|n| n.to_str()) else {
            return Ok(());
        };
        let attributes = self
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .join(".gitattributes");
        let rule = format!("/{name} merge=union");
        let existing = match crate::base::fs::read_text(
            &attributes,
            64 * 1024,
            crate::base::fs::Links::Refuse,
        ) {
            Ok(text) => text,
            Err(crate::base::fs::ReadError::Missing(_)) => String::new(),
            // Something else in its place (a link, a folder): leave it alone.
            Err(_) => return Ok(()),
        };
        if existing.lines().any(|l| l.trim() == rule) {
            return Ok(());
        }
        let mut text = existing;
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&rule);
        text.push('\n');
        std::fs::write(&attributes, text)
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
        // A checked-out branch may have made the ledger's folder a link to somewhere
        // else (`.preflight -> ~/.ssh`): nothing is written through it.
        if std::fs::symlink_metadata(parent).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(self.io(std::io::Error::other(format!(
                "its folder {} is a symbolic link; nothing is written through it",
                parent.display()
            ))));
        }
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
        Ok((file, verify(&bytes, Timestamp::now())))
    }
}

/// Verifies ledger bytes at time `now`: every line a record of a known version whose
/// content matches its hash; version 1 records a chain in file order (numbered from
/// 1, each naming the hash of the one before); version 2 records naming parents that
/// are verified records, dated no later than `now` and no earlier than their parents
/// (both within [`CLOCK_SKEW`]). Lines may come in any order (a union merge puts one
/// branch's after the other's); the same record twice counts once.
pub fn verify(bytes: &[u8], now: Timestamp) -> Contents {
    let mut problems: Vec<ChainProblem> = Vec::new();
    // Every well-formed record with its line, in file order.
    let mut parsed: Vec<(usize, Record)> = Vec::new();
    let mut offset = 0usize;
    let mut line = 0usize;
    while offset < bytes.len() {
        line += 1;
        let rest = &bytes[offset..];
        let Some(end) = rest.iter().position(|&b| b == b'\n') else {
            problems.push(ChainProblem::TornTail {
                line,
                offset: offset as u64,
                len: rest.len(),
            });
            break;
        };
        offset += end + 1;
        match parse_line(&rest[..end], line) {
            Ok(record) => parsed.push((line, record)),
            Err(problem) => problems.push(problem),
        }
    }
    // Version 1: the chain, in file order, up to its first problem.
    let mut valid: HashMap<String, usize> = HashMap::new();
    let mut chain: Vec<usize> = Vec::new();
    let mut chain_broken = false;
    for (i, (line, record)) in parsed.iter().enumerate() {
        if record.v != RECORD_VERSION_CHAIN || chain_broken {
            continue;
        }
        let expected_prev = chain.last().map_or(GENESIS, |&j| parsed[j].1.hash.as_str());
        let expected_seq = chain.len() as u64 + 1;
        let detail = if record.prev.as_deref() != Some(expected_prev) {
            Some(if chain.is_empty() {
                "it is not the first record".to_string()
            } else {
                format!(
                    "its `prev` is not the hash of line {}",
                    parsed[chain[chain.len() - 1]].0
                )
            })
        } else if record.seq != Some(expected_seq) {
            Some(format!("it is numbered {}", record.seq.unwrap_or(0)))
        } else {
            None
        };
        match detail {
            Some(detail) => {
                problems.push(ChainProblem::BrokenLink {
                    line: *line,
                    detail,
                });
                chain_broken = true;
            }
            None => {
                valid.insert(record.hash.clone(), i);
                chain.push(i);
            }
        }
    }
    // Version 2: a record is verified once its parents are; then put in order by
    // time and hash among those whose parents are placed.
    let mut children: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut waiting: HashMap<usize, usize> = HashMap::new();
    let mut ready: BinaryHeap<Reverse<(Timestamp, String, usize)>> = BinaryHeap::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for (i, (line, record)) in parsed.iter().enumerate() {
        if record.v != RECORD_VERSION || !seen.insert(record.hash.as_str()) {
            continue;
        }
        if record.at > now.plus(CLOCK_SKEW) {
            problems.push(ChainProblem::BadTime {
                line: *line,
                at: record.at,
                detail: format!("ahead of this machine's clock ({now})"),
            });
            continue;
        }
        let pending = record
            .parents
            .iter()
            .filter(|p| !valid.contains_key(p.as_str()))
            .count();
        for parent in record
            .parents
            .iter()
            .filter(|p| !valid.contains_key(p.as_str()))
        {
            children.entry(parent.as_str()).or_default().push(i);
        }
        if pending == 0 {
            ready.push(Reverse((record.at, record.hash.clone(), i)));
        } else {
            waiting.insert(i, pending);
        }
    }
    let mut order: Vec<usize> = chain.clone();
    while let Some(Reverse((_, _, i))) = ready.pop() {
        let (line, record) = &parsed[i];
        let before = record
            .parents
            .iter()
            .filter_map(|p| valid.get(p.as_str()).map(|&j| &parsed[j]))
            .find(|(_, parent)| record.at.plus(CLOCK_SKEW) < parent.at);
        if let Some((parent_line, parent)) = before {
            problems.push(ChainProblem::BadTime {
                line: *line,
                at: record.at,
                detail: format!(
                    "before line {parent_line} ({}), which it follows",
                    parent.at
                ),
            });
            continue;
        }
        valid.insert(record.hash.clone(), i);
        order.push(i);
        for &child in children
            .get(record.hash.as_str())
            .map_or(&[][..], Vec::as_slice)
        {
            if let Some(left) = waiting.get_mut(&child) {
                *left -= 1;
                if *left == 0 {
                    waiting.remove(&child);
                    let c = &parsed[child].1;
                    ready.push(Reverse((c.at, c.hash.clone(), child)));
                }
            }
        }
    }
    // What still waits names a parent that is missing or was refused.
    let mut orphans: Vec<usize> = waiting.into_keys().collect();
    orphans.sort_unstable();
    for i in orphans {
        let (line, record) = &parsed[i];
        let missing = record
            .parents
            .iter()
            .find(|p| !valid.contains_key(p.as_str()))
            .map(|p| p.get(..12).unwrap_or(p).to_string())
            .unwrap_or_default();
        problems.push(ChainProblem::BrokenLink {
            line: *line,
            detail: format!("it follows record {missing}, which is not in the ledger or not valid"),
        });
    }
    problems.sort_by_key(ChainProblem::line);
    let followed: HashSet<&str> = order
        .iter()
        .flat_map(|&i| {
            let r = &parsed[i].1;
            r.parents
                .iter()
                .map(String::as_str)
                .chain(r.prev.as_deref())
        })
        .collect();
    let mut heads: Vec<String> = order
        .iter()
        .map(|&i| parsed[i].1.hash.clone())
        .filter(|h| !followed.contains(h.as_str()))
        .collect();
    heads.sort();
    let mut records = Vec::with_capacity(order.len());
    let mut parsed: Vec<Option<Record>> = parsed.into_iter().map(|(_, r)| Some(r)).collect();
    for (n, i) in order.into_iter().enumerate() {
        if let Some(mut record) = parsed[i].take() {
            record.pos = n as u64 + 1;
            records.push(record);
        }
    }
    Contents {
        records,
        problems: problems.len(),
        problem: problems.into_iter().next(),
        heads,
    }
}

fn parse_line(text: &[u8], line: usize) -> Result<Record, ChainProblem> {
    let malformed = |reason: String| ChainProblem::Malformed { line, reason };
    let record: Record = serde_json::from_slice(text).map_err(|e| malformed(e.to_string()))?;
    if record.v != RECORD_VERSION && record.v != RECORD_VERSION_CHAIN {
        return Err(malformed(format!(
            "record version {} (this build reads versions {RECORD_VERSION_CHAIN} and {RECORD_VERSION})",
            record.v
        )));
    }
    let shape_ok = match record.v {
        RECORD_VERSION_CHAIN => {
            record.seq.is_some()
                && record.prev.is_some()
                && record.parents.is_empty()
                && record.sig.is_none()
        }
        _ => record.seq.is_none() && record.prev.is_none(),
    };
    if !shape_ok {
        return Err(malformed(format!(
            "fields of another record version in a version {} record",
            record.v
        )));
    }
    if record.hash != record.compute_hash() {
        return Err(ChainProblem::Modified { line });
    }
    Ok(record)
}

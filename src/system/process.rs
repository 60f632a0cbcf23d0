//! Child processes preflight starts (git, `command` probes, a pre-commit hook under
//! test): each in a process group of its own, its output read up to a limit, and the
//! whole group killed when its time is up, when it ends (so nothing it started keeps
//! running), or when the caller stops waiting for it.
//!
//! This module decides nothing about what runs: callers build the command (and its
//! environment); here it is only bounded.

use std::io::{Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use tokio::io::AsyncReadExt;

/// How long a child may run and how much it may print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wall time, after which the whole process group is killed.
    pub timeout: Duration,
    /// Bytes kept of each of stdout and stderr; more is an error.
    pub max_output: usize,
}

/// A child that ended in time.
#[derive(Debug)]
pub struct Finished {
    /// How it ended.
    pub status: ExitStatus,
    /// What it printed (at most [`Limits::max_output`] bytes).
    pub stdout: Vec<u8>,
    /// Its error output (at most [`Limits::max_output`] bytes).
    pub stderr: Vec<u8>,
}

/// Why a child did not end normally.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// It could not be started.
    #[error("cannot start it: {0}")]
    Spawn(std::io::Error),
    /// It ran out of time; its process group was killed.
    #[error("it did not finish within {}", crate::base::duration::describe(*.0))]
    TimedOut(Duration),
    /// It printed more than the limit; its process group was killed.
    #[error("it printed more than {0} bytes")]
    TooMuchOutput(usize),
    /// Waiting for it failed.
    #[error("cannot wait for it: {0}")]
    Wait(std::io::Error),
}

/// The process groups started and not yet ended, with the run that started each, so
/// that [`kill_run`] and [`kill_all`] can end them when a run is over while a child
/// still runs (a probe that timed out leaves its blocking thread, and the thread its
/// child, behind).
static LIVE: std::sync::Mutex<Vec<(u32, u64)>> = std::sync::Mutex::new(Vec::new());

/// The next run's number (0 means "no run").
static NEXT_RUN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

thread_local! {
    /// The run the current thread works for: set on every thread of a run's runtime
    /// ([`enter_run`]), so that children are ended per run, never another's (two runs
    /// in one process, as in tests or a library user, do not kill each other's).
    static RUN: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// A new run's number.
pub fn new_run() -> u64 {
    NEXT_RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Marks the current thread as working for `run` (a runtime's `on_thread_start`).
pub fn enter_run(run: u64) {
    RUN.with(|r| r.set(run));
}

fn live() -> std::sync::MutexGuard<'static, Vec<(u32, u64)>> {
    LIVE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Remembers a started group under the current thread's run.
fn started(leader: u32) {
    let run = RUN.with(std::cell::Cell::get);
    live().push((leader, run));
}

/// Kills a process group (every process in it), ignoring a group that is already gone.
fn kill_group(leader: u32) {
    if let Some(pid) = rustix::process::Pid::from_raw(leader as i32) {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
    live().retain(|(l, _)| *l != leader);
}

/// Kills every process group still running: called on the way out of the process, so
/// nothing preflight started outlives it.
pub fn kill_all() {
    let leaders = std::mem::take(&mut *live());
    for (leader, _) in leaders {
        kill_group(leader);
    }
}

/// Kills the process groups run `run` started that still run.
pub fn kill_run(run: u64) {
    let leaders: Vec<u32> = live()
        .iter()
        .filter(|(_, r)| *r == run)
        .map(|(l, _)| *l)
        .collect();
    for leader in leaders {
        kill_group(leader);
    }
}

/// Reads at most `max` bytes; `Err(())` when there was more.
fn read_bounded(mut from: impl Read, max: usize) -> Result<Vec<u8>, ()> {
    let mut out = Vec::new();
    let _ = from.by_ref().take(max as u64 + 1).read_to_end(&mut out);
    if out.len() > max { Err(()) } else { Ok(out) }
}

/// Runs `cmd` to its end within `limits`, feeding it `stdin` (or nothing), in a process
/// group of its own that is killed when it ends or runs out of time.
pub fn run(cmd: &mut Command, stdin: Option<&[u8]>, limits: Limits) -> Result<Finished, RunError> {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child: Child = cmd.spawn().map_err(RunError::Spawn)?;
    let leader = child.id();
    started(leader);
    let (done_tx, done_rx) = mpsc::channel();
    let pipes: [Option<Box<dyn Read + Send>>; 2] = [
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    ];
    let mut readers = Vec::new();
    for (index, pipe) in pipes.into_iter().enumerate() {
        let Some(pipe) = pipe else { continue };
        let done = done_tx.clone();
        let max = limits.max_output;
        readers.push(std::thread::spawn(move || {
            let read = read_bounded(pipe, max);
            if read.is_err() {
                let _ = done.send(Event::TooMuch);
            }
            (index, read.unwrap_or_default())
        }));
    }
    if let (Some(data), Some(mut pipe)) = (stdin.map(<[u8]>::to_vec), child.stdin.take()) {
        // On its own thread: a child that does not read its input must not block us.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&data);
        });
    }
    let waiter = std::thread::spawn(move || {
        let status = child.wait();
        let _ = done_tx.send(Event::Exited);
        status
    });
    let outcome = done_rx.recv_timeout(limits.timeout);
    // Whatever happened, nothing the child started outlives it.
    kill_group(leader);
    let status = waiter
        .join()
        .unwrap_or_else(|_| Err(std::io::Error::other("the waiting thread panicked")));
    match outcome {
        Err(_) => return Err(RunError::TimedOut(limits.timeout)),
        Ok(Event::TooMuch) => return Err(RunError::TooMuchOutput(limits.max_output)),
        Ok(Event::Exited) => {}
    }
    let status = status.map_err(RunError::Wait)?;
    let mut out = [Vec::new(), Vec::new()];
    for reader in readers {
        if let Ok((index, bytes)) = reader.join() {
            out[index] = bytes;
        }
    }
    let [stdout, stderr] = out;
    Ok(Finished {
        status,
        stdout,
        stderr,
    })
}

enum Event {
    Exited,
    TooMuch,
}

/// Kills its process group when dropped: an async child whose caller stopped waiting
/// (a probe's timeout drops its future) leaves nothing running.
struct GroupGuard(Option<u32>);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if let Some(leader) = self.0 {
            kill_group(leader);
        }
    }
}

/// [`run`] for async callers: the same process group, output limit and time limit, and
/// the group is killed if the returned future is dropped before the end.
pub async fn run_async(
    mut cmd: tokio::process::Command,
    limits: Limits,
) -> Result<Finished, RunError> {
    cmd.process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn().map_err(RunError::Spawn)?;
    if let Some(leader) = child.id() {
        started(leader);
    }
    let _guard = GroupGuard(child.id());
    let max = limits.max_output;
    let stdout = read_async(child.stdout.take(), max);
    let stderr = read_async(child.stderr.take(), max);
    let work = async {
        // Ends early when either stream goes over the limit.
        let (stdout, stderr) = tokio::try_join!(stdout, stderr)?;
        let status = child.wait().await.map_err(RunError::Wait)?;
        Ok(Finished {
            status,
            stdout,
            stderr,
        })
    };
    tokio::time::timeout(limits.timeout, work)
        .await
        .unwrap_or(Err(RunError::TimedOut(limits.timeout)))
}

/// Reads a pipe to its end, at most `max` bytes.
async fn read_async(
    pipe: Option<impl tokio::io::AsyncRead + Unpin>,
    max: usize,
) -> Result<Vec<u8>, RunError> {
    let mut out = Vec::new();
    if let Some(pipe) = pipe {
        let _ = pipe.take(max as u64 + 1).read_to_end(&mut out).await;
    }
    if out.len() > max {
        Err(RunError::TooMuchOutput(max))
    } else {
        Ok(out)
    }
}

/// Raises this process's limit of open files to the most it may have (the soft limit to
/// the hard one, as servers do): a run keeps a session open per database server, and an
/// environment of hundreds of hosts would otherwise meet the usual 1,024 first. Does
/// nothing where the limit cannot be read or raised.
pub fn raise_open_file_limit() {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current < limit.maximum {
        let _ = setrlimit(
            Resource::Nofile,
            rustix::process::Rlimit {
                current: limit.maximum,
                maximum: limit.maximum,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_ends_its_own_children_and_no_other() {
        let (mine, other) = (new_run(), new_run());
        let child = std::thread::spawn(move || {
            enter_run(mine);
            let started = std::time::Instant::now();
            let limits = Limits {
                timeout: Duration::from_secs(20),
                max_output: 1024,
            };
            let out = run(Command::new("sleep").arg("20"), None, limits);
            (started.elapsed(), out.map(|f| f.status.success()))
        });
        // Wait until the child is registered under its run.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while !live().iter().any(|(_, r)| *r == mine) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        kill_run(other);
        std::thread::sleep(Duration::from_millis(100));
        assert!(
            live().iter().any(|(_, r)| *r == mine),
            "another run's end left it alone"
        );
        kill_run(mine);
        let (took, success) = child.join().unwrap();
        assert!(took < Duration::from_secs(10), "{took:?}");
        assert!(matches!(success, Ok(false)), "{success:?}");
    }

    fn pids_of_marker(marker: &str) -> usize {
        std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter(|e| {
                std::fs::read(e.path().join("cmdline"))
                    .is_ok_and(|c| String::from_utf8_lossy(&c).contains(marker))
            })
            .count()
    }

    #[test]
    fn a_child_that_outlives_its_time_is_killed_with_everything_it_started() {
        // A duration no other process uses, to find the sleepers by.
        let marker = format!("30.{}", std::process::id());
        let mut cmd = Command::new("sh");
        // A grandchild that would sleep long after its parent is gone.
        cmd.arg("-c")
            .arg(format!("sleep {marker} & sleep {marker}"));
        let started = std::time::Instant::now();
        let err = run(
            &mut cmd,
            None,
            Limits {
                timeout: Duration::from_millis(300),
                max_output: 1024,
            },
        )
        .unwrap_err();
        assert!(matches!(err, RunError::TimedOut(_)), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while pids_of_marker(&marker) > 0 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(pids_of_marker(&marker), 0, "the group is gone");
    }

    #[test]
    fn output_is_bounded_and_input_is_fed() {
        let limits = Limits {
            timeout: Duration::from_secs(10),
            max_output: 1000,
        };
        let done = run(&mut Command::new("cat"), Some(b"hello"), limits).unwrap();
        assert!(done.status.success());
        assert_eq!(done.stdout, b"hello");
        let err = run(&mut Command::new("yes"), None, limits).unwrap_err();
        assert!(matches!(err, RunError::TooMuchOutput(1000)), "{err}");
    }

    #[tokio::test]
    async fn async_children_are_bounded_too() {
        let mut cmd = tokio::process::Command::new("sh");
        cmd.arg("-c").arg("echo out; echo err >&2; exit 3");
        let limits = Limits {
            timeout: Duration::from_secs(10),
            max_output: 1000,
        };
        let done = run_async(cmd, limits).await.unwrap();
        assert_eq!(done.status.code(), Some(3));
        assert_eq!(done.stdout, b"out\n");
        assert_eq!(done.stderr, b"err\n");
        let mut slow = tokio::process::Command::new("sleep");
        slow.arg("30");
        let err = run_async(
            slow,
            Limits {
                timeout: Duration::from_millis(200),
                max_output: 10,
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(err, RunError::TimedOut(_)));
    }
}

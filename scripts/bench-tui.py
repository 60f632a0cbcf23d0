#!/usr/bin/env python3
"""Start-up and memory of the terminal UI, measured on the real binary in a pseudo-terminal.

For each of N runs (120x40): the time from spawning the process to the first frame on the
terminal (drawn before any probe finishes), and the peak resident memory (VmHWM) after
every probe finished. Then it quits with `q`. Two commands are measured:
- `preflight tui` on a small git project with the shipped production checklist (the
  targets apply here);
- `preflight demo`, whose start includes making its sandbox and, where PostgreSQL is
  installed, initialising and starting a throwaway cluster.

Usage: scripts/bench-tui.py [path/to/preflight] [runs]   (build with --release first)
Targets: first frame <= 50 ms; peak RSS <= 30 MB.
"""
import fcntl, os, pty, select, statistics, struct, subprocess, sys, tempfile, termios, time

binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/preflight"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20

def one_run(args):
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", PREFLIGHT_AUTO_ADDRESSES="127.0.0.2")
    start = time.perf_counter()
    proc = subprocess.Popen([binary, *args, "--as", "Bench <bench@example.com>"],
                            stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    seen, first_frame, finished = b"", None, False
    deadline = start + 20
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            seen += chunk
            # The first frame: the header with the title has been drawn.
            if first_frame is None and b"env" in seen and b"Items" in seen:
                first_frame = time.perf_counter() - start
            # Probes are done when the verdict replaces "checking…".
            if b"NO-GO" in seen:
                finished = True
                break
    time.sleep(0.2)
    with open(f"/proc/{proc.pid}/status") as f:
        hwm = next(int(l.split()[1]) for l in f if l.startswith("VmHWM"))
    os.write(master, b"q")
    proc.wait(timeout=10)
    os.close(master)
    return first_frame, hwm, finished

project = tempfile.mkdtemp(prefix="preflight-bench-tui-")
with open(os.path.join(project, "docker-compose.yml"), "w") as f:
    f.write('services:\n  db:\n    image: postgres:16\n    ports:\n      - "5434:5432"\n')
with open(os.path.join(project, ".env.example"), "w") as f:
    f.write("PG_USER=dev\nPG_PASSWORD=dev\n")
subprocess.run(["git", "init", "-q", project], check=True)
subprocess.run(["git", "-C", project, "add", "-A"], check=True)
subprocess.run(["git", "-C", project, "-c", "user.name=b", "-c", "user.email=b@example.invalid",
                "commit", "-qm", "bench"], check=True)

for label, args in [("tui on a project (postgres-production)", ["tui", "--dir", project]),
                    ("demo (sandbox and database included)", ["demo"])]:
    results = [one_run(args) for _ in range(runs)]
    frames = [r[0] * 1000 for r in results if r[0] is not None]
    hwms = [r[1] / 1024 for r in results]
    print(f"{label}: {runs} runs, all finished: {all(r[2] for r in results)}")
    print(f"  first frame: median {statistics.median(frames):.1f} ms, max {max(frames):.1f} ms (target <= 50 ms)")
    print(f"  peak RSS: median {statistics.median(hwms):.1f} MB, max {max(hwms):.1f} MB (target <= 30 MB)")

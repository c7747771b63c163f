#!/usr/bin/env python3
"""Whole-run benchmarks of logoff-all on Linux with stand-in tools; prints figures.

    python3 scripts/bench.py            (builds the release binary first)

1. Overhead: logoff-all over N = 10/100/1000 sessions with instantly returning fakes, against
   the KB Q259436 batch file's loop written for sh (query once, `logoff <token 3>` per row),
   calling the same fakes. Reports both wall times, the ratio and logoff-all's extra time per
   session.
2. Many servers: 20 servers, each with 5 sessions whose fake logoff sleeps 100 ms, with
   --jobs 1, 8 and 20: wall time against one server's chain (a run on a single server).
3. Peak memory (/usr/bin/time -v) of a 10 000-session dry run from --input and of a real
   10 000-session run with instant fakes.
Median of several runs each; the machine is shared, so read ratios, not absolute times.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "logoff-all")
# The fake logoff ends nothing, so verification would wait its whole time for sessions that
# never go: every real run here passes --verify-wait 0.
RUN = ["--yes", "--verify-wait", "0"]


def table(n, first_id=1):
    lines = [" SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE"]
    lines.append(" services                                    0  Disc")
    for i in range(first_id, first_id + n):
        lines.append(f" {'rdp-tcp#' + str(i):<18}{'user' + str(i):<21}{i:>6}  Active")
    lines.append(" rdp-tcp                                 65536  Listen")
    return "\r\n".join(lines) + "\r\n"


def fakes(directory, sleep_ms=0):
    """query: prints $BENCH_TABLE; logoff: a compiled program that returns at once (or sleeps)."""
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "query"), "w") as f:
        f.write('#!/bin/sh\nexec cat "$BENCH_TABLE"\n')
    os.chmod(os.path.join(directory, "query"), 0o755)
    src = os.path.join(directory, "logoff.c")
    with open(src, "w") as f:
        f.write("#include <unistd.h>\nint main(void){%s return 0;}\n"
                % (f"usleep({sleep_ms * 1000});" if sleep_ms else ""))
    subprocess.run(["cc", "-O2", "-o", os.path.join(directory, "logoff"), src], check=True)


def median_time(cmd, env, runs=5):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def overhead(work):
    print("== overhead per session: logoff-all vs the batch file's loop (same fakes)")
    tools = os.path.join(work, "instant")
    fakes(tools)
    print(f"{'N':>6} {'batch loop':>12} {'logoff-all':>12} {'ratio':>7} {'extra/session':>14}")
    for n in (10, 100, 1000):
        path = os.path.join(work, f"table-{n}.txt")
        with open(path, "w") as f:
            f.write(table(n))
        env = dict(os.environ, BENCH_TABLE=path, PATH=tools + os.pathsep + os.environ["PATH"])
        batch = ["sh", "-c", 'query session > "$0"; for id in $(tail -n +3 "$0" | '
                 "awk '{print $3}'); do logoff \"$id\"; done", os.path.join(work, "s.txt")]
        ours = [BIN, *RUN, "--tools-dir", tools]
        runs = 5 if n < 1000 else 3
        t_batch = median_time(batch, env, runs)
        t_ours = median_time(ours, env, runs)
        extra_ms = (t_ours - t_batch) / n * 1000
        print(f"{n:>6} {t_batch * 1000:>10.1f}ms {t_ours * 1000:>10.1f}ms "
              f"{t_ours / t_batch:>7.2f} {extra_ms:>12.3f}ms")


def servers(work):
    print("== 20 servers x 5 sessions, logoff takes 100 ms: wall time vs one server's chain")
    tools = os.path.join(work, "slow")
    fakes(tools, sleep_ms=100)
    path = os.path.join(work, "table-5.txt")
    with open(path, "w") as f:
        f.write(table(5))
    env = dict(os.environ, BENCH_TABLE=path)
    chain = median_time([BIN, *RUN, "--tools-dir", tools, "-s", "ts01"], env, 3)
    names = ",".join(f"ts{i:02}" for i in range(1, 21))
    print(f"one server's chain: {chain * 1000:.0f} ms")
    for jobs in (1, 8, 20):
        wall = median_time([BIN, *RUN, "--tools-dir", tools, "-s", names, "-j", str(jobs)],
                           env, 3)
        waves = -(-20 // jobs)
        print(f"--jobs {jobs:>2}: {wall * 1000:>6.0f} ms = {wall / chain:5.2f} x chain "
              f"(lower bound {waves} x chain: {wall / (waves * chain):4.2f} of it)")


def memory(work):
    print("== peak memory at 10 000 sessions (/usr/bin/time -v, maximum resident set size)")
    tools = os.path.join(work, "instant")
    path = os.path.join(work, "table-10000.txt")
    with open(path, "w") as f:
        f.write(table(10000))
    env = dict(os.environ, BENCH_TABLE=path)
    for label, cmd in (("dry run, --input, JSON", [BIN, "--input", path, "--format", "json"]),
                       ("real run, instant fakes", [BIN, *RUN, "--tools-dir", tools])):
        out = subprocess.run(["/usr/bin/time", "-v"] + cmd, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True, check=False).stderr
        kb = next(int(l.split(":")[1]) for l in out.splitlines() if "Maximum resident" in l)
        print(f"{label:<26} {kb / 1024:6.1f} MiB")


def main():
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "logoff-all"], cwd=ROOT,
                   check=True)
    work = tempfile.mkdtemp(prefix="logoff-all-bench-")
    try:
        overhead(work)
        servers(work)
        memory(work)
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    sys.exit(main())

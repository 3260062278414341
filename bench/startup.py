"""How long an instructor waits: from process start to the first 200 from /healthz.

    python build_zipapp.py && python bench/startup.py [--pyz dist/trivia_trio.pyz] [--runs 5]

Prints the archive's size, then for each CPython 3.11-3.13 under
~/.pyenv/versions the median, fastest and slowest of the runs, three ways:

- cold: the first start of a build, which extracts the archive to an empty
  per-user cache (each run gets a new, empty one);
- warm: every later start, importing from that cache with its bytecode (one
  untimed start fills the cache first);
- zip: the cache cannot be written, so everything is imported from the zip and
  compiled at each start (the fallback, and how every start used to run);

and the source tree (``python -m trivia_trio``, bytecode cached) as a
yardstick. The cache lives under a temporary home (HOME, XDG_DATA_HOME and
LOCALAPPDATA point into it), never the real one. Loopback only; measures,
asserts nothing.

``--readme`` also rewrites the README's figures (the archive's size and the medians,
between its ``<!-- startup -->`` marks), so the README never says a number no run gave.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BEGIN, END = "<!-- startup -->", "<!-- /startup -->"
WAYS = ("cold", "warm", "zip")
VERSIONS = ("3.11", "3.12", "3.13")
INSTRUCTOR_LINK = re.compile(r"http://127\.0\.0\.1:(\d+)/instructor\?key=")


def pyenv_python(version: str) -> Path | None:
    found = Path.home().glob(f".pyenv/versions/{version}.*/bin/python{version}")
    pythons = sorted(found, key=lambda p: [int(n) for n in p.parents[1].name.split(".")])
    return pythons[-1] if pythons else None


def with_home(env: dict[str, str], home: Path) -> dict[str, str]:
    """*env* with the per-user folders (and so the archive's cache) under *home*."""
    local = home / "local"
    return {**env, "HOME": str(home), "XDG_DATA_HOME": str(local), "LOCALAPPDATA": str(local)}


def time_to_first_health(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Seconds from starting *command* to a 200 from its /healthz; the server is then stopped."""
    with tempfile.TemporaryDirectory() as data:
        args = [*command, "--no-browser", "--host", "127.0.0.1", "--port", "0", "--data-dir", data]
        started = time.perf_counter()
        process = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert process.stdout is not None
        try:
            port = next(int(m[1]) for line in process.stdout if (m := INSTRUCTOR_LINK.search(line)))
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as reply:
                assert reply.status == 200
            elapsed = time.perf_counter() - started
        finally:
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=15)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pyz", type=Path, default=ROOT / "dist" / "trivia_trio.pyz")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--readme", action="store_true",
                        help="write the size and the medians into README.md")
    args = parser.parse_args()
    if not args.pyz.is_file():
        sys.exit(f"{args.pyz} not found: run `python build_zipapp.py` first")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    size = args.pyz.stat().st_size
    load_before = os.getloadavg()[0]
    print(f"{args.pyz.name}: {size / 1024:.0f} KiB ({size:,} bytes)")
    print(f"start to first 200 from /healthz, {args.runs} runs each")
    print(f"{'':20} {'median':>8} {'fastest':>8} {'slowest':>8}")
    medians: dict[str, dict[str, float]] = {}  # Python → way → median
    with tempfile.TemporaryDirectory(prefix="trivia-trio-bench-") as temp:
        homes = Path(temp)
        for version in VERSIONS:
            python = pyenv_python(version)
            if python is None:
                print(f"(no Python {version} under ~/.pyenv/versions: skipped)")
                continue
            label = python.parents[1].name
            row = medians[label] = {}
            command = [str(python), str(args.pyz.resolve())]
            cold = []
            for run in range(args.runs):
                home = homes / f"{label}-cold-{run}"
                cold.append(time_to_first_health(command, ROOT, with_home(env, home)))
                shutil.rmtree(home, ignore_errors=True)
            row["cold"] = report(f"{label} pyz cold", cold)
            warm_env = with_home(env, homes / f"{label}-warm")
            time_to_first_health(command, ROOT, warm_env)  # fills the cache
            row["warm"] = report(f"{label} pyz warm", [
                time_to_first_health(command, ROOT, warm_env) for _ in range(args.runs)])
            # A file where the data folder should be: the cache cannot be written.
            blocked = homes / f"{label}-blocked"
            blocked.mkdir()
            (blocked / "local").write_text("")
            zip_env = with_home(env, blocked)
            row["zip"] = report(f"{label} pyz zip", [
                time_to_first_health(command, ROOT, zip_env) for _ in range(args.runs)])
    source = [sys.executable, "-m", "trivia_trio"]
    label = f"{'.'.join(map(str, sys.version_info[:3]))} source"
    report(label, [time_to_first_health(source, ROOT / "src", env) for _ in range(args.runs)])
    load = max(load_before, os.getloadavg()[0])
    if args.readme:
        where = f"{platform.system()}, {os.cpu_count()} cores, load average {load:.1f}"
        write_readme(README, readme_figures(size, medians, args.runs, where))
        print(f"wrote the figures into {README}")


def report(label: str, times: list[float]) -> float:
    """Print the median, fastest and slowest of *times*; return the median."""
    median, fastest, slowest = statistics.median(times), min(times), max(times)
    print(f"{label:20} {median:7.2f}s {fastest:7.2f}s {slowest:7.2f}s", flush=True)
    return median


def readme_figures(size: int, medians: dict[str, dict[str, float]], runs: int,
                   where: str) -> str:
    """The README's lines: the one size, and the start times of this run on *where*."""
    lines = [
        f"`dist/trivia_trio.pyz` is {size / 2**20:.2f} MiB ({size:,} bytes).",
        f"Start to first answer, median of {runs} runs of `python3 bench/startup.py --readme`",
        f"on {where}:",
        "",
        "| Python | first start of a new file | every later start | cache not writable |",
        "|---|---|---|---|",
    ]
    for label, row in medians.items():
        cells = " | ".join(f"{row[way]:.2f} s" for way in WAYS)
        lines.append(f"| {label} | {cells} |")
    return "\n".join(lines) + "\n"


def write_readme(readme: Path, figures: str) -> None:
    """Put *figures* between the README's marks, in place of the previous run's."""
    text = readme.read_text(encoding="utf-8")
    before, begin, rest = text.partition(BEGIN + "\n")
    _, end, after = rest.partition(END)
    if not begin or not end:
        sys.exit(f"{readme.name} has no {BEGIN} ... {END} block for the figures")
    readme.write_text(before + begin + figures + end + after, encoding="utf-8")


if __name__ == "__main__":
    main()

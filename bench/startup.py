"""How long an instructor waits: from process start to the first 200 from /healthz.

    python build_zipapp.py && python bench/startup.py [--pyz dist/trivia_trio.pyz] [--runs 5]

Prints the archive's size, then for each CPython 3.11-3.13 under
~/.pyenv/versions the median, fastest and slowest of the runs, and the same
for the source tree (``python -m trivia_trio``, bytecode cached after the first
run) as a yardstick: zipimport compiles every module again at each start.
Loopback only; measures, asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VERSIONS = ("3.11", "3.12", "3.13")
INSTRUCTOR_LINK = re.compile(r"http://127\.0\.0\.1:(\d+)/instructor\?key=")


def pyenv_python(version: str) -> Path | None:
    found = Path.home().glob(f".pyenv/versions/{version}.*/bin/python{version}")
    pythons = sorted(found, key=lambda p: [int(n) for n in p.parents[1].name.split(".")])
    return pythons[-1] if pythons else None


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
    args = parser.parse_args()
    if not args.pyz.is_file():
        sys.exit(f"{args.pyz} not found: run `python build_zipapp.py` first")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    cases: list[tuple[str, list[str], Path]] = []
    for version in VERSIONS:
        python = pyenv_python(version)
        if python is None:
            print(f"(no Python {version} under ~/.pyenv/versions: skipped)")
        else:
            label = f"{python.parents[1].name} pyz"
            cases.append((label, [str(python), str(args.pyz)], Path.cwd()))
    source_label = f"{'.'.join(map(str, sys.version_info[:3]))} source"
    cases.append((source_label, [sys.executable, "-m", "trivia_trio"], ROOT / "src"))

    size = args.pyz.stat().st_size
    print(f"{args.pyz.name}: {size / 1024:.0f} KiB ({size:,} bytes)")
    print(f"start to first 200 from /healthz, {args.runs} runs each")
    print(f"{'':16} {'median':>8} {'fastest':>8} {'slowest':>8}")
    for label, command, cwd in cases:
        times = [time_to_first_health(command, cwd, env) for _ in range(args.runs)]
        print(f"{label:16} {statistics.median(times):7.2f}s {min(times):7.2f}s {max(times):7.2f}s")


if __name__ == "__main__":
    main()

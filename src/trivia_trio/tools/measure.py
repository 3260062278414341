"""Figures: latency summaries, and what the server process used (CPU, memory, open files)."""

from __future__ import annotations

import math
import os
from pathlib import Path

from .. import openfiles


def ms(seconds: float) -> float:
    return seconds * 1000.0


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted, non-empty list."""
    rank = max(1, math.ceil(pct / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


def summarize(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "max": None}
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "p50": round(percentile(ordered, 50), 2),
        "p95": round(percentile(ordered, 95), 2),
        "p99": round(percentile(ordered, 99), 2),
        "max": round(ordered[-1], 2),
    }


def process_cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process from /proc (Linux); None where that is unavailable."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name may hold spaces and parentheses: fields start after the last ')'.
    fields = stat[stat.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def process_peak_rss_kib(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def raise_fd_limit(needed: int) -> list[str]:
    """Lift the soft open-files limit to the hard one; return notes for the report."""
    limits = openfiles.raise_soft_limit(needed)
    if limits is None:
        return []
    before, soft = limits
    notes = [f"raised the open-files limit from {before} to {soft}"] if soft != before else []
    if needed > soft:
        notes.append(
            f"WARNING: about {needed} file descriptors are needed but the limit is {soft}; "
            "expect failed connections (raise it with `ulimit -n`)"
        )
    return notes

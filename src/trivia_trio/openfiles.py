"""The open-files limit: every student's socket is one open file.

macOS starts programs with a soft limit of 256, far below what a class
needs, while the hard limit lets a process raise its own soft limit.
"""

from __future__ import annotations

try:
    import resource
except ImportError:  # Windows: no such limit to raise
    resource = None  # type: ignore[assignment]

# The database and its journal, listening sockets, the instructor's and projector's
# pages, joins and exports in flight.
RESERVED = 64
# macOS refuses a soft limit above OPEN_MAX even when the hard one is unlimited.
MACOS_OPEN_MAX = 10240


def raise_soft_limit(needed: int) -> tuple[int, int] | None:
    """Lift the soft limit to the hard one (to ``needed`` where the hard one is unlimited).

    Returns the soft limit before and after (the same if it could not be
    raised); None where there is no limit to raise. An unlimited soft limit is
    reported as ``needed``.
    """
    if resource is None:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return needed, needed
    if hard == resource.RLIM_INFINITY:
        targets = [max(soft, needed), max(soft, min(needed, MACOS_OPEN_MAX))]
    else:
        targets = [hard]
    for target in targets:
        if target <= soft:
            break
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            continue
        return soft, target
    return soft, soft


def students_allowed(limit: int) -> int:
    """How many students, one socket each, fit under ``limit`` open files."""
    return max(0, limit - RESERVED)

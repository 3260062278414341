"""One server per data folder, held by an OS lock that dies with its process.

Two servers on one database would share its sessions: a forgotten first
instance's timer could close a question in the live class. The lock is the
operating system's (``flock`` on POSIX, ``msvcrt.locking`` on Windows), so a
``kill -9`` or a crash frees it at once and no stale lock file can refuse a
restart. The holder writes its address into the file, so a second start can
say where the running server is.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = "server.lock"
# Windows locks a byte range, and a locked range cannot be read by others: lock a
# byte well past the address text, which stays readable.
_WINDOWS_LOCK_OFFSET = 1 << 20


class FolderInUse(Exception):
    """Another server holds the data folder."""

    def __init__(self, folder: Path, address: str) -> None:
        self.folder, self.address = folder, address
        where = f" at {address}" if address else ""
        super().__init__(f"another trivia_trio is already running{where} with the data folder "
                         f"{folder}: use that one, stop it first, or start this one with "
                         "another --data-dir")


class FolderLock:
    """The held lock; ``announce`` writes the running server's address into it."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def announce(self, address: str) -> None:
        os.ftruncate(self._fd, 0)
        os.lseek(self._fd, 0, os.SEEK_SET)
        os.write(self._fd, address.encode())


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder_address(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()[:200]
    except OSError:
        return ""


@contextmanager
def hold(folder: Path) -> Iterator[FolderLock]:
    """Hold ``folder`` for this process (creating it) or raise FolderInUse.

    OSError means the folder cannot be created or written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _try_lock(fd):
            raise FolderInUse(folder, _holder_address(path))
        lock = FolderLock(fd)
        lock.announce("")
        yield lock
        # Closing the descriptor releases the lock; the file stays, empty, for the next start.
        os.ftruncate(fd, 0)
    finally:
        os.close(fd)

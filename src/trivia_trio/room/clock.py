"""The room's clocks: the open question's deadline, and the heartbeat a restart reads.

The timer is a task in the room's nursery, started with ``nursery.start`` so that
it hands back the cancel scope of its wait: closing a question early cancels the
wait, never a close already under way. The heartbeat notes, every second a
question is open, that the server still runs, so that after a crash the
question's clock loses at most that second (``Room`` resumes from it).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import trio

from ..core.record import Opening
from ..store import database as db
from ..store.database import StorageError
from .persist import Saver

ALIVE_EVERY_S = 1.0


class QuestionTimer:
    """Calls ``time_up(opening)`` at ``opening``'s deadline unless cancelled first."""

    def __init__(self, clock: Callable[[], int],
                 time_up: Callable[[Opening], Awaitable[None]]) -> None:
        self.clock = clock
        self._time_up = time_up
        self._waiting: trio.CancelScope | None = None

    async def start(self, nursery: trio.Nursery, opening: Opening) -> None:
        """Run out ``opening``'s time; one with no clock stays open until closed."""
        self.cancel()
        if opening.deadline is not None:
            self._waiting = await nursery.start(self._run, opening)

    @property
    def running(self) -> bool:
        """Whether a question's time is being run out."""
        return self._waiting is not None

    def cancel(self) -> None:
        if self._waiting is not None:
            self._waiting.cancel()
            self._waiting = None

    async def _run(self, opening: Opening,
                   task_status: trio.TaskStatus[trio.CancelScope]) -> None:
        """Only the wait is cancellable: once the time is up, ``time_up`` runs to the
        end, so a button pressed at the same moment cannot cut it in half."""
        with trio.CancelScope() as waiting:
            task_status.started(waiting)
            await trio.sleep((opening.remaining_ms(self.clock()) or 0) / 1000)
        if not waiting.cancelled_caught:
            await self._time_up(opening)


def last_alive(conn: Any, key: str) -> int:
    """The heartbeat kept under ``key`` (0: none yet)."""
    return int(db.get_meta(conn, key) or 0)


class Heartbeat:
    """The server's last sign of life, kept under ``key`` in the session's meta."""

    def __init__(self, saver: Saver, key: str, clock: Callable[[], int],
                 question_open: Callable[[], bool]) -> None:
        self.saver = saver
        self.key = key
        self.clock = clock
        self._question_open = question_open

    def last(self) -> int:
        """When the server last said it was running (0: never)."""
        return last_alive(self.saver.store.conn, self.key)

    async def note_alive(self) -> None:
        """Record that the server is running now, so a restart knows when it stopped."""
        # A beat the disk refused is not retried: the next one replaces it.
        with contextlib.suppress(StorageError):
            await self.saver.save(partial(db.set_meta, key=self.key, value=str(self.clock())))

    async def run(self) -> None:
        while True:
            await trio.sleep(ALIVE_EVERY_S)
            if self._question_open():
                await self.note_alive()

"""How the room writes: one group-committed write at a time, behind whatever the disk
refused before it.

Memory moves first in a live class (an answer is scored, a question opens) and the
disk follows. When the disk refuses, the change is either lost with an error to
whoever asked (``save``), or kept and written again, in order, ahead of the next
write of any kind (``persist``: memory has moved on and the change is safe to
repeat). The instructor is warned once per outage and told when saving works again.

Writes that trickle in one at a time (a student-paced class's answers and Nexts) may
ask to be ``gathered``: they wait a moment for one another and reach the committer
together, one commit for the group, as a live class's answers to a question share
theirs. Nothing is acknowledged before its commit; gathering only delays it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import trio

from ..store.committer import Store
from ..store.database import StorageError

log = logging.getLogger(__name__)
T = TypeVar("T")
Change = Callable[[Any], Any]
# How long a gathered write waits for others: at 1,000 students going at their own
# speed some 140 writes a second, seven to a commit instead of one (the README's
# student-paced benchmark), for 50 ms more before an ack.
GATHER_WINDOW_S = 0.05


def nothing(conn: Any) -> None:
    """A write of nothing: waits for the writes queued before it (and replays refusals)."""


class Gathering:
    """Writers that wait here go on together, ``window`` seconds after the first came:
    they then queue their writes in the same turn of the event loop, and the committer
    takes them as one group."""

    def __init__(self, window: float) -> None:
        self.window = window
        self._going: trio.Event | None = None
        self._goes_at = 0.0

    def delay(self) -> float:
        """Seconds a writer that waits now will wait."""
        return self._goes_at - trio.current_time() if self._going is not None else self.window

    async def wait(self) -> None:
        going = self._going
        if going is not None:
            await going.wait()
            return
        self._going = going = trio.Event()
        self._goes_at = trio.current_time() + self.window
        try:
            await trio.sleep_until(self._goes_at)
        finally:  # the others go with the first, whatever ends its wait
            self._going = None
            going.set()


class Saver:
    """The room's one way to the disk. ``warn`` reaches the dashboards."""

    def __init__(self, store: Store, warn: Callable[[dict[str, Any]], None]) -> None:
        self.store = store
        self._warn = warn
        self.ok = True
        self.warning: dict[str, Any] = {}
        self._unsaved: list[Change] = []  # changes the disk refused, in order
        self._replaying = 0  # refused changes being written again right now
        self._transitions = 0
        self._gathering = Gathering(GATHER_WINDOW_S)

    def gather_delay_ms(self) -> int:
        """How long a write gathered now waits before it goes to the disk (ms)."""
        return round(self._gathering.delay() * 1000)

    async def save(self, change: Callable[[Any], T], *, keep_if_refused: bool = False,
                   gathered: bool = False) -> T:
        """Write ``change`` and return its result once committed, with what the disk
        refused earlier going in first, in order, in the same transaction.

        Raises StorageError if the disk refuses. The change is then lost unless
        ``keep_if_refused`` (memory has already moved on): it is then written
        again, in order, ahead of the next write of any kind. ``gathered``: wait
        for the other gathered writes first (see the module's docstring).

        Shielded, so a caller cancelled meanwhile (a phone gone) is cancelled only once
        the write's outcome is in: the caller's change is made in memory already, and
        the write, once queued, commits or fails whatever the caller does. Cut short, a
        gathered change was never queued, a refusal went unseen (an answer kept in
        memory was then acked when sent again) and the earlier refused changes this
        write repeated were dropped. The wait is one commit's (and a gathering's).
        """
        with trio.CancelScope(shield=True):
            if gathered:
                await self._gathering.wait()
            return await self._write(change, keep_if_refused)

    async def _write(self, change: Callable[[Any], T], keep_if_refused: bool) -> T:
        # Take the refused changes: no other write may repeat them meanwhile.
        earlier, self._unsaved = self._unsaved, []
        self._replaying += len(earlier)

        def apply_in_order(conn: Any) -> T:
            for refused in earlier:
                refused(conn)
            return change(conn)

        try:
            result = await self.store.write(apply_in_order)
        except StorageError as exc:
            self._unsaved[:0] = [*earlier, change] if keep_if_refused else earlier
            self._failed(exc)
            raise
        finally:
            self._replaying -= len(earlier)
        self._recovered()
        return result

    async def persist(self, change: Callable[[Any], None], *, gathered: bool = False) -> None:
        """Record a change memory has already made. If the disk refuses, the class goes
        on from memory and the instructor is warned; the change is written with the
        next write (every such change is safe to repeat)."""
        with contextlib.suppress(StorageError):
            await self.save(change, keep_if_refused=True, gathered=gathered)

    async def save_transition(self, save_state: Callable[[Any], None],
                              *changes: Callable[[Any], None]) -> None:
        """Record ``changes`` and the session's new state (``save_state``) in one
        transaction.

        A state refused by the disk and written again later must not overwrite a
        newer one written meanwhile: only the latest transition's state is written.
        """
        self._transitions += 1
        number = self._transitions

        def apply(conn: Any) -> None:
            for change in changes:
                change(conn)
            if number == self._transitions:
                save_state(conn)

        await self.persist(apply)

    async def flush_unsaved(self) -> None:
        """At shutdown: one last try to write what the disk refused."""
        if self._unsaved:
            try:
                await self.save(nothing)
            except StorageError:
                log.error("%d changes could not be saved before stopping", len(self._unsaved))

    def _failed(self, exc: StorageError) -> None:
        log.error("storage: %s", exc)
        # Warn once per outage (and on every instructor connect meanwhile): a class of
        # failing answers must not become a burst that overflows the instructor's outbox.
        self.warning = {"type": "warning", "code": "storage",
                        "message": f"Answers cannot be saved right now ({exc}). "
                                   "Free disk space or check the data folder."}
        if self.ok:
            self.ok = False
            self._warn(self.warning)

    def _recovered(self) -> None:
        """Say "Saving works again" only once nothing refused is left to write."""
        if not self.ok and not self._unsaved and not self._replaying:
            self.ok = True
            self._warn({"type": "warning", "code": "storage_ok",
                        "message": "Saving works again."})

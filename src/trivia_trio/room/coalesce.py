"""Coalesced redraws: many changes, at most a few redraws a second."""

from __future__ import annotations

from collections.abc import Callable

import trio


class Coalescer:
    """Calls ``redraw(dirty)`` with every one of ``names`` marked since the last call,
    at most once per ``interval()`` seconds. A burst of 2,000 marks is one redraw."""

    def __init__(self, names: tuple[str, ...], redraw: Callable[[set[str]], None],
                 interval: Callable[[], float]) -> None:
        self.names = names
        self.interval = interval
        self._redraw = redraw
        self._dirty: set[str] = set()
        self._changed = trio.Event()

    def mark(self, *names: str) -> None:
        if names:
            self._dirty.update(names)
            self._changed.set()

    def flush_now(self, *names: str) -> None:
        """Redraw at once (after a state change), not at the next tick."""
        self._dirty.update(names)
        self._flush()

    def _flush(self) -> None:
        dirty, self._dirty = self._dirty, set()
        if dirty:
            self._redraw(dirty)

    async def run(self) -> None:
        while True:
            await self._changed.wait()
            self._changed = trio.Event()
            self._flush()
            await trio.sleep(self.interval())

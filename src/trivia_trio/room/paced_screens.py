"""A student-paced run's screens: the teacher's progress grid and the projector's
progress, redrawn at a pace a big class can afford (``refresh_interval``). The
messages are ``core/paced_views.py``'s."""

from __future__ import annotations

from functools import partial
from typing import Any

import trio

from ..core import paced_views, projector_views, views
from ..core.deltas import TableChanges
from ..core.paced import PacedRun
from ..core.paced_grid_rows import GRID_ROWS, GridRows
from .coalesce import Coalescer


def refresh_interval(students: int) -> float:
    """Seconds between the grid's refreshes: a second per thousand students, at least
    half a second. Each refresh rebuilds the class's results and sends every row changed
    since the one before; a student's answer and their Next a moment later then go
    out as one row change (the README's benchmark)."""
    return max(0.5, students / 1000)


def header_interval(students: int) -> float:
    """Seconds between rebuilds of the grid's header and the projector's progress: the
    per-question counts and the summary scan the whole class (some 25 ms at 1,000
    students, 10 questions), so a big class has them less often than its rows, and the
    projector follows them: half a second per hundred students, at least as often as
    the rows, and at least every 10 s (the README's benchmark)."""
    return max(refresh_interval(students), min(students / 200, 10.0))


class PacedScreens:
    """The grid and the projector's progress of ``run``; ``room`` is the Room."""

    def __init__(self, room: Any, run: PacedRun) -> None:
        self.room = room
        self.run = run
        self._grid = TableChanges("student_id", lists=("cells",))
        self._positions = GridRows()  # what the dashboards that take rows by position have
        self._coalescer = Coalescer(("grid", "projector"), self._redraw,
                                    lambda: refresh_interval(len(room.game.participants)))
        self._header: dict[str, Any] | None = None  # the grid's header, as last built
        self._header_due = 0.0  # when it is rebuilt next (trio time)

    async def run_redraws(self) -> None:
        await self._coalescer.run()

    def header_changed(self) -> None:
        """The header changed at once (the end): rebuilt at the next redraw, not when due."""
        self._header = None

    def changed(self, student_id: str | None = None) -> None:
        self._grid.touch(student_id)
        self._coalescer.mark("grid", "projector")
        self.room.pacing.mark("leaderboard", only=student_id)

    def instructor_snapshot(self) -> dict[str, Any]:
        """The whole grid for a dashboard that connects. The others get it whole at the
        next redraw: from the rows sent to it alone, a change they have not seen yet would
        look like no change (``deltas.TableChanges``)."""
        self._grid.forget()
        self.changed()
        self._header = None  # the others' whole grid, at the next redraw, says the same
        header, _ = self._header_now()
        return paced_views.grid_message(header, paced_views.grid_rows(self.run),
                                        self.room.clock())

    def to_dashboards(self) -> None:
        """The whole grid to every dashboard, for a side just held: theirs is of another
        run or quiz (its columns, its rows), or none yet."""
        if self.room.audience.instructors:
            self.room.audience.to_instructors(self.instructor_snapshot())

    def projector_additions(self, state: dict[str, Any]) -> dict[str, Any]:
        """``state``'s student-paced part: the progress, and an end's results without
        standings counted from this run's own turns (no question was opened for all)."""
        header, _ = self._header_now()
        additions = {"pace": "student", "progress": paced_views.progress(self.run, header)}
        if "class_results" in state:
            additions["class_results"] = projector_views.class_results(
                self.room.game, self.run.run_results())
        return additions

    def _header_now(self) -> tuple[dict[str, Any], bool]:
        """The header (``paced_views.grid_header``), rebuilt if due; and whether it was."""
        now = trio.current_time()
        if self._header is not None and now < self._header_due:
            return self._header, False
        self._header = paced_views.grid_header(self.run)
        self._header_due = now + header_interval(len(self.room.game.participants))
        return self._header, True

    def _redraw(self, dirty: set[str]) -> None:
        """The grid's changed rows with the header as last built; the header and the
        projector's progress once due (``header_interval``). Until then the redraws go
        on, so the last change of a class reaches both."""
        header, rebuilt = self._header_now()
        if self.room.audience.instructors:
            self._redraw_grid(header, rebuilt)
        if rebuilt:
            self.room.pacing.mark("projector")
        else:
            self._coalescer.mark(*dirty)

    def _redraw_grid(self, header: dict[str, Any], rebuilt: bool) -> None:
        """Whole (after a dashboard connected, or a row went), or the rows changed since
        the last redraw: by position to the dashboards that accept ``paced_grid_rows``,
        as objects to the others. Each message is encoded once for all its dashboards."""
        now, audience = self.room.clock(), self.room.audience
        if self._grid.needs_whole:
            rows = paced_views.grid_rows(self.run)
            self._grid.sent_whole(rows)
            self._positions.whole(rows, header)
            audience.to_instructors(paced_views.grid_message(header, rows, now))
            return
        changed, removed = self._grid.refresh(partial(paced_views.grid_rows, self.run))
        by_position = [c for c in audience.instructors if GRID_ROWS in c.accepts]
        as_objects = [c for c in audience.instructors if GRID_ROWS not in c.accepts]
        if as_objects and (changed or removed or rebuilt):
            _send(as_objects, paced_views.grid_changes_message(header, changed, removed))
        if not by_position:
            return
        if removed:  # the positions after it moved: the grid goes whole
            rows = list(self._grid.sent.values())
            self._positions.whole(rows, header)
            _send(by_position, paced_views.grid_message(header, rows, now))
        elif (message := self._positions.message(changed, self._grid.sent, header, now)):
            _send(by_position, message)


def _send(clients: list[Any], message: dict[str, Any]) -> None:
    text = views.encode(message)
    for client in clients:
        client.send(text)

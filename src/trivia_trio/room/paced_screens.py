"""A student-paced run's screens: the teacher's progress grid and the projector's
progress, redrawn at a pace a big class can afford (``refresh_interval``). The
messages are ``core/paced_views.py``'s."""

from __future__ import annotations

from functools import partial
from typing import Any

from ..core import paced_views, projector_views
from ..core.deltas import TableChanges
from ..core.paced import PacedRun
from .coalesce import Coalescer


def refresh_interval(students: int) -> float:
    """Seconds between the grid's refreshes: a second per thousand students, at least
    half a second. Each refresh rebuilds the class's results and sends every row changed
    since the one before; a student's answer and their Next a moment later then go
    out as one row change (the README's benchmark)."""
    return max(0.5, students / 1000)


class PacedScreens:
    """The grid and the projector's progress of ``run``; ``room`` is the Room."""

    def __init__(self, room: Any, run: PacedRun) -> None:
        self.room = room
        self.run = run
        self._grid = TableChanges("student_id", lists=("cells",))
        self._coalescer = Coalescer(("grid", "projector"), self._redraw,
                                    lambda: refresh_interval(len(room.game.participants)))
        self._projector_columns: list[dict[str, Any]] | None = None

    async def run_redraws(self) -> None:
        await self._coalescer.run()

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
        return paced_views.grid_message(self.run, paced_views.grid_rows(self.run))

    def projector_additions(self, state: dict[str, Any]) -> dict[str, Any]:
        """``state``'s student-paced part: the progress, and an end's results without
        standings counted from this run's own turns (no question was opened for all)."""
        columns, self._projector_columns = self._projector_columns, None
        additions = {"pace": "student", "progress": paced_views.progress(self.run, columns)}
        if "class_results" in state:
            additions["class_results"] = projector_views.class_results(
                self.room.game, self.run.run_results())
        return additions

    def _redraw(self, dirty: set[str]) -> None:
        """The grid's changes, then the projector's progress: their per-question columns
        (the whole class's results) are built once for both."""
        room = self.room
        grid = "grid" in dirty and bool(room.audience.instructors)
        columns = paced_views.question_columns(self.run) if grid or "projector" in dirty \
            else None
        if grid:
            if self._grid.needs_whole:
                rows = paced_views.grid_rows(self.run)
                self._grid.sent_whole(rows)
                message = paced_views.grid_message(self.run, rows, columns)
            else:
                changed, removed = self._grid.refresh(partial(paced_views.grid_rows, self.run))
                message = paced_views.grid_changes_message(self.run, changed, removed, columns)
            room.audience.to_instructors(message)
        if "projector" in dirty:
            self._projector_columns = columns  # for the redraw this asks for, next
            room.pacing.mark("projector")

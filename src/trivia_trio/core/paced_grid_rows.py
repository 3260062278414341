"""The progress grid's changes by position: ``paced_grid_rows``, for a dashboard that
accepts it (docs/PROTOCOL.md).

1,000 students going at their own speed change some 4,000 rows a minute. As objects
(``paced_grid_changes``) each change repeated its field names and the student's id:
about 115 bytes, 700 KiB a minute for the grid alone. Here a row is its place in the
grid the dashboard was last sent whole, then its new rows in order; a change is one
short array of the row's values (its cells as one letter each, only from the first
cell that changed to the last), and the header's counts go out only when they change.
"""

from __future__ import annotations

from typing import Any

from .paced import WORKING
from .results import Result

Row = dict[str, Any]
# What a dashboard's socket names in its ``accept`` to be sent the grid this way.
GRID_ROWS = "paced_grid_rows"

# One letter a cell (``PacedRun.cell``'s words).
CELL_LETTERS = {Result.RIGHT: "R", Result.PARTIAL: "P", Result.WRONG: "W",
                Result.NO_ANSWER: "N", Result.NOT_PRESENT: "A", Result.NOT_REACHED: ".",
                Result.NOT_SCORED: "S", WORKING: "O"}
# Fields whose change is rare: a change row carries them only when one of them changed,
# a new row only when one is not at its starting value.
RARE = ("finished", "extra_time", "no_speed_penalty")
RARE_START = (False, 1.0, False)


def cell_letters(cells: list[str]) -> str:
    return "".join(CELL_LETTERS[word] for word in cells)


def open_for_ms(row: Row, now: int) -> int | None:
    """How long the row's open question has run at ``now`` (None: none is open). The
    page adds the time since it got the message: no clock of the server's is mixed
    with the phone's own."""
    since = row["open_since"]
    return None if since is None else max(0, now - since)


class GridRows:
    """What a dashboard that accepts ``paced_grid_rows`` was last sent: the rows' places
    and the header's counts. ``whole`` after every whole grid, ``message`` at each
    refresh after."""

    def __init__(self) -> None:
        self._places: dict[str, int] = {}
        self._header: dict[str, Any] = {}

    def whole(self, rows: list[Row], header: dict[str, Any]) -> None:
        self._places = {row["student_id"]: place for place, row in enumerate(rows)}
        self._header = _moving(header)

    def message(self, changes: list[Row], rows: dict[str, Row], header: dict[str, Any],
                now: int) -> dict[str, Any] | None:
        """``changes`` as ``deltas.TableChanges`` found them (a new row whole, a changed
        one with its changed fields), ``rows`` the rows now by id, ``header``
        ``paced_views.grid_header``'s. None: nothing to send."""
        message: dict[str, Any] = {"type": "paced_grid_rows"}
        added, changed = [], []
        for change in changes:
            student_id = change["student_id"]
            row = rows[student_id]
            place = self._places.get(student_id)
            if place is None:
                self._places[student_id] = len(self._places)
                rare = [row[name] for name in RARE]
                added.append([student_id, row["name"], cell_letters(row["cells"]),
                              *_hot(row, now), *(rare if tuple(rare) != RARE_START else ())])
                continue
            first, letters = _cells_changed(change, row["cells"])
            compact = [place, first, letters, *_hot(row, now)]
            if any(name in change for name in RARE):
                compact += [row[name] for name in RARE]
            changed.append(compact)
        if added:
            message["added"] = added
        if changed:
            message["rows"] = changed
        moving = _moving(header)
        for name, value in moving.items():
            if self._header.get(name) != value:
                message[name] = value
        self._header = moving
        return message if len(message) > 1 else None


def _hot(row: Row, now: int) -> list[Any]:
    """The fields a student's answer or Next changes, in their places: the score, the
    time used by ``now`` in tenths of a second (the grid shows seconds), and 1 while
    a question is open (its time goes on), else 0. ``reached`` is not one: it is how
    many cells are not ``not_reached``."""
    running = open_for_ms(row, now)
    return [row["score"], (row["time_used_ms"] + (running or 0)) // 100,
            int(running is not None)]


def _cells_changed(change: Row, cells: list[str]) -> tuple[int, str]:
    """The changed cells as (the first one's index, the letters from it to the last)."""
    if "cells" in change:  # the list changed length: all of it
        return 0, cell_letters(cells)
    changed = [int(idx) for idx in change.get("cells_changed", {})]
    if not changed:
        return 0, ""
    first, last = min(changed), max(changed)
    return first, cell_letters(cells[first:last + 1])


def _moving(header: dict[str, Any]) -> dict[str, Any]:
    """The header's parts that change as the class goes, compact: per question its
    ``[reached, answered, right, share_right]``, the summary, the end."""
    return {"counts": [[q["reached"], q["answered"], q["right"], q["share_right"]]
                       for q in header["questions"]],
            "summary": header["summary"], "ends_at": header["ends_at"],
            "ended": header["ended"]}

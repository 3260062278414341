"""One gradebook over several runs (a class over a term): a row per student, a score and a
share right per run, and the totals over them.

Every number is the results model's (``Run.results`` and ``StudentTotals``), never
recounted: a run's score is the total score its own gradebook gives the student,
its share right the right answers over the scored ones (right, partial, wrong,
no answer: ``StudentTotals.scored``). A student who did not join a run is
``-`` in its cells, as a run's gradebook writes not present; the students on the
class list of any of the runs have a row even if they never joined one.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from ..core import spreadsheet
from ..core.results import StudentTotals
from . import roster
from .exports import NOT_PRESENT_CELL, Table, _cell, _csv, _score, check_run, load_run

MAX_RUNS = 200
TERM_COLUMNS = ("student_id", "name")
TOTAL_COLUMNS = ("total_score", "percent_right", "runs_joined")
RUN_COLUMNS = ("run_id", "title", "started", "ended", "students")


def percent_right(totals: StudentTotals) -> float | str:
    """The results model's percent right; empty when none is scored."""
    return "" if totals.percent_right is None else totals.percent_right


def run_name(title: str, started_at: int, run_id: int, taken: set[str]) -> str:
    """A run's name in a column header: its title and when it started, and its run id
    too when a run before it in the table has that name (a quiz run twice in a minute)."""
    when = f"{datetime.fromtimestamp(started_at / 1000):%Y-%m-%d %H:%M}"
    name = f"{title} ({when})"
    return f"{title} ({when}, run {run_id})" if name in taken else name


def term_rows(conn: sqlite3.Connection, run_ids: list[int], session_id: str
              ) -> tuple[Table, Table]:
    """(the gradebook, one row per run) for ``run_ids`` of ``session_id``, in run order;
    raises UnknownRun for a run that is not one of the session's."""
    for run_id in run_ids:
        check_run(conn, run_id, session_id)
    runs = [load_run(conn, run_id) for run_id in sorted(set(run_ids))]
    header: list[object] = [*TERM_COLUMNS]
    names: dict[str, str] = {}
    taken: set[str] = set()
    by_run: list[dict[str, StudentTotals]] = []
    listing: Table = [list(RUN_COLUMNS)]
    for run in runs:
        grid = run.results()
        title = run.quiz_data.get("title", "")
        name = run_name(title, run.started_at, run.run_id, taken)
        taken.add(name)
        header += [_cell(f"{name}: score"), _cell(f"{name}: % right")]
        by_run.append({student_id: grid.student(student_id) for student_id in grid.students})
        for p in run.participants:
            names[p["student_id"]] = p["name"]  # the latest run's name stands
        listed = roster.run_class(conn, run.run_id)
        for student in (listed.students.values() if listed else ()):
            names.setdefault(student.student_id, student.name)  # on the list, never joined
        listing.append([run.run_id, _cell(title), _when(run.started_at),
                        _when(run.finished_at), len(grid.students)])
    rows: Table = [[*header, *TOTAL_COLUMNS]]
    for student_id, name in names.items():
        row: list[object] = [_cell(student_id), _cell(name)]
        total, joined = StudentTotals(), 0
        for students in by_run:
            totals = students.get(student_id)
            if totals is None:
                row += [NOT_PRESENT_CELL, NOT_PRESENT_CELL]
                continue
            row += [_score(totals.score), percent_right(totals)]
            total, joined = total + totals, joined + 1
        rows.append([*row, _score(total.score), percent_right(total), joined])
    return rows, listing


def _when(ms: int | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000).replace(microsecond=0)


def term_csv(conn: sqlite3.Connection, run_ids: list[int], session_id: str) -> str:
    return _csv(term_rows(conn, run_ids, session_id)[0])


def term_xlsx(conn: sqlite3.Connection, run_ids: list[int], session_id: str) -> bytes:
    """The gradebook, then a sheet listing the runs with their dates as dates."""
    rows, listing = term_rows(conn, run_ids, session_id)
    return spreadsheet.workbook([("Gradebook", rows), ("Runs", listing)])

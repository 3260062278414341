"""A student-paced run's record: its pace and settings, each student's order, extra time
and turns (``core/paced.py``). Every write is a function of the connection, run by the
group committer like the rest of the record (``database.py``)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from ..core.pace import PacedSettings, settings_from
from ..core.paced import Accommodation, Progress, StudentOrder, Turn

SCHEMA = """
CREATE TABLE IF NOT EXISTS paced_students (
    run_id INTEGER NOT NULL,
    student_id TEXT NOT NULL,
    order_json TEXT NOT NULL,
    extra_time REAL NOT NULL DEFAULT 1,
    no_speed_penalty INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, student_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS paced_turns (
    run_id INTEGER NOT NULL,
    student_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    question_idx INTEGER NOT NULL,
    opened_at INTEGER NOT NULL,
    limit_ms INTEGER,
    closed_at INTEGER,
    no_speed_penalty INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, student_id, position)
) WITHOUT ROWID;
"""


def pace_key(run_id: int) -> str:
    """The meta key of a run whose pace the teacher chose (a quiz file's own is not kept)."""
    return f"run:{run_id}:pace"


@dataclass(frozen=True)
class RunPace:
    pace: str
    settings: PacedSettings
    started_at: int  # what a student-paced run's end time counts from
    ended_at: int | None = None  # read back from the run's finished_at; never kept here


def run_pace(conn: sqlite3.Connection, run_id: int, quiz_pace: str,
             quiz_settings: PacedSettings) -> RunPace:
    """The run's pace and settings: the teacher's pick, else the quiz file's. It ended
    when the run did (``runs.finished_at``). Earlier versions also kept the end in the
    pick, and finished the run in a later commit: a file a crash left between the two
    still ends then."""
    run = conn.execute("SELECT started_at, finished_at FROM runs WHERE run_id = ?",
                       (run_id,)).fetchone()
    started_at, finished_at = (run[0], run[1]) if run else (0, None)
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (pace_key(run_id),)).fetchone()
    if row is None:
        return RunPace(quiz_pace, quiz_settings, started_at, finished_at)
    data = json.loads(row[0])
    return RunPace(data["pace"], settings_from(data.get("paced")), data["started_at"],
                   data.get("ended_at") if finished_at is None else finished_at)


def set_run_pace(conn: sqlite3.Connection, run_id: int, pace: RunPace) -> None:
    data: dict[str, Any] = {"pace": pace.pace, "paced": pace.settings.to_dict(),
                            "started_at": pace.started_at}
    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
                 "SET value = excluded.value", (pace_key(run_id), json.dumps(data)))


def save_start(conn: sqlite3.Connection, run_id: int, progress: Progress) -> None:
    """A student's order and accommodation, kept at their join, and their first turn."""
    accommodation = progress.accommodation
    conn.execute("INSERT OR REPLACE INTO paced_students (run_id, student_id, order_json, "
                 "extra_time, no_speed_penalty) VALUES (?, ?, ?, ?, ?)",
                 (run_id, progress.student_id, json.dumps(progress.order.to_dict()),
                  accommodation.extra_time, int(accommodation.no_speed_penalty)))
    for turn in progress.turns:
        save_turn(conn, run_id, progress.student_id, turn)


def save_turn(conn: sqlite3.Connection, run_id: int, student_id: str, turn: Turn) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO paced_turns (run_id, student_id, position, question_idx, "
        "opened_at, limit_ms, closed_at, no_speed_penalty) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (run_id, student_id, turn.position, turn.question_idx, turn.opened_at, turn.limit_ms,
         turn.closed_at, int(turn.no_speed_penalty)))


def save_accommodation(conn: sqlite3.Connection, run_id: int, student_id: str,
                       accommodation: Accommodation) -> None:
    conn.execute("UPDATE paced_students SET extra_time = ?, no_speed_penalty = ? "
                 "WHERE run_id = ? AND student_id = ?",
                 (accommodation.extra_time, int(accommodation.no_speed_penalty), run_id,
                  student_id))


def delete_student(conn: sqlite3.Connection, run_id: int, student_id: str) -> None:
    for table in ("paced_students", "paced_turns"):
        conn.execute(f"DELETE FROM {table} WHERE run_id = ? AND student_id = ?",
                     (run_id, student_id))


def load_progress(conn: sqlite3.Connection, run_id: int) -> list[Progress]:
    """Every student's progress as kept: their order read back, never drawn again."""
    turns: dict[str, list[Turn]] = {}
    for r in conn.execute("SELECT * FROM paced_turns WHERE run_id = ? ORDER BY student_id, "
                          "position", (run_id,)):
        turns.setdefault(r["student_id"], []).append(_turn(r))
    return [Progress(r["student_id"], StudentOrder.from_dict(json.loads(r["order_json"])),
                     turns.get(r["student_id"], []),
                     Accommodation(r["extra_time"], bool(r["no_speed_penalty"])))
            for r in conn.execute("SELECT * FROM paced_students WHERE run_id = ?", (run_id,))]


def turns_of_run(conn: sqlite3.Connection, run_id: int) -> dict[tuple[str, int], Turn]:
    """Each student's turn at each question (student_id, question_idx): for the exports."""
    return {(r["student_id"], r["question_idx"]): _turn(r)
            for r in conn.execute("SELECT * FROM paced_turns WHERE run_id = ?", (run_id,))}


def _turn(row: sqlite3.Row) -> Turn:
    return Turn(row["position"], row["question_idx"], row["opened_at"], row["limit_ms"],
                row["closed_at"], bool(row["no_speed_penalty"]))

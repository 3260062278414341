"""Class lists kept in the data file, and which class a run takes its students from.

Every function takes the sqlite3 connection: reads go through ``Store.read``,
changes through ``Store.write`` (one transaction each, so an import that is
refused changes nothing).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from ..core.paced import Accommodation
from ..core.roster import Student

SCHEMA = """
CREATE TABLE IF NOT EXISTS classes (
    class_id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS class_students (
    class_id INTEGER NOT NULL,
    student_id TEXT NOT NULL,
    name TEXT NOT NULL,
    extra_time REAL NOT NULL DEFAULT 1,
    no_speed_penalty INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL,
    PRIMARY KEY (class_id, student_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS run_class (
    run_id INTEGER PRIMARY KEY,
    class_id INTEGER NOT NULL,
    guests INTEGER NOT NULL DEFAULT 0
);
"""
MAX_CLASSES = 200


class NoSuchClass(LookupError):
    """No class with that id (deleted?)."""


@dataclass(frozen=True)
class RunClass:
    """The class a run takes its students from; ``guests``: others may join too."""

    class_id: int
    name: str
    students: dict[str, Student]
    guests: bool


def _students(conn: sqlite3.Connection, class_id: int) -> list[Student]:
    return [Student(row[0], row[1], Accommodation(float(row[2]), bool(row[3])))
            for row in conn.execute(
                "SELECT student_id, name, extra_time, no_speed_penalty FROM class_students"
                " WHERE class_id = ? ORDER BY position, student_id", (class_id,))]


def _check(conn: sqlite3.Connection, class_id: int) -> str:
    row = conn.execute("SELECT name FROM classes WHERE class_id = ?", (class_id,)).fetchone()
    if row is None:
        raise NoSuchClass(class_id)
    return str(row[0])


def listing(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every class with its students, oldest first."""
    return [{"class_id": class_id, "name": name,
             "students": [s.to_dict() for s in _students(conn, class_id)]}
            for class_id, name in conn.execute(
                "SELECT class_id, name FROM classes ORDER BY class_id").fetchall()]


def add_class(conn: sqlite3.Connection, *, name: str, students: list[Student], now: int
              ) -> int:
    if conn.execute("SELECT COUNT(*) FROM classes").fetchone()[0] >= MAX_CLASSES:
        raise ValueError(f"at most {MAX_CLASSES} classes; delete one first")
    class_id = conn.execute("INSERT INTO classes (name, created_at) VALUES (?, ?)",
                            (name, now)).lastrowid
    assert class_id is not None
    for position, student in enumerate(students):
        _put(conn, class_id, student, position)
    return class_id


def _put(conn: sqlite3.Connection, class_id: int, student: Student, position: int) -> None:
    conn.execute(
        "INSERT INTO class_students (class_id, student_id, name, extra_time, no_speed_penalty,"
        " position) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (class_id, student_id) DO UPDATE"
        " SET name = excluded.name, extra_time = excluded.extra_time,"
        " no_speed_penalty = excluded.no_speed_penalty",
        (class_id, student.student_id, student.name, student.accommodation.extra_time,
         int(student.accommodation.no_speed_penalty), position))


def put_student(conn: sqlite3.Connection, *, class_id: int, student: Student) -> None:
    """Add a student at the end of the class, or change the one with that id."""
    _check(conn, class_id)
    last = conn.execute("SELECT COALESCE(MAX(position), -1) FROM class_students"
                        " WHERE class_id = ?", (class_id,)).fetchone()[0]
    _put(conn, class_id, student, last + 1)


def remove_student(conn: sqlite3.Connection, *, class_id: int, student_id: str) -> bool:
    _check(conn, class_id)
    return conn.execute("DELETE FROM class_students WHERE class_id = ? AND student_id = ?",
                        (class_id, student_id)).rowcount > 0


def delete_class(conn: sqlite3.Connection, *, class_id: int) -> None:
    """Delete a class; runs that used it keep their results, no longer their list."""
    _check(conn, class_id)
    for table in ("class_students", "run_class", "classes"):
        conn.execute(f"DELETE FROM {table} WHERE class_id = ?", (class_id,))


def use_class(conn: sqlite3.Connection, *, run_id: int, class_id: int | None,
              guests: bool) -> None:
    """The class ``run_id`` takes its students from (None: anyone may join)."""
    conn.execute("DELETE FROM run_class WHERE run_id = ?", (run_id,))
    if class_id is not None:
        _check(conn, class_id)
        conn.execute("INSERT INTO run_class (run_id, class_id, guests) VALUES (?, ?, ?)",
                     (run_id, class_id, int(guests)))


def class_of_run(conn: sqlite3.Connection, run_id: int) -> tuple[int, str] | None:
    """(class id, class name) of the class ``run_id`` took its students from, if any."""
    row = conn.execute("SELECT r.class_id, c.name FROM run_class r JOIN classes c"
                       " USING (class_id) WHERE r.run_id = ?", (run_id,)).fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


def run_class(conn: sqlite3.Connection, run_id: int) -> RunClass | None:
    row = conn.execute("SELECT r.class_id, c.name, r.guests FROM run_class r JOIN classes c"
                       " USING (class_id) WHERE r.run_id = ?", (run_id,)).fetchone()
    if row is None:
        return None
    students = {s.student_id: s for s in _students(conn, row[0])}
    return RunClass(row[0], row[1], students, bool(row[2]))

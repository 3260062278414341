"""Class lists kept in the data file, and which class a run takes its students from.

A run keeps its own copy of its class's list (``run_roster``), taken when the
teacher picks the class: while the run goes on, an edit of the class is an edit
of its copy too (a student added may join, a removed one may not), and once it
has ended its copy never changes, so its gradebook says the same forever. A
deleted class is only marked so (``deleted_at``): its ended runs keep their copy
and its name.

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
    created_at INTEGER NOT NULL,
    deleted_at INTEGER
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
# Made by ``keep_run_rosters``, so that an older data file's runs get their copy at once.
RUN_ROSTER = """
CREATE TABLE run_roster (
    run_id INTEGER NOT NULL,
    student_id TEXT NOT NULL,
    name TEXT NOT NULL,
    extra_time REAL NOT NULL DEFAULT 1,
    no_speed_penalty INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL,
    PRIMARY KEY (run_id, student_id)
) WITHOUT ROWID
"""
# The runs that still follow their class's edits: those not ended.
_GOING_ON = ("SELECT run_id FROM run_class WHERE class_id = ? AND run_id IN "
             "(SELECT run_id FROM runs WHERE finished_at IS NULL)")
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


def keep_run_rosters(conn: sqlite3.Connection) -> None:
    """Make the runs' copies of their lists in a data file from before they were kept.

    Its runs that used a class never had a copy: each gets the class as it is now,
    the best its record can say (the class may have been edited since the run; a
    class deleted took its runs' lists with it, as it did then). From then on an
    ended run's list no longer changes. One transaction: a crash leaves no table."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                    ("run_roster",)).fetchone():
        return
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(RUN_ROSTER)
        conn.execute("INSERT INTO run_roster (run_id, student_id, name, extra_time,"
                     " no_speed_penalty, position) SELECT r.run_id, s.student_id, s.name,"
                     " s.extra_time, s.no_speed_penalty, s.position FROM run_class r"
                     " JOIN class_students s USING (class_id)")


def _students(conn: sqlite3.Connection, class_id: int) -> list[Student]:
    return _read_students(conn, "class_students WHERE class_id = ?", class_id)


def _read_students(conn: sqlite3.Connection, where: str, key: int) -> list[Student]:
    return [Student(row[0], row[1], Accommodation(float(row[2]), bool(row[3])))
            for row in conn.execute(
                "SELECT student_id, name, extra_time, no_speed_penalty FROM "
                f"{where} ORDER BY position, student_id", (key,))]


def _check(conn: sqlite3.Connection, class_id: int) -> str:
    row = conn.execute("SELECT name FROM classes WHERE class_id = ? AND deleted_at IS NULL",
                       (class_id,)).fetchone()
    if row is None:
        raise NoSuchClass(class_id)
    return str(row[0])


def listing(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every class with its students, oldest first."""
    return [{"class_id": class_id, "name": name,
             "students": [s.to_dict() for s in _students(conn, class_id)]}
            for class_id, name in conn.execute(
                "SELECT class_id, name FROM classes WHERE deleted_at IS NULL"
                " ORDER BY class_id").fetchall()]


def add_class(conn: sqlite3.Connection, *, name: str, students: list[Student], now: int
              ) -> int:
    if conn.execute("SELECT COUNT(*) FROM classes WHERE deleted_at IS NULL"
                    ).fetchone()[0] >= MAX_CLASSES:
        raise ValueError(f"at most {MAX_CLASSES} classes; delete one first")
    class_id = conn.execute("INSERT INTO classes (name, created_at) VALUES (?, ?)",
                            (name, now)).lastrowid
    assert class_id is not None
    for position, student in enumerate(students):
        _put(conn, class_id, student, position)
    return class_id


def _put(conn: sqlite3.Connection, class_id: int, student: Student, position: int) -> None:
    """Add or change a student of the class, and of the lists of the runs going on that
    use it (a student changed keeps their place)."""
    values = (student.student_id, student.name, student.accommodation.extra_time,
              int(student.accommodation.no_speed_penalty), position)
    update = (" SET name = excluded.name, extra_time = excluded.extra_time,"
              " no_speed_penalty = excluded.no_speed_penalty")
    conn.execute(
        "INSERT INTO class_students (class_id, student_id, name, extra_time, no_speed_penalty,"
        " position) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (class_id, student_id) DO UPDATE"
        + update, (class_id, *values))
    conn.execute(
        "INSERT INTO run_roster (run_id, student_id, name, extra_time, no_speed_penalty,"
        f" position) SELECT run_id, ?, ?, ?, ?, ? FROM ({_GOING_ON}) WHERE true"
        " ON CONFLICT (run_id, student_id) DO UPDATE" + update, (*values, class_id))


def put_student(conn: sqlite3.Connection, *, class_id: int, student: Student) -> None:
    """Add a student at the end of the class, or change the one with that id."""
    _check(conn, class_id)
    last = conn.execute("SELECT COALESCE(MAX(position), -1) FROM class_students"
                        " WHERE class_id = ?", (class_id,)).fetchone()[0]
    _put(conn, class_id, student, last + 1)


def remove_student(conn: sqlite3.Connection, *, class_id: int, student_id: str) -> bool:
    """Take a student off the class, and off the lists of the runs going on that use it;
    an ended run's list keeps them."""
    _check(conn, class_id)
    conn.execute(f"DELETE FROM run_roster WHERE student_id = ? AND run_id IN ({_GOING_ON})",
                 (student_id, class_id))
    return conn.execute("DELETE FROM class_students WHERE class_id = ? AND student_id = ?",
                        (class_id, student_id)).rowcount > 0


def delete_class(conn: sqlite3.Connection, *, class_id: int, now: int) -> None:
    """Delete a class: a run going on that uses it no longer has a list (anyone may
    join), and an ended one keeps its copy and the class's name, so its gradebooks
    stay as they were."""
    _check(conn, class_id)
    conn.execute(f"DELETE FROM run_roster WHERE run_id IN ({_GOING_ON})", (class_id,))
    conn.execute(f"DELETE FROM run_class WHERE run_id IN ({_GOING_ON})", (class_id,))
    conn.execute("DELETE FROM class_students WHERE class_id = ?", (class_id,))
    conn.execute("UPDATE classes SET deleted_at = ? WHERE class_id = ?", (now, class_id))


def use_class(conn: sqlite3.Connection, *, run_id: int, class_id: int | None,
              guests: bool) -> None:
    """The class ``run_id`` takes its students from (None: anyone may join): the run
    keeps its own copy of the class's list (the module's docstring). The class it uses
    already (the dashboard sends it again with its guests box) keeps the run's copy:
    an ended run's must not become the class as edited since."""
    in_use = conn.execute("SELECT class_id FROM run_class WHERE run_id = ?",
                          (run_id,)).fetchone()
    if class_id is not None and in_use is not None and in_use[0] == class_id:
        conn.execute("UPDATE run_class SET guests = ? WHERE run_id = ?", (int(guests), run_id))
        return
    conn.execute("DELETE FROM run_class WHERE run_id = ?", (run_id,))
    conn.execute("DELETE FROM run_roster WHERE run_id = ?", (run_id,))
    if class_id is not None:
        _check(conn, class_id)
        conn.execute("INSERT INTO run_class (run_id, class_id, guests) VALUES (?, ?, ?)",
                     (run_id, class_id, int(guests)))
        conn.execute("INSERT INTO run_roster (run_id, student_id, name, extra_time,"
                     " no_speed_penalty, position) SELECT ?, student_id, name, extra_time,"
                     " no_speed_penalty, position FROM class_students WHERE class_id = ?",
                     (run_id, class_id))


def class_of_run(conn: sqlite3.Connection, run_id: int) -> tuple[int, str] | None:
    """(class id, class name) of the class ``run_id`` took its students from, if any."""
    row = conn.execute("SELECT r.class_id, c.name FROM run_class r JOIN classes c"
                       " USING (class_id) WHERE r.run_id = ?", (run_id,)).fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


def run_class(conn: sqlite3.Connection, run_id: int) -> RunClass | None:
    """The class ``run_id`` took its students from, with the run's own copy of its list:
    the class's list while the run goes on, the list as it was at its end after."""
    row = conn.execute("SELECT r.class_id, c.name, r.guests FROM run_class r JOIN classes c"
                       " USING (class_id) WHERE r.run_id = ?", (run_id,)).fetchone()
    if row is None:
        return None
    students = {s.student_id: s
                for s in _read_students(conn, "run_roster WHERE run_id = ?", run_id)}
    return RunClass(row[0], row[1], students, bool(row[2]))

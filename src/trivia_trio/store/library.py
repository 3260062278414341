"""The quiz library: every quiz the teacher writes or imports, kept in the data folder.

Quizzes live in the same sqlite file as the runs, written through the store's
group committer: a save is durable (WAL, ``synchronous=FULL``) before the
editor is told so, a save or import is all-or-nothing, and the teacher has one
file to back up. A quiz with problems is kept as a draft, with its problems in
the words ``trivia_trio check`` uses (the same validator), and cannot be run.

Runs are not linked by a column that a crash could leave half-written: each
time a quiz is run, the fingerprint of the exact quiz the run froze is noted
as a version of it (before the run starts). A run belongs to the library
quiz whose version matches its own frozen copy, so editing a quiz never
changes which run used which version.

Every function here takes a sqlite3 connection: writes run inside
``Store.write``, reads inside ``Store.read``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..core.pictures import PicturesHeld
from ..core.quiz import Quiz, QuizError, quiz_from_dict

Held = Callable[[str], bool]  # whether the data folder holds a picture, by media name

UNDO_WINDOW_MS = 5 * 60 * 1000  # how long a deleted quiz can be brought back
MAX_QUIZZES = 10_000
MAX_QUIZ_ID = 2**63 - 1  # sqlite's largest integer: a larger id cannot name a quiz

SCHEMA = """
CREATE TABLE IF NOT EXISTS library_quizzes (
    quiz_id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,          -- the quiz object as the editor keeps it (JSON)
    problems TEXT NOT NULL,      -- JSON list; empty when the quiz can be run
    fingerprint TEXT NOT NULL,   -- of the quiz as it would run (see fingerprint())
    created_at INTEGER NOT NULL,
    edited_at INTEGER NOT NULL,
    deleted_at INTEGER           -- set by delete; cleared by undo within the window
);
CREATE TABLE IF NOT EXISTS library_versions (
    quiz_id INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    first_run_at INTEGER NOT NULL,
    PRIMARY KEY (quiz_id, fingerprint)
);
"""


class NotInLibrary(LookupError):
    """No such quiz (or it was deleted)."""


def _known(quiz_id: int) -> int:
    """``quiz_id`` if it could name a kept quiz; NotInLibrary for one out of sqlite's range
    (which sqlite would refuse with OverflowError)."""
    if not 0 < quiz_id <= MAX_QUIZ_ID:
        raise NotInLibrary(quiz_id)
    return quiz_id


class EditedElsewhere(Exception):
    """A save based on an older version: the quiz was saved since (``edited_at`` is now)."""

    def __init__(self, edited_at: int) -> None:
        super().__init__(edited_at)
        self.edited_at = edited_at


class NotRunnable(ValueError):
    """A draft: it has problems, listed in ``problems``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(quiz_data: Any) -> str:
    """Identifies a quiz's content: equal for the same quiz however its JSON is spaced."""
    return hashlib.sha256(canonical(quiz_data).encode()).hexdigest()


def run_fingerprint(quiz_json: str) -> str:
    """The fingerprint of a run's frozen quiz copy (``runs.quiz_json``)."""
    return fingerprint(json.loads(quiz_json))


@dataclass(frozen=True)
class Checked:
    """A quiz object as the editor sent it, and what the validator says of it."""

    body: dict[str, Any]
    quiz: Quiz | None
    problems: list[str]

    @property
    def title(self) -> str:
        title = self.body.get("title")
        return title.strip() if isinstance(title, str) and title.strip() else "Untitled quiz"

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.quiz.to_dict() if self.quiz else self.body)


def check(body: Mapping[str, Any], held: Held) -> Checked:
    """Validate with the same rules as ``trivia_trio check``; a bad quiz is still kept.

    A question's ``image`` must be the media name of a picture the library holds
    (``held``), never any other text: phones would show a broken picture and the
    bundle export would fail.
    """
    body = dict(body)
    try:
        return Checked(body, quiz_from_dict(body, pictures=PicturesHeld(held)), [])
    except QuizError as exc:
        return Checked(body, None, exc.problems)


def _purge(conn: sqlite3.Connection, now: int) -> None:
    """Forget deletes whose undo window has passed."""
    conn.execute("DELETE FROM library_quizzes WHERE deleted_at < ?", (now - UNDO_WINDOW_MS,))
    conn.execute("DELETE FROM library_versions WHERE quiz_id NOT IN "
                 "(SELECT quiz_id FROM library_quizzes)")


# ---- writes (run by Store.write) -----------------------------------------------------------
def add(conn: sqlite3.Connection, checked: Checked, now: int) -> int:
    _purge(conn, now)
    count = conn.execute("SELECT count(*) FROM library_quizzes").fetchone()[0]
    if count >= MAX_QUIZZES:
        raise ValueError(f"the library holds {MAX_QUIZZES} quizzes already")
    quiz_id = conn.execute(
        "INSERT INTO library_quizzes (title, body, problems, fingerprint, created_at, "
        "edited_at) VALUES (?, ?, ?, ?, ?, ?)",
        (checked.title, canonical(checked.body), json.dumps(checked.problems),
         checked.fingerprint, now, now)).lastrowid
    assert quiz_id is not None
    return quiz_id


def save(conn: sqlite3.Connection, quiz_id: int, checked: Checked, now: int,
         base: int | None = None) -> int:
    """Keep the editor's quiz; its new ``edited_at``, which is also its version.

    Every save moves ``edited_at`` forward (by a millisecond if the clock did
    not), so two saves never share a version. With ``base``, the version the
    editor started from, a save over a later one (another tab saved since) is
    refused with EditedElsewhere and changes nothing.
    """
    row = conn.execute("SELECT edited_at FROM library_quizzes WHERE quiz_id = ? AND "
                       "deleted_at IS NULL", (_known(quiz_id),)).fetchone()
    if row is None:
        raise NotInLibrary(quiz_id)
    if base is not None and base != row[0]:
        raise EditedElsewhere(row[0])
    version = max(now, row[0] + 1)
    conn.execute(
        "UPDATE library_quizzes SET title = ?, body = ?, problems = ?, fingerprint = ?, "
        "edited_at = ? WHERE quiz_id = ?",
        (checked.title, canonical(checked.body), json.dumps(checked.problems),
         checked.fingerprint, version, quiz_id))
    return version


def import_quiz(conn: sqlite3.Connection, quiz: Quiz, now: int) -> tuple[int, bool]:
    """Keep a validated quiz; (its id, True) when the library already had it."""
    data = quiz.to_dict()
    found = conn.execute(
        "SELECT quiz_id FROM library_quizzes WHERE fingerprint = ? AND deleted_at IS NULL "
        "ORDER BY quiz_id LIMIT 1", (fingerprint(data),)).fetchone()
    if found is not None:
        return found[0], True
    return add(conn, Checked(data, quiz, []), now), False


def duplicate(conn: sqlite3.Connection, quiz_id: int, now: int, held: Held) -> int:
    entry = get(conn, quiz_id)
    body = dict(entry["quiz"])
    body["title"] = f"{entry['title']} (copy)"
    return add(conn, check(body, held), now)


def delete(conn: sqlite3.Connection, quiz_id: int, now: int) -> None:
    if not conn.execute("UPDATE library_quizzes SET deleted_at = ? WHERE quiz_id = ? AND "
                        "deleted_at IS NULL", (now, _known(quiz_id))).rowcount:
        raise NotInLibrary(quiz_id)


def undelete(conn: sqlite3.Connection, quiz_id: int, now: int) -> None:
    if not conn.execute("UPDATE library_quizzes SET deleted_at = NULL WHERE quiz_id = ? AND "
                        "deleted_at >= ?", (_known(quiz_id), now - UNDO_WINDOW_MS)).rowcount:
        raise NotInLibrary(quiz_id)


def note_run(conn: sqlite3.Connection, quiz_id: int, quiz: Quiz, now: int) -> None:
    """Remember that this exact quiz is about to be run as a version of ``quiz_id``."""
    conn.execute("INSERT OR IGNORE INTO library_versions (quiz_id, fingerprint, first_run_at) "
                 "VALUES (?, ?, ?)", (quiz_id, fingerprint(quiz.to_dict()), now))


# ---- reads ---------------------------------------------------------------------------------
def runnable(conn: sqlite3.Connection, quiz_id: int, held: Held) -> Quiz:
    """The quiz to run; NotRunnable while it has problems (a picture no longer held
    among them)."""
    checked = check(get(conn, quiz_id)["quiz"], held)
    if checked.quiz is None:
        raise NotRunnable(checked.problems)
    return checked.quiz


def get(conn: sqlite3.Connection, quiz_id: int) -> dict[str, Any]:
    row = conn.execute("SELECT * FROM library_quizzes WHERE quiz_id = ? AND deleted_at IS NULL",
                       (_known(quiz_id),)).fetchone()
    if row is None:
        raise NotInLibrary(quiz_id)
    problems = json.loads(row["problems"])
    return {"quiz_id": row["quiz_id"], "title": row["title"], "quiz": json.loads(row["body"]),
            "problems": problems, "draft": bool(problems), "edited_at": row["edited_at"]}


def kinds_used(body: Mapping[str, Any]) -> list[str]:
    questions = body.get("questions")
    found = [q.get("kind", "choice") if isinstance(q, Mapping) else "?"
             for q in (questions if isinstance(questions, list) else [])]
    return [kind for kind in dict.fromkeys(found) if isinstance(kind, str)]


def _runs_by_fingerprint(conn: sqlite3.Connection) -> dict[str, list[sqlite3.Row]]:
    runs: dict[str, list[sqlite3.Row]] = {}
    for row in conn.execute(
            "SELECT r.run_id, r.quiz_json, r.started_at, "
            "(SELECT count(*) FROM participants p WHERE p.run_id = r.run_id) AS students "
            "FROM runs r ORDER BY r.started_at, r.run_id"):
        runs.setdefault(run_fingerprint(row["quiz_json"]), []).append(row)
    return runs


@dataclass(frozen=True)
class Version:
    quiz_id: int
    number: int  # counted from 1, in the order the versions were first run


def versions(conn: sqlite3.Connection) -> dict[str, Version]:
    """Every run version of every kept quiz, by fingerprint."""
    found: dict[str, Version] = {}
    numbers: dict[int, int] = {}
    for row in conn.execute("SELECT quiz_id, fingerprint FROM library_versions "
                            "ORDER BY first_run_at, rowid"):
        numbers[row[0]] = numbers.get(row[0], 0) + 1
        found.setdefault(row[1], Version(row[0], numbers[row[0]]))
    return found


def listing(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every kept quiz, last edited first, with its last run and that run's class size."""
    runs = _runs_by_fingerprint(conn)
    last_run: dict[int, sqlite3.Row] = {}
    for print_, version in versions(conn).items():
        for run in runs.get(print_, []):
            latest = last_run.get(version.quiz_id)
            if latest is None or run["started_at"] >= latest["started_at"]:
                last_run[version.quiz_id] = run
    quizzes = []
    for row in conn.execute("SELECT * FROM library_quizzes WHERE deleted_at IS NULL "
                            "ORDER BY edited_at DESC, quiz_id DESC"):
        body = json.loads(row["body"])
        questions = body.get("questions")
        run = last_run.get(row["quiz_id"])
        quizzes.append({
            "quiz_id": row["quiz_id"],
            "title": row["title"],
            "questions": len(questions) if isinstance(questions, list) else 0,
            "kinds": kinds_used(body),
            "edited_at": row["edited_at"],
            "draft": row["problems"] != "[]",
            "last_run": None if run is None else {
                "run_id": run["run_id"], "started_at": run["started_at"],
                "students": run["students"]},
        })
    return quizzes

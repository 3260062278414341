"""The durable record: one sqlite3 file (its tables are ``schema.py``'s), what start-up
reads from it, and each write as a function of the connection.

While the server runs, the room's memory is the truth and this file is its
record; at start the room is rebuilt from it. The writes are run by the group
committer (``committer.py``), which is the only way to change the database.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from ..core.record import Opening, Participant, Submission, as_points
from .library import SCHEMA as LIBRARY_SCHEMA
from .paced import SCHEMA as PACED_SCHEMA
from .paced import delete_student as delete_paced_student
from .roster import SCHEMA as ROSTER_SCHEMA
from .roster import keep_run_rosters
from .schema import SCHEMA, SUBMISSION_COLUMNS, add_columns, key_by_asking

log = logging.getLogger(__name__)
T = TypeVar("T")

# 2: answers, openings and presence are kept per asking, and a run keeps its class list.
SCHEMA_VERSION = 2


class StorageError(Exception):
    """A write that was not committed; nothing about it may be acknowledged."""


class NewerDataFile(StorageError):
    """The data file was written by a newer version, whose tables this one may misread
    (an older version writing into them could lose what the newer one kept)."""


class NotADataFile(StorageError):
    """The data file is not one trivia-trio wrote: not sqlite, or a data version no
    version writes. Opened and set up as ours, it would be changed (tables added)."""


@dataclass
class Record:
    """Everything needed to rebuild a room: its session row and the current run."""

    sid: str
    run_id: int
    quiz_json: str
    state: str
    current_question_idx: int | None
    live_answers: bool
    pending_quiz_json: str | None  # the quiz waiting for the next run, if any
    participants: list[Participant] = field(default_factory=list)
    openings: list[Opening] = field(default_factory=list)
    submissions: list[Submission] = field(default_factory=list)
    events: list[tuple[str, str, int]] = field(default_factory=list)  # student_id, kind, ts
    # student_id, question_idx, asking
    present: list[tuple[str, int, int]] = field(default_factory=list)


def connect(path: Path) -> sqlite3.Connection:
    """Open the database with the durability settings we promise, and check they hold."""
    path.parent.mkdir(parents=True, exist_ok=True)
    check_data_version(path)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 5000")
    journal = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    conn.execute("PRAGMA synchronous = FULL")
    if sys.platform == "darwin":
        conn.execute("PRAGMA fullfsync = ON")
    synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
    if journal != "wal" or synchronous != 2:
        raise StorageError(f"{path}: journal_mode={journal}, synchronous={synchronous}; "
                           "need WAL and FULL")
    log.info("database %s: journal_mode=%s synchronous=FULL%s", path, journal,
             " fullfsync=ON" if sys.platform == "darwin" else "")
    conn.executescript(SCHEMA + LIBRARY_SCHEMA + PACED_SCHEMA + ROSTER_SCHEMA)
    add_columns(conn)
    key_by_asking(conn)
    keep_run_rosters(conn)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return conn


def check_data_version(path: Path) -> None:
    """Refuse a file this version must not open (``NewerDataFile``, ``NotADataFile``),
    reading it without changing a byte: through a read-only connection, since the last
    writer's close moves a write-ahead log into the file (one a newer version left when
    it was stopped short). The empty log and index that connection may create beside a
    file in WAL mode are removed again (it writes nothing into them; the folder is
    this server's alone)."""
    if not path.exists():
        return
    beside = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    made = [side for side in beside if not side.exists()]
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            written_by = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
            for side in made:
                side.unlink(missing_ok=True)
    except sqlite3.DatabaseError as exc:
        if exc.sqlite_errorname != "SQLITE_NOTADB":
            raise
        raise NotADataFile(f"{path} is not a trivia-trio data file ({exc}): move it away, "
                           "or choose another folder with --data-dir") from None
    if written_by > SCHEMA_VERSION:
        raise NewerDataFile(
            f"{path} was written by a newer trivia-trio (data version {written_by}, this one "
            f"reads up to {SCHEMA_VERSION}): run the newer trivia_trio.pyz, or choose "
            "another folder with --data-dir")
    if written_by < 0:
        raise NotADataFile(f"{path} is not a trivia-trio data file (data version "
                           f"{written_by}): move it away, or choose another folder with "
                           "--data-dir")


def durability_settings(conn: sqlite3.Connection) -> dict[str, Any]:
    return {
        "journal_mode": conn.execute("PRAGMA journal_mode").fetchone()[0],
        "synchronous": conn.execute("PRAGMA synchronous").fetchone()[0],
        "fullfsync": conn.execute("PRAGMA fullfsync").fetchone()[0],
    }


# ---- reads (start-up and exports only; never on a hot path) ----------------------------
def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else row[0]


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


def delete_meta(conn: sqlite3.Connection, key: str) -> None:
    conn.execute("DELETE FROM meta WHERE key = ?", (key,))


def new_run(conn: sqlite3.Connection, sid: str, quiz_json: str, now: int) -> int:
    """Start a new run of ``sid``; the run it replaces is archived, ended now if it hadn't.

    A quiz waiting for the next run is forgotten: this run is the next one.
    """
    conn.execute(
        "UPDATE runs SET finished_at = ? WHERE finished_at IS NULL AND run_id = "
        "(SELECT run_id FROM sessions WHERE sid = ?)", (now, sid))
    run_id = conn.execute(
        "INSERT INTO runs (sid, quiz_json, started_at) VALUES (?, ?, ?)", (sid, quiz_json, now)
    ).lastrowid
    conn.execute(
        "INSERT INTO sessions (sid, run_id) VALUES (?, ?) ON CONFLICT (sid) DO UPDATE SET "
        "run_id = excluded.run_id, state = 'lobby', current_question_idx = NULL",
        (sid, run_id),
    )
    set_pending_quiz(conn, sid, None)
    assert run_id is not None
    set_meta(conn, presence_key(run_id), "1")
    return run_id


def hidden_entries_key(run_id: int) -> str:
    return f"run:{run_id}:hidden_entries"


def save_hidden_entries(conn: sqlite3.Connection, run_id: int,
                        hidden: dict[int, set[str]]) -> None:
    """The entries the teacher hid from the big screen, per question (``Game.hidden``)."""
    kept = {str(idx): sorted(keys) for idx, keys in sorted(hidden.items()) if keys}
    set_meta(conn, hidden_entries_key(run_id), json.dumps(kept, ensure_ascii=False))


def load_hidden_entries(conn: sqlite3.Connection, run_id: int) -> dict[int, set[str]]:
    stored = get_meta(conn, hidden_entries_key(run_id))
    return {int(idx): set(keys) for idx, keys in json.loads(stored).items()} if stored else {}


def presence_key(run_id: int) -> str:
    """Set for runs whose presence is recorded: one begun before it was has none."""
    return f"run:{run_id}:presence"


def _pending_key(sid: str) -> str:
    return f"pending_quiz:{sid}"


def set_pending_quiz(conn: sqlite3.Connection, sid: str, quiz_json: str | None) -> None:
    """Keep ``quiz_json`` as the quiz of ``sid``'s next run (None: no quiz waits)."""
    if quiz_json is None:
        conn.execute("DELETE FROM meta WHERE key = ?", (_pending_key(sid),))
    else:
        set_meta(conn, _pending_key(sid), quiz_json)


def set_run_quiz(conn: sqlite3.Connection, run_id: int, quiz_json: str) -> None:
    """Give a run another quiz: only ever a run nobody has joined and no question was
    opened in (``run_has_begun`` is False), whose quiz nobody has seen."""
    conn.execute("UPDATE runs SET quiz_json = ? WHERE run_id = ?", (quiz_json, run_id))


def run_has_begun(conn: sqlite3.Connection, run_id: int) -> bool:
    """Whether anyone joined the run or a question was opened: its quiz is then frozen."""
    return conn.execute(
        "SELECT EXISTS (SELECT 1 FROM participants WHERE run_id = ?) "
        "OR EXISTS (SELECT 1 FROM question_events WHERE run_id = ?)", (run_id, run_id)
    ).fetchone()[0] == 1


class Opened(StrEnum):
    """What ``open_session`` did with the quiz it was offered."""

    NEW_SESSION = "new_session"  # a new session, with the offered quiz
    RESUMED = "resumed"  # the run goes on with its own quiz (none or the same was offered)
    REPLACED = "replaced"  # the run had not begun: it takes the offered quiz
    NEW_RUN = "new_run"  # the run had ended: a new run of the offered quiz
    PENDING = "pending"  # a run in progress keeps its quiz; the offered one waits for the next


def open_session(conn: sqlite3.Connection, sid: str, offered: str | None, now: int, *,
                 default: str) -> tuple[Record, Opened]:
    """The session ``sid``, created with ``offered`` (or ``default``) if new.

    A run keeps its quiz once it has begun: a restart after a crash resumes it
    with its own quiz whatever the command line names, and an ended run is never
    given another quiz (its exports stay the same forever). A different quiz
    offered while a run is in progress waits as the quiz of the next run.
    """
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        row = conn.execute(
            "SELECT run_id, quiz_json, state, finished_at FROM sessions JOIN runs "
            "USING (run_id) WHERE sessions.sid = ?", (sid,)).fetchone()
        if row is None:
            new_run(conn, sid, offered or default, now)
            opened = Opened.NEW_SESSION
        elif offered is None or offered == row["quiz_json"]:
            opened = Opened.RESUMED
        elif row["state"] == "finished" or row["finished_at"] is not None:
            new_run(conn, sid, offered, now)
            opened = Opened.NEW_RUN
        elif not run_has_begun(conn, row["run_id"]):
            set_run_quiz(conn, row["run_id"], offered)
            opened = Opened.REPLACED
        else:
            set_pending_quiz(conn, sid, offered)
            opened = Opened.PENDING
    return load_session(conn, sid), opened


def load_session(conn: sqlite3.Connection, sid: str) -> Record:
    session = conn.execute(
        "SELECT s.*, r.quiz_json FROM sessions s JOIN runs r USING (run_id) WHERE s.sid = ?",
        (sid,),
    ).fetchone()
    run_id = session["run_id"]
    record = Record(sid, run_id, session["quiz_json"], session["state"],
                    session["current_question_idx"], bool(session["live_answers"]),
                    get_meta(conn, _pending_key(sid)))
    record.participants = [
        Participant(r["student_id"], r["name"], r["cookie_id"], r["joined_at"])
        for r in conn.execute(
            "SELECT * FROM participants WHERE run_id = ? ORDER BY joined_at, rowid", (run_id,))
    ]
    record.openings = [  # every asking's: Game.restore takes each question's latest
        Opening(r["question_idx"], r["opened_at"], r["time_limit"] or None, r["closed_at"],
                r["asking"], r["first_order"])
        for r in conn.execute("SELECT * FROM question_events WHERE run_id = ?", (run_id,))
    ]
    record.submissions = [
        Submission(r["student_id"], r["question_idx"], r["answer"], r["submitted_at"],
                   r["elapsed_ms"], as_points(r["score"]), bool(r["correct"]),
                   r["status"], r["asking"])
        for r in conn.execute("SELECT * FROM submissions WHERE run_id = ?", (run_id,))
    ]
    record.events = [
        (r["student_id"], r["kind"], r["ts"])
        for r in conn.execute(
            "SELECT student_id, kind, ts FROM student_events WHERE run_id = ? "
            "AND student_id IS NOT NULL ORDER BY id", (run_id,))
    ]
    record.present = [
        (r["student_id"], r["question_idx"], r["asking"])
        for r in conn.execute("SELECT student_id, question_idx, asking FROM presence "
                              "WHERE run_id = ?", (run_id,))
    ]
    return record


# ---- writes (each a function of the connection, run by the group committer) ------------
def _submission_row(run_id: int, s: Submission) -> tuple[Any, ...]:
    return (run_id, s.student_id, s.question_idx, s.answer, s.submitted_at, s.elapsed_ms,
            s.score, int(s.correct), s.status, s.asking)


def insert_submissions(conn: sqlite3.Connection, run_id: int, rows: list[Submission]) -> None:
    """Record new rows; a row already there stays (a repeat, written twice, counts once).

    An answer given when a question is asked again is a row of its own: the earlier
    asking's is never rewritten (``results.counting_submissions`` says which counts)."""
    conn.executemany(f"INSERT INTO submissions ({SUBMISSION_COLUMNS}) VALUES "
                     "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                     [_submission_row(run_id, s) for s in rows])


def save_state(conn: sqlite3.Connection, sid: str, state: str, idx: int | None) -> None:
    conn.execute("UPDATE sessions SET state = ?, current_question_idx = ? WHERE sid = ?",
                 (state, idx, sid))


def save_opening(conn: sqlite3.Connection, run_id: int, o: Opening) -> None:
    """Record an asking's opening, or its close (or its clock moved on after a restart).
    Asking a question again is a row of its own: the earlier asking's opening stays, and
    who missed it then stays recorded too, their missed row of that asking no longer
    counting (``results.counting_submissions``)."""
    conn.execute(
        "INSERT INTO question_events (run_id, question_idx, opened_at, time_limit, "
        "closed_at, asking, first_order) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (run_id, question_idx, asking) DO UPDATE SET "
        "opened_at = excluded.opened_at, time_limit = excluded.time_limit, "
        "closed_at = excluded.closed_at, first_order = excluded.first_order",
        # 0 is "no clock" (a slide without a time limit): the column predates slides.
        (run_id, o.question_idx, o.opened_at, o.time_limit or 0, o.closed_at, o.asking,
         o.order),
    )


def save_participant(conn: sqlite3.Connection, run_id: int, p: Participant) -> None:
    conn.execute(
        "INSERT INTO participants (run_id, student_id, name, cookie_id, joined_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (run_id, p.student_id, p.name, p.cookie_id, p.joined_at),
    )


def save_presence(conn: sqlite3.Connection, run_id: int, question_idx: int, asking: int,
                  student_ids: list[str]) -> None:
    """Note who had a socket open while ``question_idx`` was open at its ``asking``
    (``no_answer`` vs ``not_present`` in the results)."""
    conn.executemany(
        "INSERT OR IGNORE INTO presence (run_id, question_idx, student_id, asking) "
        "VALUES (?, ?, ?, ?)", [(run_id, question_idx, s, asking) for s in student_ids])


def delete_participant(conn: sqlite3.Connection, run_id: int, student_id: str) -> None:
    conn.execute("DELETE FROM presence WHERE run_id = ? AND student_id = ?",
                 (run_id, student_id))
    conn.execute("DELETE FROM submissions WHERE run_id = ? AND student_id = ?",
                 (run_id, student_id))
    conn.execute("DELETE FROM participants WHERE run_id = ? AND student_id = ?",
                 (run_id, student_id))
    delete_paced_student(conn, run_id, student_id)


def save_event(conn: sqlite3.Connection, run_id: int, student_id: str | None,
               question_idx: int | None, kind: str, ts: int,
               detail: dict[str, Any] | None = None) -> None:
    conn.execute(
        "INSERT INTO student_events (run_id, student_id, question_idx, kind, ts, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (run_id, student_id, question_idx, kind, ts, json.dumps(detail) if detail else None),
    )


def save_live_answers(conn: sqlite3.Connection, sid: str, on: bool) -> None:
    conn.execute("UPDATE sessions SET live_answers = ? WHERE sid = ?", (int(on), sid))


def finish_run(conn: sqlite3.Connection, run_id: int, now: int) -> None:
    conn.execute("UPDATE runs SET finished_at = ? WHERE run_id = ?", (now, run_id))

"""The tables of the durable record (``database.py``'s) and how an older data folder's are
brought up to them at start: columns added since, and keys that gained the asking.
"""

from __future__ import annotations

import logging
import sqlite3

log = logging.getLogger(__name__)

# One row per student × question × asking: an answer given when a question was asked
# again is a new row, and the earlier asking's stays (results.counting_submissions says
# which counts).
SUBMISSIONS = """
CREATE TABLE IF NOT EXISTS {table} (
    run_id INTEGER NOT NULL,
    student_id TEXT NOT NULL,
    question_idx INTEGER NOT NULL,
    answer TEXT,
    submitted_at INTEGER,
    elapsed_ms INTEGER,
    score REAL NOT NULL,
    correct INTEGER NOT NULL,
    status TEXT NOT NULL,
    asking INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (run_id, student_id, question_idx, asking)
);
"""
SUBMISSION_COLUMNS = ("run_id, student_id, question_idx, answer, submitted_at, elapsed_ms, "
                      "score, correct, status, asking")
# One row per question × asking: asking a question again records a new opening beside
# the earlier ones (record.latest_openings says which is the question's).
QUESTION_EVENTS = """
CREATE TABLE IF NOT EXISTS {table} (
    run_id INTEGER NOT NULL,
    question_idx INTEGER NOT NULL,
    opened_at INTEGER NOT NULL,
    time_limit INTEGER NOT NULL,
    closed_at INTEGER,
    asking INTEGER NOT NULL DEFAULT 1,
    first_order INTEGER,
    PRIMARY KEY (run_id, question_idx, asking)
);
"""
# Who had a socket open while a question was open, per asking (results.present_at_any_asking
# reads them together). Asking 0: recorded before each asking's presence was kept apart,
# at one or more of the question's askings.
PRESENCE = """
CREATE TABLE IF NOT EXISTS {table} (
    run_id INTEGER NOT NULL,
    question_idx INTEGER NOT NULL,
    student_id TEXT NOT NULL,
    asking INTEGER NOT NULL,
    PRIMARY KEY (run_id, question_idx, asking, student_id)
) WITHOUT ROWID;
"""
# The tables whose key gained the asking (table, its CREATE, its columns): an older data
# folder's are made again under the new key (key_by_asking).
KEYED_BY_ASKING = (
    ("submissions", SUBMISSIONS, SUBMISSION_COLUMNS),
    ("question_events", QUESTION_EVENTS, "run_id, question_idx, opened_at, time_limit, "
                                         "closed_at, asking, first_order"),
    ("presence", PRESENCE, "run_id, question_idx, student_id, asking"),
)
SCHEMA = "".join(create.format(table=table) for table, create, _ in KEYED_BY_ASKING) + """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    sid TEXT PRIMARY KEY,
    run_id INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'lobby',
    current_question_idx INTEGER,
    live_answers INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    sid TEXT NOT NULL,
    quiz_json TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE TABLE IF NOT EXISTS participants (
    run_id INTEGER NOT NULL,
    student_id TEXT NOT NULL,
    name TEXT NOT NULL,
    cookie_id TEXT NOT NULL,
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (run_id, student_id)
);
CREATE TABLE IF NOT EXISTS student_events (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    student_id TEXT,
    question_idx INTEGER,
    kind TEXT NOT NULL,
    ts INTEGER NOT NULL,
    detail TEXT
);
CREATE INDEX IF NOT EXISTS student_events_run ON student_events (run_id, student_id);
"""
# Columns added to a table after it was first made: a data folder from before gets them,
# with their defaults (table, column, declaration).
ADDED_COLUMNS = (
    ("question_events", "asking", "INTEGER NOT NULL DEFAULT 1"),
    ("question_events", "first_order", "INTEGER"),
    ("submissions", "asking", "INTEGER NOT NULL DEFAULT 1"),
    ("presence", "asking", "INTEGER NOT NULL DEFAULT 0"),
    ("paced_turns", "no_speed_penalty", "INTEGER NOT NULL DEFAULT 0"),
    ("classes", "deleted_at", "INTEGER"),
)


def add_columns(conn: sqlite3.Connection) -> None:
    """Give the tables of an older data folder the columns added since (ADDED_COLUMNS)."""
    for table, column, declaration in ADDED_COLUMNS:
        if column not in {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")


def key_by_asking(conn: sqlite3.Connection) -> None:
    """Give the tables of an older data folder the asking in their key (KEYED_BY_ASKING),
    so asking a question again no longer rewrites the earlier asking's answer, opening
    or presence.

    sqlite cannot change a table's key: each is made again under the new key and every
    row copied as it is, all in one transaction (a crash leaves the old tables)."""
    stale = [(table, create, columns) for table, create, columns in KEYED_BY_ASKING
             if "asking" not in {row[1] for row in conn.execute(f"PRAGMA table_info({table})")
                                 if row[5]}]
    if not stale:
        return
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        for table, create, columns in stale:
            conn.execute(create.format(table=f"{table}_by_asking"))
            conn.execute(f"INSERT INTO {table}_by_asking ({columns}) "
                         f"SELECT {columns} FROM {table}")
            conn.execute(f"DROP TABLE {table}")
            conn.execute(f"ALTER TABLE {table}_by_asking RENAME TO {table}")
    log.info("the asking is now part of each row's key: %s",
             ", ".join(table for table, _, _ in stale))

"""Every acknowledged answer survives: kill -9, a full or read-only disk, a lost ack, Ctrl+C.

The crash test runs ``TT_CRASH_CYCLES`` kill/restart cycles (30 by default; set more for a
longer soak) and prints its figures with ``-s``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import signal
import sqlite3
import statistics
import time
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing
from trio_websocket import ConnectionClosed, HandshakeError, connect_websocket_url

from trivia_trio.room.room import Role
from trivia_trio.store import database as db
from trivia_trio.store.committer import Store, open_store
from trivia_trio.web.server import ServerInfo

from .conftest import (
    DISK_REFUSED,
    Peer,
    ServerProcess,
    connect,
    get,
    instructor_cookie,
    join,
    ws_url,
)
from .test_room import drain, room_at

CRASH_CYCLES = int(os.environ.get("TT_CRASH_CYCLES", "30"))
STUDENTS = 50
DROPPED = (ConnectionClosed, HandshakeError, OSError, trio.BrokenResourceError)


def long_quiz(path: Path, questions: int) -> Path:
    path.write_text(json.dumps({
        "title": "Crash test", "time_limit_default": 600,
        # Each cycle kills the server while its question is open, even once all have answered.
        "close_when_all_answered": False,
        "questions": [{"text": f"Question {n}", "options": ["A", "B", "C", "D"], "correct": "B"}
                      for n in range(questions)],
    }))
    return path


def stored_answers(db_path: Path) -> dict[tuple[str, int], tuple[str, int]]:
    """The submitted answers on disk, after checking the file is sound."""
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return {(sid, idx): (answer, elapsed) for sid, idx, answer, elapsed in conn.execute(
            "SELECT student_id, question_idx, answer, elapsed_ms FROM submissions "
            "WHERE status = 'submitted'")}
    finally:
        conn.close()


def assert_all_kept(acked: dict[tuple[str, int], dict[str, Any]], db_path: Path) -> None:
    stored = stored_answers(db_path)
    lost = {key: ack for key, ack in acked.items()
            if stored.get(key) != (ack["answer"], ack["elapsed_ms"])}
    assert lost == {}


async def start_timed(proc: ServerProcess) -> float:
    """Start the server; seconds from launch until /healthz answers 200."""
    began = time.monotonic()
    await trio.to_thread.run_sync(proc.start)
    assert (await get(proc, "/healthz")).status == 200  # type: ignore[arg-type]
    return time.monotonic() - began


# ---- 1: kill -9 while a class answers --------------------------------------------------------
@pytest.mark.slow
async def test_every_acknowledged_answer_survives_repeated_kill_9(tmp_path: Path) -> None:
    assert CRASH_CYCLES < 500, "one question per cycle; a quiz holds at most 500"
    proc = ServerProcess(tmp_path / "data", long_quiz(tmp_path / "q.json", CRASH_CYCLES + 1))
    rng = random.Random(int(os.environ.get("TT_CRASH_SEED", "9")))
    acked: dict[tuple[str, int], dict[str, Any]] = {}
    restarts: list[float] = [await start_timed(proc)]
    cookies = {f"s{n:02}": await join(proc, f"s{n:02}", f"Student {n}")  # type: ignore[arg-type]
               for n in range(STUDENTS)}
    teacher = await instructor_cookie(proc)  # type: ignore[arg-type]
    rejoined = 0
    try:
        for cycle in range(CRASH_CYCLES):
            if cycle:
                restarts.append(await start_timed(proc))
            kill_after = rng.randint(1, STUDENTS)
            ready, acks_now = [0], [0]
            all_ready, enough = trio.Event(), trio.Event()

            async def student(sid: str, cookie: str, cycle: int = cycle,
                              all_ready: trio.Event = all_ready, enough: trio.Event = enough,
                              ready: list[int] = ready, acks_now: list[int] = acks_now,
                              kill_after: int = kill_after) -> None:
                nonlocal rejoined
                try:
                    async with connect(proc, "/ws/student", cookie) as peer:  # type: ignore
                        if cycle:
                            # The same cookie, a new process: the open question and our ack.
                            assert (await peer.next())["state"] == "question_open"
                            assert (await peer.next())["question_idx"] == cycle - 1
                            await peer.send({"type": "ping"})
                            before = []  # what the snapshot held before our pong
                            while (message := await peer.next())["type"] != "pong":
                                before.append(message)
                            acks = [m for m in before if m["type"] == "submit_ack"]
                            if (sid, cycle - 1) in acked:
                                assert acks == [acked[sid, cycle - 1]]
                            elif acks:  # committed, but the ack died with the process
                                acked[sid, cycle - 1] = acks[0]
                            rejoined += 1
                        ready[0] += 1
                        if ready[0] == STUDENTS:
                            all_ready.set()
                        await peer.until("question_open", question_idx=cycle)
                        answer = rng.choice("ABCD")
                        ack = await peer.request({"type": "submit", "question_idx": cycle,
                                                  "answer": answer}, "submit_ack")
                        assert ack["answer"] == answer
                        acked[sid, cycle] = ack
                        acks_now[0] += 1
                        if acks_now[0] >= kill_after:
                            enough.set()
                        await peer.until("never")
                except DROPPED:
                    pass

            with trio.fail_after(30):
                async with trio.open_nursery() as nursery:
                    for sid, cookie in cookies.items():
                        nursery.start_soon(student, sid, cookie)
                    await all_ready.wait()
                    async with connect(proc, "/ws/instructor", teacher) as instructor:  # type: ignore
                        await instructor.send({"type": "open_question", "question_idx": cycle})
                        await enough.wait()
                        proc.process.kill()  # type: ignore[union-attr]
                        await trio.to_thread.run_sync(proc.process.wait)  # type: ignore
                    nursery.cancel_scope.cancel()
            assert_all_kept(acked, proc.data_dir / "trivia_trio.sqlite3")
        restarts.append(await start_timed(proc))
        assert_all_kept(acked, proc.data_dir / "trivia_trio.sqlite3")
    finally:
        if proc.process and proc.process.poll() is None:
            proc.stop()
    print(f"\ncrash: {CRASH_CYCLES} kill -9 cycles, {len(acked)} acknowledged answers all kept; "
          f"{rejoined} rejoins with old cookies; start to /healthz 200: "
          f"median {statistics.median(restarts):.2f} s, max {max(restarts):.2f} s")
    assert len(acked) >= CRASH_CYCLES
    assert rejoined == STUDENTS * (CRASH_CYCLES - 1)


# ---- 2: the settings in force ------------------------------------------------------------------
def test_the_database_opens_in_wal_with_full_sync_and_says_so(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="trivia_trio.store.database")
    conn = db.connect(tmp_path / "t.sqlite3")
    try:
        settings = db.durability_settings(conn)
        assert settings["journal_mode"] == "wal" and settings["synchronous"] == 2
        if os.uname().sysname == "Darwin":
            assert settings["fullfsync"] == 1
    finally:
        conn.close()
    assert any("journal_mode=wal synchronous=FULL" in r.getMessage() for r in caplog.records)


class _IgnoresSynchronous(sqlite3.Connection):
    """A connection on which ``synchronous = FULL`` silently does not take."""

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        return super().execute(sql.replace("synchronous = FULL", "synchronous = NORMAL"), *args)


def test_the_database_refuses_to_open_without_the_durability_it_promises(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(db.StorageError, match="WAL and FULL"):
        db.connect(Path(":memory:"))  # journal_mode stays "memory"
    monkeypatch.setattr(db.sqlite3, "connect",
                        partial(sqlite3.connect, factory=_IgnoresSynchronous))
    with pytest.raises(db.StorageError, match="synchronous=1"):
        db.connect(tmp_path / "weak.sqlite3")


async def test_the_running_server_uses_those_settings(
        server: ServerInfo, caplog: pytest.LogCaptureFixture) -> None:
    settings = await server.room.store.read(db.durability_settings)
    assert (settings["journal_mode"], settings["synchronous"]) == ("wal", 2)


# ---- 3: a full or read-only disk -------------------------------------------------------------
def fill_disk(conn: sqlite3.Connection, run_id: int, student_id: str, idx: int) -> None:
    """Make the database "full" (max_page_count), packed so that even the row for
    (student_id, idx) no longer fits. Runs while nothing else uses the connection."""
    row = ("INSERT INTO submissions (run_id, student_id, question_idx, answer, submitted_at, "
           "elapsed_ms, score, correct, status) VALUES (?, ?, ?, 'B', 1, 1, 1.0, 1, 'submitted')")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")

    def fits(question: int) -> bool:
        conn.execute("BEGIN")
        try:
            conn.execute(row, (run_id, student_id, question))
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")

    for filler in range(1, 100_000):
        if not fits(idx):
            return
        for question in (idx + 10_000 + filler, idx - 10_000 - filler):
            with contextlib.suppress(sqlite3.OperationalError):
                conn.execute(row, (run_id, student_id, question))
    raise AssertionError("could not fill the database")


def heal_disk(conn: sqlite3.Connection, run_id: int, student_id: str, idx: int) -> None:
    conn.execute("PRAGMA max_page_count = 1073741823")
    conn.execute("DELETE FROM submissions WHERE run_id = ? AND student_id = ? AND "
                 "abs(question_idx - ?) > 9999", (run_id, student_id, idx))


@DISK_REFUSED
@pytest.mark.parametrize("trouble", ["disk_full", "read_only"])
async def test_a_failing_disk_means_no_ack_a_warning_and_recovery(
        server: ServerInfo, settings: Any, trouble: str) -> None:
    room, conn = server.room, server.room.store.conn
    cookie = await join(server, "s1", "Ann")
    async with connect(server, "/ws/instructor", await instructor_cookie(server)) as teacher, \
            connect(server, "/ws/student", cookie) as student:
        await teacher.send({"type": "next"})
        await student.until("question_open", question_idx=0)
        if trouble == "disk_full":
            fill_disk(conn, room.run_id, "s1", 0)
        else:
            conn.execute("PRAGMA query_only = 1")
        for answer in ("B", "C"):
            await student.send({"type": "submit", "question_idx": 0, "answer": answer})
            error = await student.next()
            assert error["type"] == "error" and error["code"] == "storage", error
        warning = await teacher.until("warning")
        assert warning["code"] == "storage" and "saved" in warning["message"]
        assert room.game.submission("s1", 0) is None
        assert ("s1", 0) not in stored_answers(settings.db_path)
        assert (await get(server, "/healthz")).status == 200  # still serving
        assert (await student.request({"type": "ping"}, "pong")) == {"type": "pong"}
        if trouble == "disk_full":
            heal_disk(conn, room.run_id, "s1", 0)
        else:
            conn.execute("PRAGMA query_only = 0")
        ack = await student.request({"type": "submit", "question_idx": 0, "answer": "C"},
                                    "submit_ack")
        assert ack["answer"] == "C"
        assert (await teacher.until("warning"))["code"] == "storage_ok"
    assert stored_answers(settings.db_path)[("s1", 0)] == ("C", ack["elapsed_ms"])
    assert [s["answer"] for s in (await get(server, "/api/me", cookie)).json()["submissions"]] \
        == ["C"]


# ---- 4: the ack that never arrived -----------------------------------------------------------
async def test_a_resend_after_a_lost_ack_gets_the_same_ack_and_one_row(
        server: ServerInfo, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    store = server.room.store
    committed, dropped = trio.Event(), trio.Event()
    write, insert = store.write, db.insert_submissions
    inserted: list[Any] = []

    def insert_and_note(conn: Any, run_id: int, rows: list[Any]) -> None:
        inserted.extend(rows)
        insert(conn, run_id, rows)

    monkeypatch.setattr(db, "insert_submissions", insert_and_note)

    async def write_then_stall(apply: Any) -> Any:
        result = await write(apply)
        if inserted and not committed.is_set():
            committed.set()
            await dropped.wait()  # the socket dies here: committed, not yet acknowledged
        return result

    store.write = write_then_stall  # type: ignore[method-assign]
    cookie = await join(server, "s1", "Ann")
    async with connect(server, "/ws/instructor", await instructor_cookie(server)) as teacher:
        await teacher.send({"type": "next"})
        async with trio.open_nursery() as nursery:
            student = Peer(await connect_websocket_url(
                nursery, ws_url(server, "/ws/student"), extra_headers=[("Cookie", cookie)]))
            await student.until("question_open")
            await student.send({"type": "submit", "question_idx": 0, "answer": "D"})
            with trio.fail_after(5):
                await committed.wait()
                await student.ws.aclose()
            dropped.set()
        assert not any(m["type"] == "submit_ack" for m in student.seen)
        async with connect(server, "/ws/student", cookie) as again:
            kinds = [(await again.next())["type"] for _ in range(3)]
            assert kinds == ["state", "question_open", "submit_ack"]
            first = again.seen[2]
            for answer in ("D", "A"):
                resent = await again.request({"type": "submit", "question_idx": 0,
                                               "answer": answer}, "submit_ack")
                assert resent == first
    conn = sqlite3.connect(settings.db_path)
    try:
        rows = conn.execute("SELECT answer FROM submissions WHERE student_id = 's1'").fetchall()
    finally:
        conn.close()
    assert rows == [("D",)]


# ---- 6: Ctrl+C with a full room --------------------------------------------------------------
@pytest.mark.slow
async def test_ctrl_c_with_300_open_sockets_stops_within_5_s_and_keeps_every_ack(
        server_process: ServerProcess) -> None:
    proc = server_process
    cookies = [await join(proc, f"s{n:02}", f"Student {n}")  # type: ignore[arg-type]
               for n in range(50)]
    acked: dict[tuple[str, int], dict[str, Any]] = {}
    async with trio.open_nursery() as nursery:
        async def open_(path: str, cookie: str | None = None) -> Peer:
            extra = [("Cookie", cookie)] if cookie else []
            return Peer(await connect_websocket_url(nursery, ws_url(proc, path),  # type: ignore
                                                    extra_headers=extra,
                                                    message_queue_size=1000))

        teacher = await open_("/ws/instructor", await instructor_cookie(proc))  # type: ignore
        students = {sid: [await open_("/ws/student", c) for _ in range(4)]
                    for sid, c in zip([f"s{n:02}" for n in range(50)], cookies, strict=True)}
        projectors = [await open_("/ws/projector") for _ in range(99)]
        assert 1 + 4 * 50 + len(projectors) == 300
        await teacher.send({"type": "next"})
        half = trio.Event()

        async def answer(sid: str, peer: Peer) -> None:
            try:
                await peer.until("question_open", question_idx=0)
                acked[sid, 0] = await peer.request(
                    {"type": "submit", "question_idx": 0, "answer": "B"}, "submit_ack")
                if len(acked) >= 25:
                    half.set()
            except DROPPED:
                pass

        with trio.fail_after(20):
            async with trio.open_nursery() as answering:
                for sid, peers in students.items():
                    answering.start_soon(answer, sid, peers[0])
                await half.wait()
                began = time.monotonic()
                code = await trio.to_thread.run_sync(proc.stop, signal.SIGINT)
                took = time.monotonic() - began
        nursery.cancel_scope.cancel()
    print(f"\nshutdown with 300 sockets: exit {code} in {took:.2f} s; {len(acked)} acks kept")
    assert code == 0 and took < 5.0
    assert_all_kept(acked, proc.data_dir / "trivia_trio.sqlite3")
    assert len(projectors) == 99


@DISK_REFUSED
async def test_a_close_the_disk_refused_is_written_once_the_disk_is_back(
        server: ServerInfo, settings: Any) -> None:
    conn = server.room.store.conn
    await join(server, "s1", "Ann")
    async with connect(server, "/ws/instructor", await instructor_cookie(server)) as teacher:
        await teacher.send({"type": "next"})
        await teacher.until("question_open", question_idx=0)
        conn.execute("PRAGMA query_only = 1")
        await teacher.send({"type": "close_question"})
        assert (await teacher.until("warning"))["code"] == "storage"
        await teacher.until("question_closed")  # the class goes on from memory
        conn.execute("PRAGMA query_only = 0")
        await teacher.send({"type": "show_leaderboard"})  # the next change writes both
        assert (await teacher.until("warning"))["code"] == "storage_ok"
        await teacher.until("between_questions")
    with sqlite3.connect(settings.db_path) as db:
        closed_at = db.execute("SELECT closed_at FROM question_events").fetchone()[0]
        missed = db.execute("SELECT status FROM submissions WHERE student_id = 's1'").fetchall()
        state = db.execute("SELECT state FROM sessions").fetchone()[0]
    assert closed_at == server.room.game.openings[0].closed_at
    assert missed == [("missed",)]
    assert state == "between_questions"


async def test_a_failing_write_is_undone_alone_in_a_group_and_on_its_own(
        tmp_path: Path) -> None:
    def insert(value: str, *, fail: bool = False) -> Any:
        def apply(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT INTO notes VALUES (?)", (value,))
            if fail:
                raise sqlite3.IntegrityError(f"{value} refused")
        return apply

    async def write_or_error(store: Store, apply: Any, errors: list[str]) -> None:
        try:
            await store.write(apply)
        except db.StorageError as exc:
            errors.append(str(exc))

    async with open_store(tmp_path / "notes.db") as store:
        await store.write(lambda conn: conn.execute("CREATE TABLE notes (value TEXT)"))
        errors: list[str] = []
        commits = store.commits
        async with trio.open_nursery() as nursery:  # queued together: one group
            for apply in (insert("a"), insert("b", fail=True), insert("c")):
                nursery.start_soon(write_or_error, store, apply, errors)
        assert store.commits == commits + 1
        await write_or_error(store, insert("d", fail=True), errors)  # a group of one
        await store.write(insert("e"))
        assert errors == ["b refused", "d refused"]
    conn = sqlite3.connect(tmp_path / "notes.db")
    assert sorted(row[0] for row in conn.execute("SELECT value FROM notes")) == ["a", "c", "e"]
    conn.close()


@pytest.mark.server_log_allows(r"commit of 1 writes failed: a transaction was left open")
async def test_a_transaction_left_open_fails_the_writes_instead_of_hiding_them(
        tmp_path: Path) -> None:
    """A savepoint inside an open transaction commits nothing on release: the writes
    must fail (no ack) rather than be reported saved, and the next ones commit."""
    async with open_store(tmp_path / "notes.db") as store:
        await store.write(lambda conn: conn.execute("CREATE TABLE notes (value TEXT)"))
        store.conn.execute("BEGIN")  # left open by mistake
        with pytest.raises(db.StorageError, match="left open"):
            await store.write(lambda conn: conn.execute("INSERT INTO notes VALUES ('lost')"))
        await store.write(lambda conn: conn.execute("INSERT INTO notes VALUES ('kept')"))
    conn = sqlite3.connect(tmp_path / "notes.db")
    assert [row[0] for row in conn.execute("SELECT value FROM notes")] == ["kept"]
    conn.close()


# ---- a caller gone while its write commits ---------------------------------------------------
@DISK_REFUSED
async def test_a_phone_gone_while_the_disk_refuses_its_answer_is_not_acked_from_memory(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    """A phone that drops cancels its handler while its answer commits: the disk's refusal
    then went unseen, the answer stayed in memory, and sent again it was acknowledged
    with nothing on disk."""
    async with room_at(tmp_path) as room:
        await room.join("s1", "Ann")
        async with room.connect(Role.STUDENT, "s1") as ann:
            await room.advance()
            room.store.conn.execute("PRAGMA query_only = 1")  # the disk refuses
            answer = json.dumps({"type": "submit", "question_idx": 0, "answer": "B"})
            with trio.CancelScope() as gone:
                gone.cancel()  # the phone is gone: the handler is cancelled at its first wait
                await room.handle(ann, answer)
            await trio.testing.wait_all_tasks_blocked()  # the refusal has come back
            room.store.conn.execute("PRAGMA query_only = 0")
            drain(ann)
            await room.handle(ann, answer)  # sent again once the phone is back
            assert [m["type"] for m in drain(ann) if m["type"] in ("submit_ack", "error")] \
                == ["submit_ack"]
            saved = room.store.conn.execute(
                "SELECT answer FROM submissions WHERE student_id = 's1'").fetchall()
            assert [tuple(row) for row in saved] == [("B",)]  # acknowledged, so on disk


@DISK_REFUSED
async def test_changes_the_disk_refused_are_kept_when_the_write_repeating_them_is_cut_short(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    """The next write repeats what the disk refused; if that one's caller was cancelled
    while it committed and the disk refused again, the repeated changes were dropped."""
    async with room_at(tmp_path) as room:
        conn = room.store.conn
        conn.execute("PRAGMA query_only = 1")
        await room.saver.persist(partial(db.set_meta, key="kept", value="1"))  # refused
        with trio.CancelScope() as gone:
            gone.cancel()
            await room.saver.persist(partial(db.set_meta, key="other", value="2"))
        await trio.testing.wait_all_tasks_blocked()
        conn.execute("PRAGMA query_only = 0")
        await room.saver.save(lambda conn: None)  # the disk is back: what waits goes in
        assert (db.get_meta(conn, "kept"), db.get_meta(conn, "other")) == ("1", "2")

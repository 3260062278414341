"""A run keeps its quiz once it has begun: restarts with no file, another file or an edited
one resume it unchanged, ended runs and their exports never change, and exports agree with
the scores students were shown."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import trio

from trivia_trio.config import Settings
from trivia_trio.tools.http_client import request
from trivia_trio.web.server import ServerInfo, serve

from .conftest import (
    THREE_QUESTIONS,
    ServerProcess,
    connect,
    get,
    instructor_cookie,
    join,
    make_settings,
)

EXPORTS = ("/api/instructor/export.csv", "/api/instructor/gradebook.csv",
           "/api/instructor/export.json")
SHORTER = {**THREE_QUESTIONS, "title": "Edited and shorter",
           "questions": [{**THREE_QUESTIONS["questions"][0], "correct": "C"}]}  # type: ignore


def write_quiz(path: Path, quiz: dict[str, Any]) -> Path:
    path.write_text(json.dumps(quiz))
    return path


@asynccontextmanager
async def started(settings: Settings) -> AsyncIterator[ServerInfo]:
    async with trio.open_nursery() as nursery:
        yield await nursery.start(lambda task_status: serve(settings, task_status=task_status))
        nursery.cancel_scope.cancel()


async def downloads(server: ServerInfo, run_id: int) -> dict[str, bytes]:
    teacher = await instructor_cookie(server)
    return {path: (await get(server, f"{path}?run={run_id}", teacher)).body
            for path in EXPORTS}


async def class_answers(server: ServerInfo, answers: dict[str, list[str]]) -> dict[str, float]:
    """Students answer every question, the instructor ends: the totals each was shown."""
    cookies = {sid: await join(server, sid, f"Student {sid}") for sid in answers}
    shown: dict[str, float] = {}
    async with connect(server, "/ws/instructor", await instructor_cookie(server)) as teacher, \
            AsyncExitStack() as stack:
        phones = {sid: await stack.enter_async_context(connect(server, "/ws/student", cookie))
                  for sid, cookie in cookies.items()}
        for idx in range(len(next(iter(answers.values())))):
            if idx:  # Next first reveals the open question; the following Next moves on
                await teacher.send({"type": "next"})
            await teacher.send({"type": "next"})
            for sid, phone in phones.items():
                await phone.until("question_open", question_idx=idx)
                await phone.request({"type": "submit", "question_idx": idx,
                                     "answer": answers[sid][idx]}, "submit_ack")
        await teacher.send({"type": "end_session"})
        for sid, phone in phones.items():
            shown[sid] = (await phone.until("session_ended"))["your_total"]
    return shown


def gradebook_totals(body: bytes) -> dict[str, float]:
    rows = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
    return {row["student_id"]: float(row["total_score"]) for row in rows}


async def test_the_same_command_after_a_crash_resumes_the_loaded_quiz_not_the_demo(
        tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", None)  # no file: the demo
    async with started(settings) as server:
        teacher = await instructor_cookie(server)
        response = await request("POST", server.url + "/api/instructor/quiz",
                                 body=json.dumps(THREE_QUESTIONS).encode(),
                                 headers={"Cookie": teacher, "X-Filename": "three.json"})
        assert response.json()["pending"] is False
        cookie = await join(server, "s1", "Ann")
        async with connect(server, "/ws/instructor", teacher) as dashboard, \
                connect(server, "/ws/student", cookie) as phone:
            await dashboard.send({"type": "next"})
            await phone.until("question_open", question_idx=0)
            ack = await phone.request({"type": "submit", "question_idx": 0, "answer": "B"},
                                      "submit_ack")
        before = await downloads(server, server.room.run_id)
    async with started(settings) as server:  # the README's same command
        assert server.room.game.quiz.title == "Three questions"
        assert server.room.pending is None
        async with connect(server, "/ws/instructor", teacher) as dashboard, \
                connect(server, "/ws/student", cookie) as phone:
            await phone.until("question_open", question_idx=0)
            assert await phone.next() == ack
            await dashboard.send({"type": "close_question"})
            reveal = await phone.until("question_closed")
        assert (reveal["your_answer"], reveal["correct"]) == ("B", "B")
        assert reveal["your_score"] == ack["score"] > 0
        after = await downloads(server, server.room.run_id)
    assert after["/api/instructor/gradebook.csv"].splitlines()[0] == \
        before["/api/instructor/gradebook.csv"].splitlines()[0]


@pytest.mark.slow
async def test_another_file_while_a_run_is_in_progress_resumes_it_and_waits_for_reset(
        tmp_path: Path) -> None:
    proc = ServerProcess(tmp_path / "data", write_quiz(tmp_path / "monday.json", THREE_QUESTIONS))
    await trio.to_thread.run_sync(proc.start)
    cookie = await join(proc, "s1", "Ann")  # type: ignore[arg-type]
    teacher = await instructor_cookie(proc)  # type: ignore[arg-type]
    async with connect(proc, "/ws/instructor", teacher) as dashboard, \
            connect(proc, "/ws/student", cookie) as phone:  # type: ignore[arg-type]
        await dashboard.send({"type": "next"})
        await phone.until("question_open", question_idx=0)
        ack = await phone.request({"type": "submit", "question_idx": 0, "answer": "B"},
                                  "submit_ack")
    await trio.to_thread.run_sync(proc.stop)
    proc.quiz = write_quiz(tmp_path / "tuesday.json", SHORTER)
    banner_from = len(proc.output)
    await trio.to_thread.run_sync(proc.start)
    banner = "".join(proc.output[banner_from:])
    assert "Three questions (3 questions)" in banner
    resuming = [line for line in banner.splitlines() if "Resuming" in line]
    assert len(resuming) == 1 and str(proc.quiz) in resuming[0], banner
    assert "Edited and shorter" in resuming[0]
    async with connect(proc, "/ws/instructor", teacher) as dashboard:  # type: ignore[arg-type]
        assert (await dashboard.until("state"))["title"] == "Three questions"
        warning = await dashboard.until("warning", code="quiz_pending")
        assert warning["title"] == "Edited and shorter"
        gradebook = await get(proc, "/api/instructor/gradebook.csv", teacher)  # type: ignore
        assert gradebook_totals(gradebook.body) == {"s1": ack["score"]}
        await dashboard.send({"type": "reset"})
        assert (await dashboard.until("state", state="lobby"))["title"] == "Edited and shorter"
    proc.stop()


async def test_ended_runs_and_every_export_of_them_never_change_and_match_what_was_shown(
        tmp_path: Path) -> None:
    monday = write_quiz(tmp_path / "monday.json", THREE_QUESTIONS)
    data = tmp_path / "data"
    async with started(make_settings(data, monday)) as server:
        shown = await class_answers(server, {"s1": ["B", "A", "B"], "s2": ["B", "B", "A"]})
        run_id = server.room.run_id
        kept = await downloads(server, run_id)
    assert gradebook_totals(kept["/api/instructor/gradebook.csv"]) == shown
    restarts = [make_settings(data, write_quiz(tmp_path / "tuesday.json", SHORTER)),
                make_settings(data, None),
                make_settings(data, write_quiz(monday, SHORTER))]
    for settings in restarts:
        async with started(settings) as server:
            assert server.room.run_id > run_id  # Tuesday's file started a run of its own
            assert await downloads(server, run_id) == kept

"""The whole quiz over a real Hypercorn server, real websockets and a real sqlite file."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
import trio
from trio_websocket import ConnectionClosed

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
    post,
)


async def test_a_full_three_question_quiz_as_every_client_sees_it(server: ServerInfo) -> None:
    teacher = await instructor_cookie(server)
    cookies = {sid: await join(server, sid, name)
               for sid, name in [("s1", "Ann"), ("s2", "Bob"), ("s3", "Cy")]}
    async with connect(server, "/ws/instructor", teacher) as instructor, \
            connect(server, "/ws/projector") as projector, \
            connect(server, "/ws/student", cookies["s1"]) as ann, \
            connect(server, "/ws/student", cookies["s2"]) as bob, \
            connect(server, "/ws/student", cookies["s3"]) as cy:
        students = {"s1": ann, "s2": bob, "s3": cy}
        for peer in (instructor, projector, *students.values()):
            first = await peer.next()
            assert first == {"type": "state", "state": "lobby", "current_question_idx": None,
                             "title": "Three questions"}
        assert (await ann.until("lobby_count"))["count"] == 3
        info = await instructor.until("room_info")
        assert [q["correct"] for q in info["questions"]] == ["B", "A", "B"]
        lobby = await instructor.until("lobby_update")
        assert lobby["count"] == 3
        assert (await projector.until("projector_state"))["participant_count"] == 3

        # Answers: Ann always right, Bob always wrong, Cy never answers.
        plan = {"s1": ["B", "A", "B"], "s2": ["C", "B", "A"]}
        for idx in range(3):
            await instructor.send({"type": "next"})
            for peer in students.values():
                opened = await peer.until("question_open")
                assert opened["question_idx"] == idx
                assert "correct" not in opened
                assert opened["total_questions"] == 3
                assert 0 < opened["remaining_ms"] <= opened["time_limit"] * 1000
            for student_id, answers in plan.items():
                ack = await students[student_id].request(
                    {"type": "submit", "question_idx": idx, "answer": answers[idx]}, "submit_ack")
                assert ack["answer"] == answers[idx]
                assert ack["score"] == (0 if student_id == "s2" else ack["score"])
            live = await instructor.until("live_histogram", question_idx=idx, submitted_count=2)
            assert live["histogram"]["pending"] == 1
            during = await projector.until("projector_state", state="question_open")
            assert "counts" not in during["live_histogram"]
            await instructor.send({"type": "close_question"})
            for student_id, peer in students.items():
                closed = await peer.until("question_closed")
                assert closed["correct"] == THREE_QUESTIONS["questions"][idx]["correct"]
                assert closed["histogram"]["missed"] == 1
                assert closed["your_answer"] == (plan[student_id][idx]
                                                 if student_id in plan else None)
                assert [row.get("is_you", False) for row in closed["top5"]].count(True) == 1
                assert all("student_id" not in row for row in closed["top5"])
            assert closed["your_rank"] == 3 or closed["your_total"] == 0
            reveal = await projector.until("projector_state", state="question_closed")
            assert reveal["reveal"]["correct"] == THREE_QUESTIONS["questions"][idx]["correct"]
            assert sum(reveal["live_histogram"]["counts"].values()) == 3
            # Even bins of 5 s: six for a 30 s question, four for a 20 s one.
            limit = reveal["question"]["time_limit"]
            assert len(reveal["response_time_distribution"]["buckets"]) == limit // 5
            await instructor.until_tables(
                lambda dash: dash.scores["s1"]["score"] > 0
                and dash.leaderboard()[0]["student_id"] == "s1")
        await instructor.send({"type": "next"})  # past the last question
        ended = {sid: await peer.until("session_ended") for sid, peer in students.items()}
        assert ended["s1"]["questions_answered"] == 3 and ended["s1"]["questions_correct"] == 3
        assert ended["s1"]["your_rank"] == 1
        assert ended["s2"]["questions_answered"] == 3 and ended["s2"]["questions_correct"] == 0
        assert ended["s3"]["questions_answered"] == 0 and ended["s3"]["your_total"] == 0
        assert ended["s2"]["your_total"] == 0 and ended["s2"]["your_rank"] == 2
        assert (await instructor.until("session_ended"))["final_top5"][0]["name"] == "Ann"
        final = await projector.until("projector_state", state="finished")
        assert [row["name"] for row in final["leaderboard"]] == ["Ann", "Bob", "Cy"]
        assert all(sid not in json.dumps(m) for m in projector.seen for sid in students)
    me = await get(server, "/api/me", cookies["s1"])
    assert [s["status"] for s in me.json()["submissions"]] == ["submitted"] * 3
    assert me.json()["total_score"] == sum(s["score"] for s in me.json()["submissions"])


async def test_next_opens_closes_onto_the_reveal_and_ends_after_the_last_reveal(
        server: ServerInfo) -> None:
    async with connect(server, "/ws/instructor", await instructor_cookie(server)) as teacher:
        for idx in range(3):
            await teacher.send({"type": "next"})
            assert (await teacher.until("question_open"))["question_idx"] == idx
            await teacher.send({"type": "next"})
            await teacher.until("state", state="question_closed")  # the reveal stays
            assert (await teacher.until("question_closed"))["question_idx"] == idx
        await teacher.send({"type": "show_leaderboard"})
        between = await teacher.until("between_questions")
        assert between["next_idx"] is None  # nothing after the last question
        await teacher.send({"type": "show_leaderboard"})
        error = await teacher.until("error")  # only right after a close
        assert error["code"] == "not_open"
        await teacher.send({"type": "next"})
        await teacher.until("state", state="finished")
        assert (await teacher.until("session_ended"))["final_top5"] == []


async def test_after_the_end_a_new_student_id_is_refused_and_a_joined_one_keeps_access(
        server: ServerInfo) -> None:
    ann = await join(server, "s1", "Ann")
    async with connect(server, "/ws/instructor", await instructor_cookie(server)) as teacher:
        await teacher.send({"type": "end_session"})
        await teacher.until("session_ended")
    late = await post(server, "/api/join", {"student_id": "s9", "name": "Late"})
    assert late.status == 409
    assert late.json()["code"] == "quiz_finished"
    me = await get(server, "/api/me", ann)
    assert me.status == 200 and me.json()["name"] == "Ann"
    again = await request("POST", server.url + "/api/join",
                          json={"student_id": "s1", "name": "Ann"}, headers={"Cookie": ann})
    assert again.status == 200
    async with connect(server, "/ws/instructor", await instructor_cookie(server)) as teacher:
        lobby = await teacher.until("lobby_update")
        assert [p["student_id"] for p in lobby["participants"]] == ["s1"]


async def test_opening_a_question_that_does_not_exist_is_a_bad_question_error(
        server: ServerInfo) -> None:
    async with connect(server, "/ws/instructor", await instructor_cookie(server)) as teacher:
        for idx in (3, -1, "1", None):
            error = await teacher.request({"type": "open_question", "question_idx": idx}, "error")
            assert error["code"] == "bad_question"
        await teacher.send({"type": "open_question", "question_idx": 2, "time_limit": 12})
        opened = await teacher.until("question_open")
        assert (opened["question_idx"], opened["time_limit"]) == (2, 12)


async def test_submit_is_checked_scored_idempotent_and_acked_only_once_committed(
        server: ServerInfo, settings) -> None:
    cookie = await join(server, "s1", "Ann")
    async with connect(server, "/ws/instructor", await instructor_cookie(server)) as teacher, \
            connect(server, "/ws/student", cookie) as student:
        error = await student.request({"type": "submit", "question_idx": 0, "answer": "B"},
                                      "error")
        assert error["code"] == "not_open"
        await teacher.send({"type": "next"})
        await student.until("question_open")
        bad = [({"question_idx": 7, "answer": "A"}, "bad_question"),
               ({"question_idx": "0", "answer": "A"}, "bad_question"),
               ({"question_idx": 0, "answer": "E"}, "bad_answer"),
               ({"question_idx": 0, "answer": "b"}, "bad_answer"),
               ({"question_idx": 1, "answer": "A"}, "not_open")]
        for fields, code in bad:
            assert (await student.request({"type": "submit", **fields}, "error"))["code"] == code
        ack = await student.request({"type": "submit", "question_idx": 0, "answer": "B"},
                                    "submit_ack")
        with sqlite3.connect(settings.db_path) as db:
            row = db.execute("SELECT answer, score FROM submissions WHERE student_id = 's1' "
                             "AND question_idx = 0").fetchone()
        assert row == ("B", ack["score"])
        assert 0.5 <= ack["score"] <= 1 and round(ack["score"] * 20, 6).is_integer()
        again = await student.request({"type": "submit", "question_idx": 0, "answer": "C"},
                                      "submit_ack")
        assert again == ack
        await teacher.send({"type": "next"})  # closes Q0: its reveal
        await teacher.send({"type": "next"})  # opens Q1 (two options)
        await student.until("question_open", question_idx=1)
        error = await student.request({"type": "submit", "question_idx": 1, "answer": "C"},
                                      "error")
        assert error["code"] == "bad_answer"  # C is beyond this question's two options
        late = await student.request({"type": "submit", "question_idx": 0, "answer": "B"},
                                     "submit_ack")
        assert late == ack  # a resend after the close still gets the first ack


async def test_a_second_claim_on_an_id_is_refused_and_shown_to_the_instructor(
        server: ServerInfo) -> None:
    teacher = await instructor_cookie(server)
    owner = await join(server, "s1", "Ann")
    taken = await post(server, "/api/join", {"student_id": "s1", "name": "Mallory"})
    assert taken.status == 409 and taken.json()["code"] == "duplicate_student_id"
    again = await post(server, "/api/join", {"student_id": "s1", "name": "Ann"}, owner)
    assert again.status == 200  # the holder joining again with its own cookie
    for bad in ({"student_id": " ", "name": "x"}, {"student_id": "a" * 65, "name": "x"},
                {"student_id": "ok", "name": "bell\x07"}, {"name": "x"}, []):
        response = await post(server, "/api/join", bad)
        assert response.status == 400 and response.json()["code"] == "bad_join"
    await post(server, "/api/join", {"student_id": "s1", "name": "Mallory"})
    async with connect(server, "/ws/instructor", teacher) as instructor:
        await instructor.until("presence_update")
        assert instructor.presence["s1"]["duplicate_join_attempts"]["count"] == 2
        assert instructor.orphans == []
        # An id nobody holds yet cannot be "taken", but a clear frees and orphans the attempts.
        cleared = await post(server, "/api/instructor/clear", {"student_id": "s1"}, teacher)
        assert cleared.json() == {"removed": True}
        await instructor.until_tables(lambda dash: not dash.presence)
        assert instructor.orphans[0]["student_id"] == "s1"
        assert instructor.orphans[0]["count"] == 2


async def test_clearing_a_student_kicks_their_sockets_and_frees_their_id(
        server: ServerInfo) -> None:
    teacher = await instructor_cookie(server)
    hijacker = await join(server, "s1", "Mallory")
    async with connect(server, "/ws/student", hijacker) as mallory:
        await mallory.until("state")
        response = await post(server, "/api/instructor/clear", {"student_id": "s1"}, teacher)
        assert response.json() == {"removed": True}
        assert (await mallory.until("session_reset")) == {
            "type": "session_reset", "reason": "removed", "title": "Three questions"}
        try:
            await mallory.next()
            raise AssertionError("socket stayed open")
        except ConnectionClosed as closed:
            assert closed.reason.code == 4002
    owner = await join(server, "s1", "Ann")  # the id is free again
    stale = await get(server, "/api/me", hijacker)
    assert stale.status == 401
    assert (stale.header("set-cookie") or "").startswith(hijacker.split("=")[0] + "=;")  # cleared
    async with connect(server, "/ws/student", hijacker) as mallory:
        try:
            await mallory.next()
            raise AssertionError("a dead cookie opened a socket")
        except ConnectionClosed as closed:
            assert closed.reason.code == 4001
    assert (await get(server, "/api/me", owner)).json()["name"] == "Ann"


async def test_a_late_joiner_has_missed_every_question_already_closed(
        server: ServerInfo) -> None:
    async with connect(server, "/ws/instructor", await instructor_cookie(server)) as teacher:
        for _ in range(3):  # Q0 open, Q0 closed, Q1 open
            await teacher.send({"type": "next"})
        await teacher.until("question_open", question_idx=1)
        late = await join(server, "late", "Late")
        me = (await get(server, "/api/me", late)).json()
        assert [(s["question_idx"], s["status"]) for s in me["submissions"]] == [(0, "missed")]
        async with connect(server, "/ws/student", late) as student:
            opened = await student.until("question_open")
            assert opened["question_idx"] == 1  # and may still answer it
            ack = await student.request({"type": "submit", "question_idx": 1, "answer": "A"},
                                        "submit_ack")
            assert ack["score"] > 0


async def test_every_role_gets_a_snapshot_of_the_current_state_on_connect(
        server: ServerInfo) -> None:
    teacher = await instructor_cookie(server)
    cookie = await join(server, "s1", "Ann")
    async with connect(server, "/ws/instructor", teacher) as instructor:
        await instructor.send({"type": "next"})
        async with connect(server, "/ws/student", cookie) as student:
            await student.until("question_open")
            ack = await student.request({"type": "submit", "question_idx": 0, "answer": "B"},
                                        "submit_ack")
        async with connect(server, "/ws/student", cookie) as student:  # a reload mid-question
            kinds = [(await student.next())["type"] for _ in range(3)]
            assert kinds == ["state", "question_open", "submit_ack"]
            assert student.seen[2] == ack
        async with connect(server, "/ws/instructor", teacher) as second:
            kinds = [(await second.next())["type"] for _ in range(7)]
            assert kinds == ["state", "room_info", "lobby_update", "presence_update",
                             "question_open", "live_histogram", "full_leaderboard"]
        await instructor.send({"type": "close_question"})
        await instructor.until("question_closed")
        async with connect(server, "/ws/student", cookie) as student:  # mid-reveal
            kinds = [(await student.next())["type"] for _ in range(3)]
            assert kinds == ["state", "question_open", "question_closed"]
            assert student.seen[2]["your_answer"] == "B"
        async with connect(server, "/ws/projector") as projector:
            assert (await projector.next())["type"] == "state"
            snapshot = await projector.next()
            assert snapshot["type"] == "projector_state"
            assert snapshot["reveal"]["correct"] == "B"
            # The QR is a short link to a picture the browser keeps, not a data URL in
            # every frame.
            assert re.fullmatch(r"/join-qr\.svg\?v=[0-9a-f]{16}", snapshot["qr_url"])
            assert len(json.dumps(snapshot)) < 2048
            picture = await get(server, snapshot["qr_url"])
            assert picture.status == 200
            assert (picture.header("content-type") or "").startswith("image/svg+xml")
            assert picture.body.startswith(b"<?xml") and b"<svg" in picture.body
        await instructor.send({"type": "end_session"})
        await instructor.until("session_ended")
        async with connect(server, "/ws/student", cookie) as student:
            kinds = [(await student.next())["type"] for _ in range(2)]
            assert kinds == ["state", "session_ended"]
            assert student.seen[1]["questions_correct"] == 1


async def test_presence_counts_sockets_blurs_hides_and_answers(server: ServerInfo) -> None:
    cookie = await join(server, "s1", "Ann")
    async with connect(server, "/ws/instructor", await instructor_cookie(server)) as teacher:
        await teacher.until("presence_update")
        async with connect(server, "/ws/student", cookie) as student:
            await student.until("state")
            # In the lobby (or a reveal) a phone put away is not looking anything up.
            assert (await post(server, "/api/events", {"kind": "blur"}, cookie)).status == 204
            await teacher.send({"type": "next"})
            await student.until("question_open")
            for kind in ("blur", "blur", "visibility_hidden"):
                assert (await post(server, "/api/events", {"kind": kind}, cookie)).status == 204
            assert (await post(server, "/api/events", {"kind": "copy"}, cookie)).status == 400
            await teacher.until_tables(lambda dash: dash.presence["s1"]["blur_count"] >= 2
                                       and dash.presence["s1"]["hidden_count"] >= 1)
            row = teacher.presence["s1"]
            assert row["blur_count"] == 2 and row["hidden_count"] == 1
            assert row["connected"] and row["ws_count"] == 1
            assert not row["answered_current"]
            await student.request({"type": "submit", "question_idx": 0, "answer": "A"},
                                  "submit_ack")
            await teacher.until_tables(lambda dash: dash.presence["s1"]["answered_current"])
        await teacher.until_tables(lambda dash: not dash.presence["s1"]["connected"])
        assert row["ws_count"] == 0 and row["last_seen_ms"] > 0
        # The next question starts everyone unanswered, without a row each to say so.
        await teacher.send({"type": "next"})
        await teacher.until("question_closed")
        await teacher.send({"type": "next"})
        await teacher.until_tables(lambda dash: not dash.presence["s1"]["answered_current"])
        assert [m for m in teacher.seen if m["type"] == "presence_changes"
                and m["current_question_idx"] == 1 and m["rows"]] == []


async def test_stats_and_me_report_what_was_answered(server: ServerInfo) -> None:
    cookie = await join(server, "s1", "Ann")
    await join(server, "s2", "Bob")
    assert (await get(server, "/api/stats")).status == 401
    async with connect(server, "/ws/instructor", await instructor_cookie(server)) as teacher, \
            connect(server, "/ws/student", cookie) as student:
        await teacher.send({"type": "next"})
        await student.until("question_open")
        ack = await student.request({"type": "submit", "question_idx": 0, "answer": "B"},
                                    "submit_ack")
        await teacher.send({"type": "close_question"})
        await student.until("question_closed")
    stats = (await get(server, "/api/stats?question_idx=0", cookie)).json()
    assert stats["question_idx"] == 0
    assert stats["response_time_avg_ms"] == ack["elapsed_ms"]
    assert stats["response_time_distribution"]["0_10s"] == 1
    assert stats["average_score"] == ack["score"]
    assert stats["your_rank"] == 1 and stats["top5"][0] == {"rank": 1, "name": "Ann",
                                                             "score": ack["score"], "is_you": True}
    me = (await get(server, "/api/me", cookie)).json()
    assert me["total_score"] == ack["score"]


async def test_stats_tell_a_student_nothing_of_the_open_question_until_it_closes(
        server: ServerInfo) -> None:
    """While a question is open a phone's /api/stats says nothing of it: its average score
    would tell the class whether the answers given so far are right, and standings that
    move with each answer who gave them (as the projector keeps them for the reveal)."""
    watcher = await join(server, "s1", "Ann")
    quick = await join(server, "s2", "Bob")
    teacher = await instructor_cookie(server)
    nothing_yet = {"question_idx": 0, "response_time_avg_ms": None,
                   "response_time_distribution": {}, "average_score": 0, "top5": [],
                   "your_rank": None}
    async with connect(server, "/ws/instructor", teacher) as instructor, \
            connect(server, "/ws/student", quick) as bob:
        await instructor.send({"type": "next"})
        await bob.until("question_open")
        await bob.request({"type": "submit", "question_idx": 0, "answer": "B"}, "submit_ack")
        for path in ("/api/stats", "/api/stats?question_idx=0"):
            assert (await get(server, path, watcher)).json() == nothing_yet, path
        assert (await get(server, "/api/stats", teacher)).json()["average_score"] > 0
        await instructor.send({"type": "close_question"})
        await bob.until("question_closed")
    after = (await get(server, "/api/stats", watcher)).json()
    assert after["average_score"] > 0 and after["top5"][0]["name"] == "Bob"


async def test_reset_wipes_the_run_tells_students_and_kills_old_cookies(
        server: ServerInfo) -> None:
    teacher = await instructor_cookie(server)
    cookie = await join(server, "s1", "Ann")
    async with connect(server, "/ws/instructor", teacher) as instructor, \
            connect(server, "/ws/projector") as projector, \
            connect(server, "/ws/student", cookie) as student:
        await instructor.send({"type": "next"})
        await student.until("question_open")
        await instructor.send({"type": "reset"})
        await student.until("session_reset")
        try:
            await student.next()
            raise AssertionError("socket stayed open")
        except ConnectionClosed as closed:
            assert closed.reason.code == 4002
        assert (await instructor.until("state"))["state"] in ("question_open", "lobby")
        await instructor.until_tables(lambda dash: dash.joined == 0 and not dash.presence
                                      and not dash.scores)
        await projector.until("projector_state", state="question_open")
        after = await projector.until("projector_state", state="lobby")
        assert after["participant_count"] == 0 and after["leaderboard"] == []
        assert (await instructor.request({"type": "ping"}, "pong")) == {"type": "pong"}
    assert (await get(server, "/api/me", cookie)).status == 401
    assert (await post(server, "/api/join", {"student_id": "s1", "name": "Ann"})).status == 200


async def test_bad_messages_get_an_error_and_the_socket_stays_open(server: ServerInfo) -> None:
    cookie = await join(server, "s1", "Ann")
    junk = ["not json", "[1, 2]", "null", '"submit"', '{"no_type": 1}', '{"type": 5}',
            '{"type": "next"}', '{"type": "reset"}', "{" * 5000, '{"type": "submit"}']
    async with connect(server, "/ws/student", cookie) as student:
        await student.until("state")
        for text in junk:
            await student.send(text)
            assert (await student.until("error"))["code"] in ("bad_message", "bad_question")
        assert (await student.request({"type": "ping"}, "pong")) == {"type": "pong"}
    async with connect(server, "/ws/projector") as projector:
        await projector.until("projector_state", state="lobby")
        await projector.send({"type": "next"})
        assert (await projector.until("error"))["code"] == "bad_message"
    assert (await get(server, "/healthz")).json()["sessions_active"] == 1


async def test_a_restart_mid_question_resumes_the_same_session(
        tmp_path: Path, quiz_path: Path) -> None:
    settings = make_settings(tmp_path / "data", quiz_path)
    async with trio.open_nursery() as nursery:
        first = await nursery.start(lambda task_status: serve(settings, task_status=task_status))
        cookie = await join(first, "s1", "Ann")
        teacher = await instructor_cookie(first)
        async with connect(first, "/ws/instructor", teacher) as instructor, \
                connect(first, "/ws/student", cookie) as student:
            await instructor.send({"type": "next"})
            opened = await student.until("question_open")
            ack = await student.request({"type": "submit", "question_idx": 0, "answer": "B"},
                                        "submit_ack")
        nursery.cancel_scope.cancel()
    async with trio.open_nursery() as nursery:
        second = await nursery.start(lambda task_status: serve(settings, task_status=task_status))
        async with connect(second, "/ws/student", cookie) as student:
            assert (await student.next())["state"] == "question_open"
            resumed = await student.next()
            # The clock restarts where it stopped: its start moves on by the downtime.
            assert resumed["opened_at_server_ts"] >= opened["opened_at_server_ts"]
            assert 0 < resumed["remaining_ms"] < opened["remaining_ms"]
            assert (await student.next()) == ack
        async with connect(second, "/ws/instructor", teacher) as instructor:
            board = await instructor.until("full_leaderboard")
            assert board["leaderboard"][0]["score"] == ack["score"]
        nursery.cancel_scope.cancel()


@pytest.mark.slow
async def test_a_real_restart_gives_the_open_question_the_time_it_had_left_at_the_stop(
        tmp_path: Path, quiz_path: Path) -> None:
    proc = ServerProcess(tmp_path / "data", quiz_path)
    await trio.to_thread.run_sync(proc.start)
    try:
        async with connect(proc, "/ws/instructor", await instructor_cookie(proc)) as teacher:
            await teacher.send({"type": "next"})
            await teacher.until("question_open")
        before = (await get(proc, "/api/projector")).json()["question"]["remaining_ms"]
        await trio.to_thread.run_sync(proc.stop)
        await trio.sleep(4)  # the laptop's owner takes four seconds to start it again
        await trio.to_thread.run_sync(proc.start)
        after = (await get(proc, "/api/projector")).json()["question"]["remaining_ms"]
        # Only the seconds a server ran count: stopping and starting, not the 4 s between.
        assert before - 3_000 < after < before
    finally:
        if proc.process and proc.process.poll() is None:
            proc.stop()


async def test_the_quiz_file_names_the_session_and_an_edited_file_waits_for_the_next_run(
        tmp_path: Path) -> None:
    quiz = dict(THREE_QUESTIONS, session_id="bio-101")
    path = tmp_path / "quiz.json"
    path.write_text(json.dumps(quiz))
    settings = make_settings(tmp_path / "data", path)
    async with trio.open_nursery() as nursery:
        info = await nursery.start(lambda task_status: serve(settings, task_status=task_status))
        assert info.room.session_id == "bio-101"
        cookie = await join(info, "s1", "Ann")
        nursery.cancel_scope.cancel()
    quiz["title"] = "Three questions, edited"
    path.write_text(json.dumps(quiz))
    async with trio.open_nursery() as nursery:
        info = await nursery.start(lambda task_status: serve(settings, task_status=task_status))
        assert (await get(info, "/api/me", cookie)).json()["name"] == "Ann"
        async with connect(info, "/ws/projector") as projector:
            assert (await projector.next())["title"] == "Three questions"  # Ann joined it
        assert info.room.pending.title == "Three questions, edited"
        nursery.cancel_scope.cancel()


async def test_the_instructor_routes_need_the_key(server: ServerInfo) -> None:
    assert (await get(server, "/instructor")).status == 403
    assert (await get(server, "/instructor?key=wrong")).status == 403
    for path in ("/api/instructor/export.csv",):
        assert (await get(server, path)).status == 403
    assert (await post(server, "/api/instructor/clear", {"student_id": "x"})).status == 403
    async with connect(server, "/ws/instructor") as peer:
        try:
            await peer.next()
            raise AssertionError("instructor socket opened without the key")
        except ConnectionClosed as closed:
            assert closed.reason.code == 4003


def question_kind_sources() -> tuple[list[tuple[str, bytes]], dict[str, str]]:
    """kinds.js and each renderer, and the HTML of the four pages."""
    static = Path(__file__).resolve().parents[1] / "static"
    renderers = sorted((static / "kinds").glob("*.js"))
    parts = [(part.name, part.read_bytes()) for part in [static / "kinds.js", *renderers]]
    pages = {page: (static / f"{page}.html").read_text(encoding="utf-8")
             for page in ("student", "projector", "instructor", "editor")}
    return parts, pages


async def test_every_page_loads_every_question_kind_from_one_script(server: ServerInfo) -> None:
    parts, pages = question_kind_sources()
    assert len(parts) >= 9
    bundles = {}
    for name in ("question-kinds.js", "question-kinds.phone.js", "question-kinds.room.js"):
        bundle = await get(server, f"/static/{name}")
        assert bundle.status == 200
        assert bundle.header("content-type") == "text/javascript; charset=utf-8"
        bundles[name] = bundle.body
    for name, source in parts:
        assert source in bundles["question-kinds.js"], name
        # The shared part opens every file: every page has it.
        shared = source.split(b"\n// @part ")[0]
        assert shared in bundles["question-kinds.phone.js"], name
        assert shared in bundles["question-kinds.room.js"], name
    for page, share in (("student", "phone."), ("projector", "room."), ("instructor", "room."),
                        ("editor", "")):
        html = pages[page]
        assert f'<script src="/static/question-kinds.{share}js"></script>' in html, page
        assert "/static/kinds/" not in html and "/static/kinds.js" not in html, page


async def test_healthz_counts_sockets(server: ServerInfo) -> None:
    async with connect(server, "/ws/projector") as projector:
        await projector.until("projector_state")
        health = (await get(server, "/healthz")).json()
        assert health == {"status": "ok", "sessions_active": 1, "ws_clients": 1}



async def test_websockets_decline_compression_that_browsers_offer(server: ServerInfo) -> None:
    # trio-websocket configures no extension, so it would fail the handshake if the
    # server accepted one; a browser would get a zlib context per socket.
    offer = [("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits")]
    async with connect(server, "/ws/projector", headers=offer) as projector:
        assert (await projector.next())["type"] == "state"
        headers = {k.lower(): v for k, v in projector.ws.handshake_headers}
        assert b"sec-websocket-extensions" not in headers

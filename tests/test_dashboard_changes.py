"""The dashboard's big tables travel as changes: a question's worth of answers costs
the dashboard a few bytes per student, not the whole table again and again."""

from __future__ import annotations

import json

import trio

from trivia_trio.web.server import ServerInfo

from .conftest import Peer, connect, instructor_cookie, join

STUDENTS = 60


def size(messages: list[dict], kind: str) -> int:
    return sum(len(json.dumps(m, separators=(",", ":"))) for m in messages if m["type"] == kind)


async def test_answers_reach_the_dashboard_as_changed_fields_of_changed_rows(
        server: ServerInfo) -> None:
    cookies = {f"s{n:02}": await join(server, f"s{n:02}", f"Student {n}")
               for n in range(STUDENTS)}
    async with connect(server, "/ws/instructor", await instructor_cookie(server)) as teacher:
        whole = await teacher.until("presence_update")
        board = await teacher.until("full_leaderboard")
        # A dashboard connecting makes every dashboard get the whole tables once more.
        await teacher.until_tables(lambda dash: all(
            sum(m["type"] == kind for m in dash.seen) == 2
            for kind in ("presence_update", "full_leaderboard")))
        async with trio.open_nursery() as nursery:
            phones: list[Peer] = []
            for cookie in cookies.values():
                phones.append(await nursery.start(_phone, server, cookie))
            await teacher.until_tables(lambda dash: all(
                row["connected"] for row in dash.presence.values()))
            await teacher.send({"type": "next"})
            await teacher.until("question_open")
            teacher.seen.clear()
            for phone in phones:
                await phone.request({"type": "submit", "question_idx": 0, "answer": "B"},
                                    "submit_ack")
            await teacher.until_tables(lambda dash: all(
                row["answered_current"] for row in dash.presence.values())
                and all(row["score"] > 0 for row in dash.scores.values()))
            nursery.cancel_scope.cancel()
    during = teacher.seen
    assert size(during, "presence_update") == size(during, "full_leaderboard") == 0
    # Each student's row changed once, in one field of each table, and only that was sent.
    presence_rows = [row for m in during if m["type"] == "presence_changes" for row in m["rows"]]
    score_rows = [row for m in during if m["type"] == "leaderboard_changes" for row in m["rows"]]
    assert sorted(row["student_id"] for row in presence_rows) == sorted(cookies)
    assert {tuple(sorted(row)) for row in presence_rows} == {("answered_current", "student_id")}
    assert sorted(row["student_id"] for row in score_rows) == sorted(cookies)
    assert {tuple(sorted(row)) for row in score_rows} == {("score", "student_id")}
    whole_tables = len(json.dumps(whole)) + len(json.dumps(board))
    rows_sent = len(json.dumps(presence_rows)) + len(json.dumps(score_rows))
    assert rows_sent < whole_tables / 2, (rows_sent, whole_tables)
    assert teacher.leaderboard()[0]["rank"] == 1


async def _phone(server: ServerInfo, cookie: str,
                 task_status: trio.TaskStatus[Peer] = trio.TASK_STATUS_IGNORED) -> None:
    async with connect(server, "/ws/student", cookie) as phone:
        await phone.until("state")
        task_status.started(phone)
        await trio.sleep_forever()

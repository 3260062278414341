"""``loadtest --paced`` against a real server process: every student through the whole
quiz at their own speed, every answer acknowledged and on record.

Not a timing test: the figures are only checked to be there.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from typing import Any

import pytest
import trio

from trivia_trio.tools import http_client
from trivia_trio.tools.class_model import PACED_METRICS, Plan, ServerTarget
from trivia_trio.tools.class_run import PacedClassRun, simulate_class
from trivia_trio.tools.loadtest import LoadtestReport, format_report, run_loadtest
from trivia_trio.tools.paced_students import FASTEST_SHARE, SLOWEST_SHARE, question_times
from trivia_trio.tools.ws_client import WebSocketClosed

from .conftest import THREE_QUESTIONS, ServerProcess

STUDENTS = 20
QUESTIONS = len(THREE_QUESTIONS["questions"])


async def test_twenty_students_each_at_their_own_speed_and_every_answer_is_on_record(
        server_process: ServerProcess) -> None:
    assert server_process.process is not None
    target = ServerTarget(server_process.url, server_process.instructor_key,
                          pid=server_process.process.pid)
    plan = Plan(students=STUDENTS, paced=True, paced_s=3.0, seed=5)
    with trio.fail_after(90):
        result = await simulate_class(target, plan)
        export = await http_client.request(
            "GET", f"{target.url}/api/instructor/export.csv",
            headers={"Cookie": result.instructor_cookie})
    assert dict(result.errors) == {}
    assert result.total_questions == QUESTIONS

    # Each student saw every question once, answered each, and had each answer acked once
    # with the answer they sent.
    for student in result.students:
        assert student.finished and student.ended
        assert student.opened == set(range(QUESTIONS))
        assert set(student.answers_sent) == set(range(QUESTIONS))
        for idx, answer in student.answers_sent.items():
            (ack,) = student.acks[idx]
            assert ack["answer"] == answer
            assert student.closed[idx]["saved"] is True

    # The run's export has every one of those answers, as submitted, in its own order.
    assert export.status == 200
    rows = [row for row in csv.DictReader(io.StringIO(export.text.lstrip("\ufeff")))
            if row["question_idx"] != "total"]
    exported = {(row["student_id"], int(row["question_idx"])): row for row in rows}
    assert len(rows) == len(exported) == STUDENTS * QUESTIONS
    for student in result.students:
        positions = set()
        for idx, answer in student.answers_sent.items():
            row = exported[student.student_id, idx]
            assert (row["answer"], row["status"]) == (answer, "submitted")
            positions.add(row["order_position"])
        assert positions == {str(p) for p in range(1, QUESTIONS + 1)}

    report = LoadtestReport(plan, target, result, elapsed_s=1.0, client_cpu_s=0.0).to_json()
    assert report["pace"] == "student" and report["error_count"] == 0
    assert report["answers_acked"] == STUDENTS * QUESTIONS
    assert set(report["metrics_ms"]) == set(PACED_METRICS)
    assert report["metrics_ms"]["submit_ack"]["n"] == STUDENTS * QUESTIONS
    # Next after each question: the following question_open, or paced_finished.
    assert report["metrics_ms"]["next_open"]["n"] == STUDENTS * QUESTIONS
    assert report["server"]["cpu_ms_per_answer"] is not None
    assert report["dashboard"]["kib_per_minute"] > 0
    # The load test's dashboard asks for what the page asks for: the grid by position.
    shown = set(report["dashboard"]["kib_by_type"])
    assert {"paced_grid", "paced_grid_rows"} <= shown and "paced_grid_changes" not in shown
    assert "next → question_open" in format_report(LoadtestReport(
        plan, target, result, elapsed_s=1.0, client_cpu_s=0.0))


@pytest.mark.parametrize("seed", range(20))
def test_a_students_questions_take_between_half_and_all_of_the_time(seed: int) -> None:
    times = question_times(random.Random(seed), 10, 180.0)
    assert len(times) == 10 and min(times) > 0
    assert 180.0 * FASTEST_SHARE <= sum(times) <= 180.0 * SLOWEST_SHARE + 1e-9


def test_students_go_at_different_speeds() -> None:
    rng = random.Random(1)
    wholes = Counter(round(sum(question_times(rng, 10, 180.0)) // 30) for _ in range(200))
    assert len(wholes) >= 3  # 90 s to 180 s, in 30 s bands


async def test_a_lost_dashboard_is_an_error_in_the_report_not_a_crash(
        monkeypatch: pytest.MonkeyPatch) -> None:
    async def lost_at_once(self: PacedClassRun, ws: Any, class_scope: trio.CancelScope) -> None:
        self.instructor_lost(WebSocketClosed(1006), class_scope)  # while the class joins

    monkeypatch.setattr(PacedClassRun, "read_instructor", lost_at_once)
    plan = Plan(students=3, questions=2, paced=True, paced_s=60.0, seed=1)
    with trio.fail_after(60):
        report = await run_loadtest(plan)
    assert report.to_json()["errors"] == {
        "instructor: websocket closed unexpectedly (code 1006)": 1}

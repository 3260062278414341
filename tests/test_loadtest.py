"""The load tester, against its own in-process server on 127.0.0.1:0.

Rules for this file: loopback only, port 0, a ``fail_after`` budget on every
test, no sleep to wait for anything (the load tester waits on events).
"""

from __future__ import annotations

import csv
import io
import sys
from collections import Counter

import pytest
import trio

from trivia_trio.tools import http_client
from trivia_trio.tools.class_model import METRICS, LoadtestRefused, Plan
from trivia_trio.tools.class_quiz import MIXED_QUESTIONS
from trivia_trio.tools.class_run import simulate_class
from trivia_trio.tools.loadtest import check_loopback_url, open_own_server, run_loadtest
from trivia_trio.tools.measure import percentile


async def test_a_small_class_runs_without_errors_and_reports_every_figure() -> None:
    plan = Plan(students=20, questions=2, answer_window_ms=300, seed=1)
    with trio.fail_after(60):
        report = await run_loadtest(plan)
    data = report.to_json()
    assert data["errors"] == {}
    assert data["questions"] == 2
    assert data["answers_acked"] == 40
    for key in METRICS:
        figures = data["metrics_ms"][key]
        assert figures["n"] > 0, key
        assert all(figures[name] is not None for name in ("p50", "p95", "p99", "max")), key
    assert data["metrics_ms"]["join"]["n"] == 20
    assert data["metrics_ms"]["submit_ack"]["n"] == 40
    assert data["metrics_ms"]["all_answers_visible"]["n"] == 2
    if sys.platform == "linux":
        assert data["server"]["cpu_ms_per_answer"] is not None
        assert data["server"]["peak_rss_mib"] is not None


async def test_a_mixed_kind_quiz_runs_every_kind_and_each_answer_is_acked_as_stored() -> None:
    questions = len(MIXED_QUESTIONS)
    plan = Plan(students=12, questions=questions, answer_window_ms=200, seed=3,
                mixed_kinds=True)
    with trio.fail_after(90):
        async with open_own_server(plan) as target:
            result = await simulate_class(target, plan)
            export = await http_client.request(
                "GET", f"{target.url}/api/instructor/export.csv",
                headers={"Cookie": result.instructor_cookie})
    rows = {(row["student_id"], row["question_idx"]): row
            for row in csv.DictReader(io.StringIO(export.text.lstrip("\ufeff")))}
    first = result.students[0]
    multi = rows[first.student_id, "2"]
    assert multi["answer"] == first.acks_expected[2]
    # Each picked letter with its option's text (the options are "a".."e").
    assert multi["answer_text"] == "; ".join(f"{x}: {x.lower()}" for x in multi["answer"])
    assert rows[first.student_id, "3"]["answer_text"] == first.acks_expected[3]
    assert rows[first.student_id, "8"]["status"] == "missed"  # the slide
    assert dict(result.errors) == {}
    assert [r.kind for r in result.rounds] == [
        "choice", "truefalse", "multi", "text", "number", "order", "poll", "choice", "slide"]
    for student in result.students:
        assert set(student.answers_sent) == set(range(questions - 1))  # not the slide
        for idx, expected in student.acks_expected.items():
            (ack,) = student.acks[idx]
            assert ack["answer"] == expected
    text_round = result.rounds[3]
    assert set(text_round.closed_histogram or {}) == {"correct", "wrong", "missed"}
    assert sum((text_round.closed_histogram or {}).values()) == 12
    assert (result.rounds[7].closed_histogram or {}).keys() >= {"E", "F"}


@pytest.mark.slow
async def test_under_load_every_answer_is_acked_once_and_every_record_agrees() -> None:
    plan = Plan(students=200, questions=3, answer_window_ms=1000, ramp_per_second=400, seed=7)
    with trio.fail_after(120):
        async with open_own_server(plan) as target:
            result = await simulate_class(target, plan)
            assert dict(result.errors) == {}
            assert [r.question_idx for r in result.rounds] == [0, 1, 2]

            # Every ack received exactly once, naming the answer sent.
            for student in result.students:
                assert set(student.answers_sent) == {0, 1, 2}
                for idx, answer in student.answers_sent.items():
                    (ack,) = student.acks[idx]
                    assert ack["answer"] == answer

            # The instructor's final histogram counts exactly what was sent.
            for question in result.rounds:
                sent = Counter(s.answers_sent[question.question_idx] for s in result.students)
                assert question.closed_histogram is not None
                histogram = question.closed_histogram
                assert {letter: histogram.get(letter, 0) for letter in "ABCD"} == {
                    letter: sent[letter] for letter in "ABCD"
                }
                assert histogram.get("missed", 0) == 0
                live = question.last_live_histogram
                assert live is not None
                assert {letter: live.get(letter, 0) for letter in "ABCD"} == {
                    letter: sent[letter] for letter in "ABCD"
                }

            # The export holds one row per student × question and the acked scores.
            export = await http_client.request(
                "GET",
                f"{target.url}/api/instructor/export.csv",
                headers={"Cookie": result.instructor_cookie},
            )
            assert export.status == 200
            rows = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"))))
            answer_rows = [row for row in rows if row["question_idx"] != "total"]
            total_rows = {row["student_id"]: row for row in rows if row["question_idx"] == "total"}
            exported = {(row["student_id"], int(row["question_idx"])): row for row in answer_rows}
            assert len(answer_rows) == len(exported) == 200 * 3
            for student in result.students:
                expected_total = 0.0
                for idx, answer in student.answers_sent.items():
                    row = exported[(student.student_id, idx)]
                    ack = student.acks[idx][0]
                    assert row["name"] == student.name
                    assert row["answer"] == answer
                    assert float(row["score"]) == pytest.approx(ack["score"])
                    assert row["status"] == "submitted"
                    expected_total += ack["score"]
                assert float(total_rows[student.student_id]["score"]) == pytest.approx(
                    expected_total
                )

                # The student's own view agrees too.
                me = await http_client.request(
                    "GET", f"{target.url}/api/me", headers={"Cookie": student.cookie}
                )
                assert me.status == 200
                mine = me.json()
                assert mine["total_score"] == pytest.approx(expected_total)
                assert {s["question_idx"]: s["answer"] for s in mine["submissions"]} == (
                    student.answers_sent
                )


def test_only_a_server_on_this_machine_is_a_target() -> None:
    assert check_loopback_url("http://127.0.0.1:8000/") == "http://127.0.0.1:8000"
    assert check_loopback_url("http://localhost:8000") == "http://localhost:8000"
    assert check_loopback_url("http://[::1]:8000") == "http://[::1]:8000"
    for url in ("http://192.168.1.20:8000", "http://example.com", "https://127.0.0.1"):
        with pytest.raises(LoadtestRefused):
            check_loopback_url(url)


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([3.0], 95) == 3.0

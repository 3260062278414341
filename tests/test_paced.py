"""The rules of a student-paced run (core/paced.py), on plain numbers: no clock, no room."""

from __future__ import annotations

import pytest

from trivia_trio.core import results
from trivia_trio.core.game import Game
from trivia_trio.core.pace import BadSettings, PacedSettings, settings_from
from trivia_trio.core.paced import (
    WORKING,
    Accommodation,
    PacedRun,
    StudentOrder,
    accommodation_from,
    draw_order,
)
from trivia_trio.core.quiz import QuizError, quiz_from_dict
from trivia_trio.core.record import Rejected

QUIZ = quiz_from_dict({
    "title": "Paced", "time_limit_default": 10, "score_fn": "speed",
    "questions": [
        {"kind": "choice", "text": "2+2?", "options": ["3", "4", "5", "6"], "correct": "B"},
        {"kind": "truefalse", "text": "Sky blue?", "correct": True},
        {"kind": "multi", "text": "Primes?", "options": ["2", "4", "5"], "correct": "AC",
         "scoring": "partial"},
        {"kind": "number", "text": "7*6?", "correct": 42, "time_limit": 20},
    ]})
T0 = 1_000_000


DEFAULT = PacedSettings()


def paced(settings: PacedSettings = DEFAULT, *students: str) -> PacedRun:
    run = PacedRun(Game(QUIZ, seed="s/1"), settings, started_at=T0)
    for student_id in students:
        run.game.join(student_id, student_id.upper(), "c", T0)
        run.start(student_id, T0)
    return run


def answer(run: PacedRun, student_id: str, idx: int, value: object, now: int):
    submission = run.check_submit(student_id, idx, value, now)
    run.game.record(submission)
    run.answered(submission)
    return submission


def test_the_first_question_opens_at_join_and_next_moves_on_in_the_students_order() -> None:
    run = paced(PacedSettings(), "ana")
    turn = run.progress["ana"].current
    assert (turn.position, turn.question_idx, turn.opened_at, turn.limit_ms) == (0, 0, T0, 10_000)
    answer(run, "ana", 0, "B", T0 + 2_000)
    missed, opened = run.next("ana", T0 + 3_000)
    assert missed is None and (opened.position, opened.question_idx, opened.opened_at) == \
        (1, 1, T0 + 3_000)


def test_speed_scoring_runs_from_the_students_own_opening() -> None:
    run = paced(PacedSettings(), "ana", "ben")
    fast = answer(run, "ana", 0, "B", T0)
    slow = answer(run, "ben", 0, "B", T0 + 10_000)
    assert (fast.points, slow.points) == (20, 10)


def test_answers_to_questions_not_reached_passed_or_after_the_deadline_are_refused() -> None:
    run = paced(PacedSettings(), "ana")
    with pytest.raises(Rejected) as refused:
        run.check_submit("ana", 2, "A", T0)
    assert refused.value.code == "not_reached"
    with pytest.raises(Rejected) as refused:
        run.check_submit("ana", 0, "B", T0 + 10_001)
    assert refused.value.code == "too_late"
    missed, _ = run.next("ana", T0 + 5_000)  # passed without an answer
    assert missed is not None and missed.status == "missed"
    with pytest.raises(Rejected) as refused:
        run.check_submit("ana", 0, "B", T0 + 5_001)
    assert refused.value.code == "already_passed"
    with pytest.raises(Rejected) as refused:
        run.check_submit("nobody", 0, "B", T0)
    assert refused.value.code == "not_joined"


def test_a_repeat_returns_the_answer_kept_and_a_bad_answer_is_refused() -> None:
    run = paced(PacedSettings(), "ana")
    first = answer(run, "ana", 0, "B", T0 + 1_000)
    assert run.check_submit("ana", 0, "C", T0 + 2_000) is first
    run.next("ana", T0 + 2_000)
    with pytest.raises(Rejected) as refused:
        run.check_submit("ana", 1, "X", T0 + 2_500)
    assert refused.value.code == "bad_answer"


def test_extra_time_applies_from_the_next_question_and_no_speed_penalty_gives_full_points(
) -> None:
    run = paced(PacedSettings(), "ana")
    run.progress["ana"].accommodation = Accommodation(2.0, no_speed_penalty=True)
    assert run.progress["ana"].current.limit_ms == 10_000  # the open question keeps its clock
    run.next("ana", T0)
    turn = run.progress["ana"].current
    assert turn.limit_ms == 20_000
    late = answer(run, "ana", 1, "A", T0 + 19_000)  # after the others' deadline, inside hers
    assert late.points == 20


def test_time_up_closes_the_turn_with_a_missed_row_at_the_deadline() -> None:
    run = paced(PacedSettings(), "ana")
    assert run.time_up("ana", T0 + 9_999) is None
    missed = run.time_up("ana", T0 + 10_500)
    assert missed is not None and run.progress["ana"].current.closed_at == T0 + 10_000
    assert run.cell("ana", 0) == "no_answer"
    assert run.time_up("ana", T0 + 11_000) is None  # closing twice is harmless


def test_the_end_closes_every_open_turn_and_unreached_questions_stay_not_reached() -> None:
    run = paced(PacedSettings(end_minutes=5), "ana", "ben")
    assert run.ends_at == T0 + 300_000
    answer(run, "ana", 0, "B", T0 + 1_000)
    run.next("ana", T0 + 1_500)
    missed = run.end(T0 + 300_000)
    assert {(m.student_id, m.question_idx) for m in missed} == {("ana", 1), ("ben", 0)}
    assert [run.cell("ana", i) for i in range(4)] == ["right", "no_answer", "not_reached",
                                                      "not_reached"]
    grid = run.run_results()
    assert grid.result("ben", 0) == "no_answer" and grid.result("ben", 1) == "not_reached"
    assert grid.student("ben").as_dict()["not_reached"] == 1
    assert grid.question(0).share_right == 0.5
    with pytest.raises(Rejected) as refused:
        run.check_submit("ben", 0, "B", T0 + 300_001)
    assert refused.value.code == "quiz_finished"


def test_the_right_answer_is_revealed_only_after_the_students_own_answer_or_the_end() -> None:
    each = paced(PacedSettings(feedback="each"), "ana", "ben")
    answer(each, "ana", 0, "A", T0 + 1_000)
    assert each.may_reveal("ana", 0) and not each.may_reveal("ben", 0)
    at_end = paced(PacedSettings(feedback="end"), "ana")
    answer(at_end, "ana", 0, "A", T0 + 1_000)
    assert not at_end.may_reveal("ana", 0)
    at_end.end(T0 + 2_000)
    assert at_end.may_reveal("ana", 0)


def test_orders_are_per_student_fixed_by_the_seed_and_round_trip() -> None:
    kinds = [q.kind for q in QUIZ.questions]
    settings = PacedSettings(shuffle_questions=True, shuffle_options=True)
    orders = {sid: draw_order("s/1", sid, kinds, settings) for sid in map(str, range(30))}
    assert orders["1"] == draw_order("s/1", "1", kinds, settings)
    assert len({o.questions for o in orders.values()}) > 1
    for order in orders.values():
        assert sorted(order.questions) == [0, 1, 2, 3]
        assert set(order.options) == {0, 2}  # choice and multi; never true/false or number
        assert StudentOrder.from_dict(order.to_dict()) == order
    assert draw_order("s/1", "1", kinds, PacedSettings()).questions == (0, 1, 2, 3)


def test_shown_letters_are_kept_as_the_quizs_letters() -> None:
    order = StudentOrder((0, 1, 2, 3), {0: (3, 1, 0, 2), 2: (2, 0, 1)})
    assert order.to_quiz_letters(0, "B") == "B" and order.to_quiz_letters(0, "C") == "A"
    assert order.to_quiz_letters(2, "AB") == "CA"
    assert order.to_shown_letters(2, "AC") == "AB"
    assert order.shown_options(0, ["3", "4", "5", "6"]) == ["6", "4", "3", "5"]
    run = paced(PacedSettings(), "ana")
    run.progress["ana"].order = order
    kept = answer(run, "ana", 0, "B", T0)  # shown B is the quiz's B ("4"): right
    assert kept.answer == "B" and kept.correct


def test_a_restart_gives_each_open_turn_the_time_it_had_left() -> None:
    run = paced(PacedSettings(), "ana", "ben")
    answer(run, "ben", 0, "B", T0 + 1_000)
    moved = run.resume(stopped_at=T0 + 4_000, now=T0 + 64_000)
    assert [sid for sid, _ in moved] == ["ana"]
    assert run.progress["ana"].current.remaining_ms(T0 + 64_000) == 6_000
    assert run.progress["ben"].current.opened_at == T0  # a closed turn keeps its times


def test_the_grid_and_summary_say_where_everyone_is() -> None:
    run = paced(PacedSettings(), "ana", "ben", "cem")
    for idx, value in enumerate(["B", "A", "A", 42]):
        answer(run, "ana", idx, value, T0 + 1_000)
        run.next("ana", T0 + 1_000)
    answer(run, "ben", 0, "C", T0 + 2_000)
    run.next("ben", T0 + 2_000)
    assert run.summary() == {"finished": 1, "working": 1, "not_started": 1}
    assert [run.cell("ana", i) for i in range(4)] == ["right", "right", "partial", "right"]
    assert [run.cell("ben", i) for i in range(3)] == ["wrong", WORKING, "not_reached"]


def test_settings_and_accommodations_are_checked() -> None:
    assert settings_from(None) == PacedSettings()
    assert settings_from({"feedback": "end", "end_minutes": 30}).to_dict()["end_minutes"] == 30
    for bad in ({"feedback": "never"}, {"review": "yes"}, {"end_minutes": 0}, [1]):
        with pytest.raises(BadSettings):
            settings_from(bad)
    assert accommodation_from({"extra_time": 1.5}) == Accommodation(1.5)
    with pytest.raises(Rejected):
        accommodation_from({"extra_time": 3})


def test_a_live_runs_counts_keep_their_shape() -> None:
    assert "not_reached" not in results.Tally().as_dict()
    assert "not_reached" not in results.StudentTotals().as_dict()


def test_a_quiz_file_may_ask_for_a_student_paced_run() -> None:
    data = QUIZ.to_dict() | {"pace": "student", "paced": {"feedback": "end",
                                                          "shuffle_options": True}}
    quiz = quiz_from_dict(data)
    assert quiz.pace == "student" and quiz.paced.feedback == "end"
    assert quiz_from_dict(quiz.to_dict()) == quiz
    assert "pace" not in QUIZ.to_dict() and "paced" not in QUIZ.to_dict()
    with pytest.raises(QuizError) as bad:
        quiz_from_dict(data | {"pace": "fast", "paced": {"review": 1}})
    assert len(bad.value.problems) == 2

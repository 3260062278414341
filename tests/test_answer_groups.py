"""The top answers' groups (core/answer_groups.py), kept as answers come and go, equal a
rebuild from every submission; and an answer's work does not grow with the class."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trivia_trio.core import paced_views, views
from trivia_trio.core.answer_groups import AnswerGroups
from trivia_trio.core.game import Game
from trivia_trio.core.kinds.text import Text
from trivia_trio.core.pace import PacedSettings
from trivia_trio.core.paced import PacedRun
from trivia_trio.core.quiz import quiz_from_dict
from trivia_trio.core.record import Rejected

QUIZ = quiz_from_dict({
    "title": "Typed", "time_limit_default": 30,
    "questions": [
        {"kind": "text", "text": "Capital?", "accept": ["Paris"]},
        {"kind": "cloud", "text": "One word", "max_answers": 3},
        {"kind": "number", "text": "7*6?", "correct": 42},
    ]})
STUDENTS = [f"s{n}" for n in range(6)]
TYPED = ["Paris", "paris", " PARIS", "Lyon", "lyon", "Nice"]
ANSWERS = {0: TYPED, 1: [["sun"], ["Sun", "sea"], ["sea", "sky", "SUN"], ["sky"]],
           2: ["42", "41", "42.0", "-3"]}
T0 = 1_000_000

step = st.one_of(
    st.tuples(st.just("answer"), st.integers(0, 5), st.integers(0, 5)),
    st.tuples(st.just("retract"), st.integers(0, 5), st.just(0)),
    st.tuples(st.just("remove"), st.integers(0, 5), st.just(0)),
    st.tuples(st.just("join"), st.integers(0, 5), st.just(0)),
    st.tuples(st.just("close_and_ask"), st.integers(0, 2), st.just(0)),
    st.tuples(st.just("look"), st.integers(0, 2), st.just(0)),
)


def rebuilt(game: Game, idx: int) -> dict[str, dict[str, int]]:
    answers = [s.answer for s in game.submitted(idx) if s.answer is not None]
    return {key: dict(given) for key, given in
            AnswerGroups.of(game.kind(idx), answers).spellings.items()}


@given(st.lists(step, max_size=40))
def test_the_kept_groups_equal_a_rebuild_after_any_answers_retractions_and_removals(
        steps: list[tuple[str, int, int]]) -> None:
    game = Game(QUIZ, seed="g")
    now = T0
    for sid in STUDENTS[:4]:
        game.join(sid, sid, "c", now)
    game.open_question(0, now)
    for idx in range(len(QUIZ)):
        game.top_answers(idx, with_hidden=True)  # the groups exist from the start
    last: dict[str, object] = {}
    for op, who, which in steps:
        now += 100
        sid, idx = STUDENTS[who], game.current_idx
        if op == "answer" and idx is not None:
            choices = ANSWERS[idx]
            try:
                submission = game.check_submit(sid, idx, choices[which % len(choices)], now)
            except Rejected:
                continue
            if game.record(submission):
                last[sid] = submission
        elif op == "retract" and sid in last:
            game.retract(last.pop(sid))  # type: ignore[arg-type]
        elif op == "remove":
            game.remove(sid)
            last.pop(sid, None)
        elif op == "join" and sid not in game.participants:
            game.join(sid, sid, "c", now)
        elif op == "close_and_ask":
            game.close_question(now)
            last.clear()
            game.open_question(who, now)  # a question asked again keeps its answers
        elif op == "look":
            game.top_answers(who, with_hidden=True)
        for each in range(len(QUIZ)):
            kept = {key: dict(given) for key, given in game.answer_groups(each).spellings.items()}
            assert kept == rebuilt(game, each)


class CountingKeys:
    """Counts the text kind's grouping of an answer: the work of its top answers."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        original = Text.grouping_key

        def counted(kind: Text, stored: str) -> str:
            self.calls += 1
            return original(kind, stored)
        monkeypatch.setattr(Text, "grouping_key", counted)


def paced_answer_work(size: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """Grouping calls for the last of ``size`` students to answer question 0 and get its
    feedback, every other student having answered it (each seeing their own)."""
    run = PacedRun(Game(QUIZ, seed="p"), PacedSettings(feedback="each"), started_at=T0)
    counter = CountingKeys(monkeypatch)
    work = 0
    for n in range(size):
        sid = f"p{n}"
        run.game.join(sid, sid, "c", T0)
        run.start(sid, T0)
        idx = run.progress[sid].current.question_idx
        before = counter.calls
        submission = run.check_submit(sid, idx, TYPED[n % len(TYPED)] if idx == 0
                                      else ANSWERS[idx][n % len(ANSWERS[idx])], T0 + 1_000)
        run.game.record(submission)
        run.answered(submission)
        paced_views.ack(run, submission)
        paced_views.turn_closed(run, sid, idx)
        work = counter.calls - before
    return work


def test_a_paced_answer_and_its_feedback_cost_the_same_in_a_class_of_30_or_600(
        monkeypatch: pytest.MonkeyPatch) -> None:
    small, large = paced_answer_work(30, monkeypatch), paced_answer_work(600, monkeypatch)
    assert large == small <= 2


def test_a_live_answer_and_the_dashboards_top_answers_cost_the_same_in_any_class(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def work(size: int) -> int:
        game = Game(QUIZ, seed="l")
        counter = CountingKeys(monkeypatch)
        for n in range(size):
            game.join(f"l{n}", "x", "c", T0)
        game.open_question(0, T0)
        calls = 0
        for n in range(size):
            before = counter.calls
            game.record(game.check_submit(f"l{n}", 0, TYPED[n % len(TYPED)], T0 + n))
            views.live_histogram_message(game, 0)
            calls = counter.calls - before
        return calls

    assert work(600) == work(30) <= 2

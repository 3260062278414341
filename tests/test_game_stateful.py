"""Random runs of a Game: every instructor and student action, in any order.

A Hypothesis state machine drives one Game the way the room does (the
instructor's open closes what is open first, ``next`` closes then opens the
following question or ends, ``reset`` starts a new Game) while students join,
answer anything at any time, and leave. The clock only moves forward. After
every step the rules' promises are checked.
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from trivia_trio.core import views
from trivia_trio.core.game import Game
from trivia_trio.core.quiz import quiz_from_dict
from trivia_trio.core.record import (
    POINTS_PER_QUESTION,
    DuplicateStudentId,
    Participant,
    Rejected,
    State,
    Step,
    Submission,
    as_score,
)

T0 = 1_700_000_000_000
QUIZ_DICT = {
    "title": "Random runs",
    "time_limit_default": 8,
    "questions": [
        {
            "text": "Powerhouse of the cell?",
            "options": ["Nucleus", "Mitochondrion", "Ribosome", "Golgi"],
            "correct": "B",
        },
        {
            "text": "Sound is faster in water.",
            "options": ["True", "False"],
            "correct": "A",
            "time_limit": 5,
        },
        {"text": "Symbol for gold?", "options": ["Go", "Gd", "Au"], "correct": "C"},
    ],
}
QUIZZES = [quiz_from_dict(QUIZ_DICT | {"score_fn": fn}) for fn in ("speed", "binary")]
QUESTION_COUNT = len(QUIZ_DICT["questions"])

IDS = ["s1", "s2", "s3", "s4", "s5"]
STUDENT_IDS = st.sampled_from(IDS)
ANYONE = st.sampled_from([*IDS, "ghost"])
NAMES = st.sampled_from(["Ada", "Bo", "Bo", "Cy"])  # shared names exercise the id tiebreak
INDICES = st.integers(-2, QUESTION_COUNT + 1)
NOT_INDICES = st.sampled_from(["0", 1.0, True, False, None])
# Fortieths of a question's clock: the half-point roundings (2, 6, ..., 38), the buzzer
# (40) and just past it (41).
MOMENTS = st.sampled_from([0, *range(2, 40, 4), 39, 40, 41])
CLASS = st.lists(STUDENT_IDS, unique=True, min_size=2, max_size=5)
# The letters, then things that are not one letter of the question ("" and "AB" included).
ANSWERS = st.sampled_from(["A", "B", "C", "D"]) | st.sampled_from(
    ["E", "a", " B", "", "AB", "BC", None, 7]
)

# Where each game call may move the state. ``finished`` may open a question
# again (the rules allow it, as the original design did); reset is a new Game.
LEGAL = {
    State.LOBBY: {State.LOBBY, State.QUESTION_OPEN, State.FINISHED},
    State.QUESTION_OPEN: {State.QUESTION_OPEN, State.QUESTION_CLOSED},
    State.QUESTION_CLOSED: {
        State.QUESTION_CLOSED,
        State.QUESTION_OPEN,
        State.BETWEEN_QUESTIONS,
        State.FINISHED,
    },
    State.BETWEEN_QUESTIONS: {State.BETWEEN_QUESTIONS, State.QUESTION_OPEN, State.FINISHED},
    State.FINISHED: {State.FINISHED, State.QUESTION_OPEN},
}


def expected_points(score_fn: str, correct: bool, elapsed: int, limit_ms: int) -> int:
    if not correct:
        return 0
    if score_fn == "binary":
        return POINTS_PER_QUESTION
    exact = 20 * (1 - Fraction(1, 2) * Fraction(min(elapsed, limit_ms), limit_ms))
    return math.floor(exact + Fraction(1, 2))


class GameMachine(RuleBasedStateMachine):
    @initialize(
        quiz_number=st.integers(0, len(QUIZZES) - 1), joined=CLASS, first_open=st.booleans()
    )
    def start(self, quiz_number: int, joined: list[str], first_open: bool) -> None:
        self.quiz = QUIZZES[quiz_number]
        self.now = self.last_now = T0
        self._new_game(joined)
        if first_open:
            self.instructor_presses_next()

    def _new_game(self, joined: list[str]) -> None:
        self.game = Game(self.quiz)
        self.seen = State.LOBBY
        self.at: int | None = None  # the question last opened for the first time
        self.recorded: list[Submission] = []
        self.events: list[tuple[str, str, int]] = []
        for student_id in joined:
            assert self.game.join(student_id, student_id.upper(), "cookie", self.now) == []

    def _moved(self) -> None:
        assert self.game.state in LEGAL[self.seen], f"{self.seen} -> {self.game.state}"
        self.seen = self.game.state

    def _close(self) -> None:
        before = self.game.state
        missed = self.game.close_question(self.now)
        assert (missed is None) == (before is not State.QUESTION_OPEN)
        self._moved()

    # ---- the clock ---------------------------------------------------------------------
    @rule(ms=st.integers(0, 7_000))
    def time_passes(self, ms: int) -> None:
        self.now += ms

    # ---- instructor --------------------------------------------------------------------
    @rule(idx=INDICES, time_limit=st.none() | st.integers(5, 9), close_first=st.booleans())
    def instructor_opens(self, idx: int, time_limit: int | None, close_first: bool) -> None:
        """The room's open closes an open question first; the bare rule refuses instead."""
        game = self.game
        before = (game.state, game.current_idx)
        expected = None
        if not 0 <= idx < len(self.quiz):
            expected = "bad_question"
        elif game.state is State.QUESTION_OPEN:
            if not close_first:
                expected = "not_open"
            elif game.current_idx == idx:
                return
            else:
                self._close()
        if expected is not None:
            with pytest.raises(Rejected) as info:
                game.open_question(idx, self.now, time_limit)
            assert info.value.code == expected
            assert (game.state, game.current_idx) == before
            return
        answered = {s for s, sub in game.answers.get(idx, {}).items() if sub.status == "submitted"}
        if idx not in game.openings:
            self.at = idx  # a question asked again leaves the teacher where they were
        opening = game.open_question(idx, self.now, time_limit)
        self._moved()
        assert opening.time_limit == (time_limit or self.quiz.time_limit(idx))
        assert (opening.opened_at, opening.closed_at) == (self.now, None)
        assert set(game.answers[idx]) == answered  # the missed may answer; answers stand

    @rule()
    def instructor_closes(self) -> None:
        self._close()

    @rule()
    def instructor_presses_next(self) -> None:
        game = self.game
        step = game.next_step()
        if step is None:
            assert game.state is State.FINISHED
            return
        if step is Step.CLOSE:
            self._close()
            assert game.state is State.QUESTION_CLOSED  # the reveal stays until the next press
        elif step is Step.LEADERBOARD:
            assert game.show_leaderboard()
        elif step is Step.END:
            assert self.at == len(self.quiz) - 1
            game.finish()
        else:
            following = game.next_question_idx()
            assert following == (0 if self.at is None else self.at + 1)
            game.open_question(following, self.now, moves_on=True)
            self.at = following
        self._moved()

    @rule()
    def instructor_shows_leaderboard(self) -> None:
        game = self.game
        expected = game.state is State.QUESTION_CLOSED
        assert game.show_leaderboard() == expected
        self._moved()

    @rule()
    def instructor_ends(self) -> None:
        if self.game.state is State.FINISHED:
            return
        self._close()
        self.game.finish()
        self._moved()
        assert self.game.current_idx is None

    @rule(rejoined=CLASS)
    def instructor_resets_and_the_class_joins_again(self, rejoined: list[str]) -> None:
        self._new_game(rejoined)

    @rule(student_id=STUDENT_IDS)
    def instructor_removes(self, student_id: str) -> None:
        held = student_id in self.game.participants
        assert self.game.remove(student_id) is held
        assert student_id not in self.game.participants
        assert self.game.submissions_of(student_id) == []

    # ---- students ----------------------------------------------------------------------
    @rule(student_id=STUDENT_IDS, name=NAMES)
    def student_joins(self, student_id: str, name: str) -> None:
        game = self.game
        if student_id in game.participants:
            holder = game.participants[student_id]
            with pytest.raises(DuplicateStudentId):
                game.join(student_id, name, "another-cookie", self.now)
            assert game.participants[student_id] is holder
            game.record_event(student_id, "duplicate_join", self.now)
            self.events.append((student_id, "duplicate_join", self.now))
            return
        if game.state is State.FINISHED:
            with pytest.raises(Rejected) as refused:
                game.join(student_id, name, "late-cookie", self.now)
            assert refused.value.code == "quiz_finished"
            assert student_id not in game.participants
            return
        missed = game.join(student_id, name, f"cookie-{self.now}", self.now)
        closed = sorted(i for i, o in game.openings.items() if o.closed_at is not None)
        assert [s.question_idx for s in missed] == closed
        assert all(s.status == "missed" and s.points == 0 for s in missed)

    @rule(student_id=STUDENT_IDS, kind=st.sampled_from(["blur", "visibility_hidden"]))
    def student_looks_away(self, student_id: str, kind: str) -> None:
        self.game.record_event(student_id, kind, self.now)
        self.events.append((student_id, kind, self.now))

    @rule(student_id=ANYONE, idx=INDICES | NOT_INDICES, answer=ANSWERS)
    def student_submits(self, student_id: str, idx: object, answer: object) -> None:
        game = self.game
        expected_code = None
        existing = replaced = None
        if student_id not in game.participants:
            expected_code = "not_joined"
        elif isinstance(idx, bool) or not isinstance(idx, int) or not 0 <= idx < len(self.quiz):
            expected_code = "bad_question"
        elif answer not in list(self.quiz.questions[idx].kind.letters):
            expected_code = "bad_answer"
        else:
            existing = game.submission(student_id, idx)
            if existing is not None and existing.status != "submitted":
                existing = None
            is_open = game.state is State.QUESTION_OPEN and game.current_idx == idx
            if existing is not None and is_open and game.openings[idx].asking > existing.asking:
                # Asked again: a second chance; a new answer replaces the earlier one.
                replaced, existing = existing, None
            if existing is None:
                if not is_open:
                    expected_code = "not_open"
                elif self.now - game.openings[idx].opened_at > game.openings[idx].time_limit * 1000:
                    expected_code = "time_expired"
        if expected_code is not None:
            with pytest.raises(Rejected) as info:
                game.check_submit(student_id, idx, answer, self.now)
            assert info.value.code == expected_code
            return
        submission = game.check_submit(student_id, idx, answer, self.now)
        if existing is not None:
            assert submission is existing
            assert game.record(submission) is False
            return
        assert isinstance(idx, int)
        opening = game.openings[idx]
        elapsed = max(0, self.now - opening.opened_at)
        correct = answer == self.quiz.questions[idx].kind.correct
        assert (submission.answer, submission.elapsed_ms, submission.correct) == (
            answer,
            elapsed,
            correct,
        )
        assert submission.points == expected_points(
            self.quiz.score_fn, correct, elapsed, opening.time_limit * 1000
        )
        total_before = game.participants[student_id].points
        assert game.record(submission) is True
        assert game.record(submission) is False
        lost = replaced.points if replaced is not None else 0
        assert game.participants[student_id].points == total_before - lost + submission.points
        self.recorded.append(submission)

    @rule(data=st.data(), answer=st.sampled_from("ABCD"), moment=MOMENTS)
    def a_joined_student_answers_the_question_on_screen(
        self, data: st.DataObject, answer: str, moment: int
    ) -> None:
        """Answer at ``moment`` fortieths of the clock (40 is the buzzer), if not yet past."""
        if not self.game.participants:
            return
        student_id = data.draw(st.sampled_from(sorted(self.game.participants)))
        idx = self.game.current_idx
        if self.game.state is State.QUESTION_OPEN and idx is not None:
            opening = self.game.openings[idx]
            self.now = max(self.now, opening.opened_at + opening.time_limit * 25 * moment)
        self.student_submits(student_id, 0 if idx is None else idx, answer)

    @rule(data=st.data(), answer=st.sampled_from("ABCD"))
    def student_sends_an_answer_again(self, data: st.DataObject, answer: str) -> None:
        if self.recorded:
            first = data.draw(st.sampled_from(self.recorded))
            self.student_submits(first.student_id, first.question_idx, answer)

    @rule(data=st.data())
    def a_recorded_answer_fails_to_be_saved(self, data: st.DataObject) -> None:
        if not self.recorded:
            return
        submission = data.draw(st.sampled_from(self.recorded))
        self.recorded.remove(submission)
        game = self.game
        kept = game.submission(submission.student_id, submission.question_idx) == submission
        before = game.participants[submission.student_id].points if kept else None
        game.retract(submission)
        if not kept:
            return
        after = game.submission(submission.student_id, submission.question_idx)
        assert game.participants[submission.student_id].points == before - submission.points
        if game.openings[submission.question_idx].closed_at is None:
            assert after is None
        else:
            assert after is not None
            assert (after.status, after.points) == ("missed", 0)

    @rule(data=st.data(), answer=st.sampled_from("ABCD"))
    def the_question_closes_while_an_answer_is_saved_and_the_save_fails(
        self, data: st.DataObject, answer: str
    ) -> None:
        """The room's race: record, then (while the write is pending) close, then retract."""
        game = self.game
        idx = game.current_idx
        waiting = sorted(set(game.participants) - set(game.answers.get(idx, {})))
        if game.state is not State.QUESTION_OPEN or idx is None or not waiting:
            return
        student_id = data.draw(st.sampled_from(waiting))
        try:
            submission = game.check_submit(student_id, idx, answer, self.now)
        except Rejected as rejected:
            assert rejected.code in ("bad_answer", "time_expired")
            return
        assert game.record(submission)
        self._close()
        game.retract(submission)
        row = game.submission(student_id, idx)
        assert row is not None and (row.status, row.points) == ("missed", 0)

    # ---- restart -----------------------------------------------------------------------
    @rule()
    def the_server_restarts(self) -> None:
        live = self.game
        restored = Game.restore(
            self.quiz,
            [
                Participant(p.student_id, p.name, p.cookie_id, p.joined_at)
                for p in live.participants.values()
            ],
            [dataclasses.replace(o) for o in live.openings.values()],
            [s for by_student in live.answers.values() for s in by_student.values()],
            list(self.events),
            live.state,
            live.current_idx,
        )
        assert (restored.state, restored.current_idx) == (live.state, live.current_idx)
        assert restored.standings() == live.standings()
        assert restored.audits == live.audits
        for idx in range(len(self.quiz)):
            assert restored.histogram(idx, pending=True) == live.histogram(idx, pending=True)
        self.game = restored

    # ---- invariants --------------------------------------------------------------------
    @invariant()
    def time_only_moves_forward(self) -> None:
        assert self.now >= self.last_now
        self.last_now = self.now

    @invariant()
    def at_most_one_row_per_student_and_question_and_only_for_participants(self) -> None:
        for idx, by_student in self.game.answers.items():
            assert 0 <= idx < len(self.quiz)
            for student_id, submission in by_student.items():
                assert (submission.student_id, submission.question_idx) == (student_id, idx)
                assert student_id in self.game.participants

    @invariant()
    def every_score_is_on_the_005_grid_from_zero_to_one(self) -> None:
        for by_student in self.game.answers.values():
            for s in by_student.values():
                assert isinstance(s.points, int) and 0 <= s.points <= POINTS_PER_QUESTION
                assert 0.0 <= s.score <= 1.0
                assert round(s.score * 20, 9) == s.points
                if s.status == "missed":
                    assert (s.answer, s.points, s.correct) == (None, 0, False)
                else:
                    assert s.status == "submitted"
                    assert s.answer in self.quiz.questions[s.question_idx].kind.letters
                    assert s.points == 0 or s.correct

    @invariant()
    def each_total_is_the_sum_of_that_students_scores(self) -> None:
        for student_id, participant in self.game.participants.items():
            points = sum(s.points for s in self.game.submissions_of(student_id))
            assert participant.points == points
            assert self.game.total_of(student_id) == as_score(points)

    @invariant()
    def the_state_and_the_current_question_agree(self) -> None:
        game = self.game
        if game.state in (State.LOBBY, State.FINISHED):
            assert game.current_idx is None
        else:
            assert game.current_idx in game.openings
        for idx, opening in game.openings.items():
            open_now = game.state is State.QUESTION_OPEN and idx == game.current_idx
            assert (opening.closed_at is None) == open_now

    @invariant()
    def a_closed_question_has_a_row_for_everyone_and_the_open_one_no_missed_rows(self) -> None:
        game = self.game
        for idx, opening in game.openings.items():
            rows = game.answers.get(idx, {})
            if opening.closed_at is not None:
                assert set(rows) == set(game.participants)
            else:
                assert all(s.status == "submitted" for s in rows.values())

    @invariant()
    def histograms_never_count_more_than_the_participants(self) -> None:
        for idx in range(len(self.quiz)):
            assert sum(self.game.histogram(idx).values()) <= len(self.game.participants)
            assert sum(self.game.histogram(idx, pending=True).values()) == len(
                self.game.participants
            )

    @invariant()
    def the_open_question_payload_never_contains_the_correct_answer(self) -> None:
        game = self.game
        if game.state is State.QUESTION_OPEN and game.current_idx is not None:
            message = views.question_open_message(game, game.current_idx, self.now)
            assert "correct" not in message
            assert "correct" not in views.encode(message)

    @invariant()
    def standings_order_by_score_then_name_then_id_and_ties_share_a_rank(self) -> None:
        standings = self.game.standings()
        for place, s in enumerate(standings, start=1):
            better = sum(other.points > s.points for other in standings)
            assert s.rank == better + 1 <= place  # 1, 2, 2, 4
        keys = [(-s.points, s.name, s.student_id) for s in standings]
        assert keys == sorted(keys)
        for s in standings:
            assert self.game.rank_of(s.student_id) == s.rank
            assert self.game.participants[s.student_id].points == s.points


GameMachine.TestCase.settings = settings(max_examples=250, stateful_step_count=60, deadline=None)
TestRandomRuns = pytest.mark.slow(GameMachine.TestCase)

"""The rules of the quiz: scoring, the lifecycle, joins, answers and tallies.

Plain synchronous tests of ``game.py``: no trio, no sockets, no clock. Every
action is given the time it happens at (``now``, ms since the epoch), so each
test states its times exactly.
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trivia_trio.core.game import Game
from trivia_trio.core.quiz import Quiz, quiz_from_dict
from trivia_trio.core.record import (
    POINTS_PER_QUESTION,
    DuplicateStudentId,
    Opening,
    Participant,
    Rejected,
    State,
    Step,
    Submission,
    as_score,
    score_points,
)

T0 = 1_700_000_000_000  # an arbitrary wall-clock start, in ms
SECOND = 1000

QUIZ_DICT = {
    "title": "Three questions",
    "time_limit_default": 20,
    "score_fn": "speed",
    "questions": [
        {
            "text": "Powerhouse of the cell?",
            "options": ["Nucleus", "Mitochondrion", "Ribosome", "Golgi"],
            "correct": "B",
            "explanation": "ATP is made there.",
        },
        {
            "text": "Sound is faster in water than in air.",
            "options": ["True", "False"],
            "correct": "A",
            "time_limit": 10,
        },
        {"text": "Symbol for gold?", "options": ["Go", "Gd", "Au"], "correct": "C"},
    ],
}
QUIZ = quiz_from_dict(QUIZ_DICT)
BINARY_QUIZ = quiz_from_dict(QUIZ_DICT | {"score_fn": "binary"})


def new_game(*student_ids: str, quiz: Quiz = QUIZ) -> Game:
    game = Game(quiz)
    for n, student_id in enumerate(student_ids):
        game.join(student_id, f"Name {student_id}", f"cookie-{student_id}", T0 + n)
    return game


def answer(game: Game, student_id: str, idx: int, letter: str, now: int) -> Submission:
    submission = game.check_submit(student_id, idx, letter, now)
    assert game.record(submission)
    return submission


def rejection(call) -> str:
    with pytest.raises(Rejected) as info:
        call()
    return info.value.code


# ---- scoring ----------------------------------------------------------------------------
def test_binary_scoring_gives_a_whole_point_for_a_correct_answer_at_any_time() -> None:
    for elapsed in (0, 7_000, 20_000):
        assert score_points("binary", True, elapsed, 20_000) == POINTS_PER_QUESTION


def test_speed_scoring_gives_full_marks_at_once_and_half_at_the_buzzer() -> None:
    assert score_points("speed", True, 0, 20_000) == 20
    assert score_points("speed", True, 20_000, 20_000) == 10
    assert as_score(score_points("speed", True, 0, 20_000)) == 1.0
    assert as_score(score_points("speed", True, 20_000, 20_000)) == 0.5


@pytest.mark.parametrize(
    ("elapsed", "expected_score"),
    [
        (500, 1.0),  # 0.9875 rounds up
        (1_000, 1.0),  # 0.975 is half-way: up
        (1_500, 0.95),  # 0.9625
        (9_000, 0.8),  # 0.775 is half-way: up
        (10_000, 0.75),
        (19_000, 0.55),  # 0.525 is half-way: up
    ],
)
def test_speed_scoring_rounds_half_up_onto_the_005_grid(
    elapsed: int, expected_score: float
) -> None:
    assert as_score(score_points("speed", True, elapsed, 20_000)) == expected_score


@given(limit_s=st.integers(5, 600), data=st.data())
def test_speed_scores_are_whole_points_between_ten_and_twenty_that_never_rise_with_time(
    limit_s: int, data: st.DataObject
) -> None:
    limit_ms = limit_s * SECOND
    early = data.draw(st.integers(0, limit_ms))
    later = data.draw(st.integers(early, limit_ms))
    points = score_points("speed", True, early, limit_ms)
    exact = Fraction(20) * (1 - Fraction(1, 2) * Fraction(early, limit_ms))
    assert points == math.floor(exact + Fraction(1, 2))
    assert 10 <= points <= 20
    assert score_points("speed", True, later, limit_ms) <= points


def test_every_point_count_is_a_score_on_the_005_grid_from_zero_to_one() -> None:
    scores = [as_score(points) for points in range(POINTS_PER_QUESTION + 1)]
    assert scores == [round(0.05 * k, 2) for k in range(21)]
    assert scores[0] == 0.0 and scores[-1] == 1.0
    assert as_score(11) == 0.55


@pytest.mark.parametrize("score_fn", ["speed", "binary"])
def test_a_wrong_answer_scores_nothing_whatever_the_time(score_fn: str) -> None:
    for elapsed in (0, 10_000, 20_000, 30_000):
        assert score_points(score_fn, False, elapsed, 20_000) == 0


def test_speed_scoring_clamps_elapsed_time_to_the_limit_and_to_zero() -> None:
    assert score_points("speed", True, 45_000, 20_000) == 10
    assert score_points("speed", True, -300, 20_000) == 20


# ---- lifecycle ------------------------------------------------------------------------------
def test_a_run_goes_lobby_open_closed_between_open_closed_finished() -> None:
    game = new_game("s1")
    assert (game.state, game.current_idx) == (State.LOBBY, None)
    game.open_question(0, T0)
    assert (game.state, game.current_idx) == (State.QUESTION_OPEN, 0)
    game.close_question(T0 + 5 * SECOND)
    assert (game.state, game.current_idx) == (State.QUESTION_CLOSED, 0)
    assert game.show_leaderboard()
    assert (game.state, game.current_idx) == (State.BETWEEN_QUESTIONS, 0)
    game.open_question(1, T0 + 10 * SECOND)
    assert (game.state, game.current_idx) == (State.QUESTION_OPEN, 1)
    game.close_question(T0 + 15 * SECOND)
    game.finish()
    assert (game.state, game.current_idx) == (State.FINISHED, None)


def test_next_closes_the_open_question_and_moves_on_only_from_its_reveal() -> None:
    game = new_game("s1")
    assert game.next_step() is Step.OPEN
    game.open_question(0, T0)
    assert game.next_step() is Step.CLOSE
    game.close_question(T0 + 1)
    assert game.next_step() is Step.OPEN
    game.open_question(2, T0 + 2)
    game.close_question(T0 + 3)
    assert game.next_step() is Step.END
    game.finish()
    assert game.next_step() is None


def test_next_passes_an_open_slide_in_one_press_even_with_the_leaderboard_between() -> None:
    """A slide has nothing to close or reveal: Next on it goes on at once."""
    slides = QUIZ_DICT | {"leaderboard_between": True, "questions": [
        *QUIZ_DICT["questions"][:1], {"kind": "slide", "text": "Break"},
        *QUIZ_DICT["questions"][1:2], {"kind": "slide", "text": "The end"}]}
    game = new_game("s1", quiz=quiz_from_dict(slides))
    game.open_question(1, T0)
    assert game.next_step() is Step.PASS
    game.close_question(T0 + 1)
    assert game.next_step() is Step.LEADERBOARD  # closed by its own clock: as before
    game.open_question(3, T0 + 2)
    assert game.next_step() is Step.PASS


def test_with_leaderboard_between_next_shows_the_leaderboard_after_each_reveal() -> None:
    game = new_game("s1", quiz=quiz_from_dict(QUIZ_DICT | {"leaderboard_between": True}))
    game.open_question(2, T0)
    game.close_question(T0 + 1)
    assert game.next_step() is Step.LEADERBOARD
    assert game.show_leaderboard()
    assert game.next_step() is Step.END


def test_nobody_new_joins_a_finished_run_but_a_taken_id_is_still_a_duplicate() -> None:
    game = new_game("s1")
    game.finish()
    assert rejection(lambda: game.join("s9", "Late", "c9", T0)) == "quiz_finished"
    assert "s9" not in game.participants
    with pytest.raises(DuplicateStudentId):
        game.join("s1", "Other", "c", T0)


def test_next_question_idx_starts_at_zero_follows_the_current_one_and_ends_after_the_last() -> None:
    game = new_game()
    assert game.next_question_idx() == 0
    game.open_question(0, T0)
    assert game.next_question_idx() == 1
    game.close_question(T0 + 1)
    assert game.next_question_idx() == 1
    game.open_question(2, T0 + 2)
    assert game.next_question_idx() is None


@pytest.mark.parametrize("idx", [-1, 3, 99])
def test_opening_a_question_that_does_not_exist_is_rejected_as_bad_question(idx: int) -> None:
    game = new_game("s1")
    assert rejection(lambda: game.open_question(idx, T0)) == "bad_question"
    assert (game.state, game.current_idx, game.openings) == (State.LOBBY, None, {})


def test_opening_a_question_while_another_is_open_is_refused_until_it_closes() -> None:
    game = new_game()
    game.open_question(0, T0)
    assert rejection(lambda: game.open_question(1, T0 + 1)) == "not_open"
    assert (game.state, game.current_idx) == (State.QUESTION_OPEN, 0)


def test_an_opening_uses_the_override_else_the_questions_own_else_the_default_limit() -> None:
    game = new_game()
    assert game.open_question(0, T0).time_limit == 20
    game.close_question(T0 + 1)
    assert game.open_question(1, T0 + 2).time_limit == 10
    game.close_question(T0 + 3)
    opening = game.open_question(2, T0 + 4, time_limit=45)
    assert opening.time_limit == 45
    assert opening.deadline == T0 + 4 + 45 * SECOND
    assert opening.remaining_ms(T0 + 4 + 5 * SECOND) == 40 * SECOND
    assert opening.remaining_ms(T0 + 4 + 50 * SECOND) == 0


def test_closing_twice_is_harmless_and_the_second_close_returns_none() -> None:
    game = new_game("s1")
    game.open_question(0, T0)
    assert game.close_question(T0 + SECOND) is not None
    assert game.close_question(T0 + 2 * SECOND) is None
    assert game.state is State.QUESTION_CLOSED
    assert game.openings[0].closed_at == T0 + SECOND
    assert len(list(game.answers[0].values())) == 1


def test_closing_with_no_question_open_returns_none() -> None:
    game = new_game("s1")
    assert game.close_question(T0) is None
    assert game.state is State.LOBBY


def test_closing_gives_a_missed_row_to_every_participant_without_an_answer() -> None:
    game = new_game("s1", "s2", "s3")
    game.open_question(0, T0)
    answer(game, "s2", 0, "B", T0 + SECOND)
    missed = game.close_question(T0 + 2 * SECOND)
    assert missed is not None
    assert sorted(s.student_id for s in missed) == ["s1", "s3"]
    for student_id in ("s1", "s3"):
        row = game.submission(student_id, 0)
        assert row is not None
        assert (row.status, row.answer, row.points, row.correct) == ("missed", None, 0, False)
    assert game.submission("s2", 0).status == "submitted"


def test_show_leaderboard_only_follows_a_closed_question() -> None:
    game = new_game()
    assert not game.show_leaderboard()
    game.open_question(2, T0)
    assert not game.show_leaderboard()
    game.close_question(T0 + 1)
    assert game.show_leaderboard()
    assert game.next_question_idx() is None  # past the last: the next step ends the run
    assert not game.show_leaderboard()


def test_reopening_lets_the_missed_answer_keeps_given_answers_and_restarts_the_clock() -> None:
    game = new_game("s1", "s2")
    game.open_question(0, T0)
    first = answer(game, "s1", 0, "B", T0 + 2 * SECOND)
    game.close_question(T0 + 20 * SECOND)
    assert game.submission("s2", 0).status == "missed"

    reopened_at = T0 + 60 * SECOND
    opening = game.open_question(0, reopened_at)
    assert (opening.opened_at, opening.closed_at) == (reopened_at, None)
    assert game.openings[0] is opening
    assert game.submission("s2", 0) is None
    assert game.submission("s1", 0) == first
    assert game.histogram(0, pending=True) == {
        "A": 0,
        "B": 1,
        "C": 0,
        "D": 0,
        "missed": 0,
        "pending": 1,
    }
    # The new clock: 3 s after the reopening is 3 s, not 63 s.
    late = answer(game, "s2", 0, "B", reopened_at + 3 * SECOND)
    assert late.elapsed_ms == 3 * SECOND
    assert game.total_of("s1") == first.score


def test_a_question_asked_again_is_a_second_chance_the_new_answer_replaces_the_old() -> None:
    game = new_game("s1", "s2", "s3")
    game.open_question(0, T0)
    wrong = answer(game, "s1", 0, "A", T0 + 2 * SECOND)
    right = answer(game, "s2", 0, "B", T0 + 2 * SECOND)
    game.close_question(T0 + 20 * SECOND)
    assert (wrong.asking, game.total_of("s1"), game.total_of("s2")) == (1, 0.0, 0.95)

    again = game.open_question(0, T0 + 60 * SECOND)
    assert again.asking == 2
    # While it is open again, an earlier answer stands and the phone is shown it.
    assert game.earlier_answer("s1", 0) == wrong
    assert game.earlier_answer("s3", 0) is None  # missed it: nothing to stand
    second = game.check_submit("s1", 0, "B", T0 + 64 * SECOND)  # 4 s into its new clock
    assert (second.answer, second.asking, second.points) == ("B", 2, 18)
    assert game.record(second)
    assert game.submission("s1", 0) == second
    assert game.total_of("s1") == 0.9  # the new answer's score, the old one's gone
    assert game.earlier_answer("s1", 0) is None
    # A repeat within the same asking is the same answer sent again: the first stands.
    assert game.check_submit("s1", 0, "C", T0 + 62 * SECOND) == second
    assert not game.record(Submission("s1", 0, "C", T0, 0, 0, False, "submitted", 2))
    missed = game.close_question(T0 + 80 * SECOND)
    # Bob kept his first answer; only the one who never answered missed it.
    assert [m.student_id for m in missed or []] == ["s3"]
    assert game.submission("s2", 0) == right
    assert game.earlier_answer("s2", 0) is None  # closed: nothing is "earlier" now
    assert game.histogram(0) == {"A": 0, "B": 2, "C": 0, "D": 0, "missed": 1}
    assert game.check_submit("s1", 0, "B", T0 + 90 * SECOND) == second  # a late resend


def test_a_second_chance_that_scores_nothing_takes_the_points_off_the_standings_too() -> None:
    game = new_game("s1", "s2")
    game.open_question(0, T0)
    answer(game, "s1", 0, "B", T0)
    game.close_question(T0 + SECOND)
    assert [(s.student_id, s.points) for s in game.standings()] == [("s1", 20), ("s2", 0)]
    game.open_question(0, T0 + 2 * SECOND)
    answer(game, "s1", 0, "A", T0 + 3 * SECOND)  # wrong: no points this time
    assert [(s.student_id, s.points) for s in game.standings()] == [("s1", 0), ("s2", 0)]
    assert game.rank_of("s1") == game.rank_of("s2") == 1


def test_an_answer_the_disk_refused_after_a_re_ask_gives_the_earlier_one_back() -> None:
    game = new_game("s1")
    game.open_question(0, T0)
    first = answer(game, "s1", 0, "B", T0)
    game.close_question(T0 + SECOND)
    game.open_question(0, T0 + 2 * SECOND)
    replaced = game.earlier_answer("s1", 0)
    second = answer(game, "s1", 0, "A", T0 + 3 * SECOND)
    assert game.retract(second, replaced) is None
    assert game.submission("s1", 0) == first
    assert game.total_of("s1") == first.score


def test_after_asking_an_earlier_question_again_next_goes_on_from_where_the_teacher_was(
        ) -> None:
    game = new_game("s1")
    for idx in (0, 1):
        game.open_question(idx, T0 + idx * SECOND, moves_on=True)
        game.close_question(T0 + idx * SECOND + 1)
    assert game.next_question_idx() == 2
    game.open_question(0, T0 + 10 * SECOND)  # "Open this question" on a closed one
    assert game.next_question_idx() == 2  # not 1: the teacher was at question 2
    game.close_question(T0 + 11 * SECOND)
    assert game.next_step() is Step.OPEN and game.next_question_idx() == 2
    # A restart keeps where the teacher was.
    restored = restore(QUIZ, record_of(game), [])
    assert restored.next_question_idx() == 2
    assert restored.openings[0].asking == 2


# ---- joining --------------------------------------------------------------------------------
def test_the_first_claim_on_a_student_id_wins() -> None:
    game = new_game()
    game.join("s1", "Ada", "cookie-ada", T0)
    with pytest.raises(DuplicateStudentId) as info:
        game.join("s1", "Mallory", "cookie-mallory", T0 + 1)
    assert info.value.code == "duplicate_student_id"
    assert info.value.student_id == "s1"
    participant = game.participants["s1"]
    assert (participant.name, participant.cookie_id) == ("Ada", "cookie-ada")


def test_a_late_joiner_gets_missed_for_every_closed_question_but_not_for_the_open_one() -> None:
    game = new_game("s1")
    game.open_question(0, T0)
    game.close_question(T0 + SECOND)
    game.open_question(1, T0 + 2 * SECOND)
    game.close_question(T0 + 3 * SECOND)
    game.open_question(2, T0 + 4 * SECOND)
    missed = game.join("late", "Late", "cookie-late", T0 + 5 * SECOND)
    assert [(s.question_idx, s.status) for s in missed] == [(0, "missed"), (1, "missed")]
    assert game.submission("late", 2) is None
    answer(game, "late", 2, "C", T0 + 6 * SECOND)
    assert game.submission("late", 2).status == "submitted"


def test_a_joiner_during_the_reveal_misses_the_question_just_closed() -> None:
    game = new_game()
    game.open_question(0, T0)
    game.close_question(T0 + SECOND)
    missed = game.join("late", "Late", "c", T0 + 2 * SECOND)
    assert [(s.question_idx, s.status) for s in missed] == [(0, "missed")]
    assert game.histogram(0)["missed"] == 1


def test_a_joiner_in_the_lobby_gets_no_missed_rows() -> None:
    game = new_game()
    assert game.join("s1", "Ada", "c", T0) == []


def test_remove_frees_the_id_and_drops_the_answers_and_points() -> None:
    game = new_game("s1", "s2")
    game.open_question(0, T0)
    answer(game, "s1", 0, "B", T0)
    game.close_question(T0 + SECOND)
    assert game.total_of("s1") == 1.0
    assert game.remove("s1") is True
    assert "s1" not in game.participants
    assert game.submission("s1", 0) is None
    assert game.submissions_of("s1") == []
    assert game.total_of("s1") == 0.0
    assert game.rank_of("s1") is None
    assert [s.student_id for s in game.standings()] == ["s2"]
    assert game.histogram(0) == {"A": 0, "B": 0, "C": 0, "D": 0, "missed": 1}
    # The id is free: a new claim starts from nothing but the questions it missed.
    missed = game.join("s1", "Ada again", "new-cookie", T0 + 2 * SECOND)
    assert [s.question_idx for s in missed] == [0]
    assert game.total_of("s1") == 0.0


def test_removing_an_unknown_student_returns_false() -> None:
    assert new_game("s1").remove("nobody") is False


# ---- answering ------------------------------------------------------------------------------
def test_a_correct_answer_is_scored_by_the_time_since_the_question_opened() -> None:
    game = new_game("s1", "s2")
    game.open_question(0, T0)
    right = game.check_submit("s1", 0, "B", T0 + 10 * SECOND)
    wrong = game.check_submit("s2", 0, "A", T0 + SECOND)
    assert (right.elapsed_ms, right.points, right.score, right.correct) == (10_000, 15, 0.75, True)
    assert (right.answer, right.submitted_at, right.status) == ("B", T0 + 10_000, "submitted")
    assert (wrong.points, wrong.correct) == (0, False)


def test_binary_quiz_gives_one_for_any_correct_answer_in_time() -> None:
    game = new_game("s1", quiz=BINARY_QUIZ)
    game.open_question(0, T0)
    assert game.check_submit("s1", 0, "B", T0 + 19 * SECOND).score == 1.0


def test_check_submit_only_checks_and_record_keeps() -> None:
    game = new_game("s1")
    game.open_question(0, T0)
    submission = game.check_submit("s1", 0, "B", T0)
    assert game.submission("s1", 0) is None
    assert game.total_of("s1") == 0.0
    assert game.record(submission) is True
    assert game.submission("s1", 0) == submission
    assert game.total_of("s1") == 1.0


@pytest.mark.parametrize("idx", ["0", 0.0, True, False, None, [0], -1, 3, 10**9])
def test_a_question_idx_that_is_not_a_question_is_bad_question(idx: object) -> None:
    game = new_game("s1")
    game.open_question(0, T0)
    assert rejection(lambda: game.check_submit("s1", idx, "B", T0)) == "bad_question"


@pytest.mark.parametrize("letter", ["E", "a", "b", " B", "B ", None, 1, ["B"]])
def test_an_answer_that_is_not_an_option_letter_is_bad_answer(letter: object) -> None:
    game = new_game("s1")
    game.open_question(0, T0)
    assert rejection(lambda: game.check_submit("s1", 0, letter, T0)) == "bad_answer"


@pytest.mark.parametrize("letter", ["", "AB", "BC", "ABCD"])
def test_an_empty_answer_or_a_run_of_letters_is_bad_answer(letter: str) -> None:
    game = new_game("s1")
    game.open_question(0, T0)
    assert rejection(lambda: game.check_submit("s1", 0, letter, T0)) == "bad_answer"


def test_no_answer_a_student_can_send_breaks_the_histogram() -> None:
    game = new_game("s1")
    game.open_question(0, T0)
    for letter in ("AB", ""):
        assert (
            rejection(lambda letter=letter: game.check_submit("s1", 0, letter, T0)) == "bad_answer"
        )
    game.close_question(T0 + SECOND)
    assert game.histogram(0) == {"A": 0, "B": 0, "C": 0, "D": 0, "missed": 1}


def test_a_letter_beyond_this_questions_options_is_bad_answer() -> None:
    game = new_game("s1")
    game.open_question(1, T0)  # True / False: A and B only
    assert rejection(lambda: game.check_submit("s1", 1, "C", T0)) == "bad_answer"
    assert rejection(lambda: game.check_submit("s1", 1, "D", T0)) == "bad_answer"
    assert game.check_submit("s1", 1, "B", T0).answer == "B"


def test_answering_a_question_that_is_not_the_open_one_is_not_open() -> None:
    game = new_game("s1")
    assert rejection(lambda: game.check_submit("s1", 0, "B", T0)) == "not_open"
    game.open_question(0, T0)
    assert rejection(lambda: game.check_submit("s1", 1, "A", T0)) == "not_open"
    game.close_question(T0 + SECOND)
    assert rejection(lambda: game.check_submit("s1", 0, "B", T0 + 2 * SECOND)) == "not_open"
    game.show_leaderboard()
    assert rejection(lambda: game.check_submit("s1", 0, "B", T0 + 3 * SECOND)) == "not_open"


def test_an_answer_after_the_time_limit_is_time_expired_but_one_at_the_buzzer_counts() -> None:
    game = new_game("s1", "s2")
    game.open_question(1, T0)  # 10 s
    assert rejection(lambda: game.check_submit("s1", 1, "A", T0 + 10_001)) == "time_expired"
    at_buzzer = game.check_submit("s2", 1, "A", T0 + 10_000)
    assert (at_buzzer.elapsed_ms, at_buzzer.score) == (10_000, 0.5)


def test_a_repeat_returns_the_first_submission_unchanged_even_with_another_answer() -> None:
    game = new_game("s1")
    game.open_question(0, T0)
    first = answer(game, "s1", 0, "A", T0 + SECOND)
    again = game.check_submit("s1", 0, "B", T0 + 5 * SECOND)
    assert again == first
    assert game.record(again) is False
    assert game.total_of("s1") == 0.0


def test_a_repeat_after_the_question_closed_still_returns_the_first_submission() -> None:
    game = new_game("s1")
    game.open_question(0, T0)
    first = answer(game, "s1", 0, "B", T0 + SECOND)
    game.close_question(T0 + 2 * SECOND)
    game.open_question(1, T0 + 3 * SECOND)
    assert game.check_submit("s1", 0, "C", T0 + 60 * SECOND) == first


def test_someone_who_has_not_joined_cannot_answer() -> None:
    game = new_game("s1")
    game.open_question(0, T0)
    assert rejection(lambda: game.check_submit("ghost", 0, "B", T0)) == "not_joined"


def test_record_keeps_only_the_first_submission_per_student_and_question() -> None:
    game = new_game("s1")
    game.open_question(0, T0)
    first = game.check_submit("s1", 0, "A", T0)
    second = game.check_submit("s1", 0, "B", T0)  # checked before the first was recorded
    assert game.record(first) is True
    assert game.record(second) is False
    assert game.submission("s1", 0) == first
    assert game.total_of("s1") == 0.0


def test_retract_undoes_the_points_and_lets_the_student_answer_again() -> None:
    game = new_game("s1", "s2")
    game.open_question(0, T0)
    answer(game, "s2", 0, "B", T0 + 4 * SECOND)
    failed = answer(game, "s1", 0, "B", T0)
    assert game.rank_of("s1") == 1
    game.retract(failed)
    assert game.submission("s1", 0) is None
    assert game.total_of("s1") == 0.0
    assert game.rank_of("s1") == 2
    retried = answer(game, "s1", 0, "B", T0 + 2 * SECOND)
    assert game.total_of("s1") == retried.score == 0.95


def test_a_retracted_answer_on_a_question_closed_meanwhile_becomes_missed() -> None:
    game = new_game("s1")
    game.open_question(0, T0)
    failed = answer(game, "s1", 0, "B", T0)
    assert game.close_question(T0 + SECOND) == []
    game.retract(failed)
    row = game.submission("s1", 0)
    assert row is not None
    assert (row.status, row.points) == ("missed", 0)
    assert game.total_of("s1") == 0.0
    assert game.histogram(0) == {"A": 0, "B": 0, "C": 0, "D": 0, "missed": 1}


def test_retracting_a_submission_that_is_not_the_kept_one_changes_nothing() -> None:
    game = new_game("s1")
    game.open_question(0, T0)
    kept = game.check_submit("s1", 0, "B", T0)
    loser = game.check_submit("s1", 0, "A", T0)
    game.record(kept)
    game.retract(loser)
    assert game.submission("s1", 0) == kept
    assert game.total_of("s1") == 1.0


# ---- tallies --------------------------------------------------------------------------------
def test_the_histogram_counts_letters_missed_and_pending() -> None:
    game = new_game("s1", "s2", "s3", "s4", "s5")
    game.open_question(0, T0)
    answer(game, "s1", 0, "A", T0)
    answer(game, "s2", 0, "B", T0)
    answer(game, "s3", 0, "B", T0)
    assert game.histogram(0, pending=True) == {
        "A": 1,
        "B": 2,
        "C": 0,
        "D": 0,
        "missed": 0,
        "pending": 2,
    }
    assert game.histogram(0) == {"A": 1, "B": 2, "C": 0, "D": 0, "missed": 0}
    game.close_question(T0 + SECOND)
    assert game.histogram(0, pending=True) == {
        "A": 1,
        "B": 2,
        "C": 0,
        "D": 0,
        "missed": 2,
        "pending": 0,
    }


def test_a_question_never_opened_has_an_empty_histogram() -> None:
    game = new_game("s1")
    assert game.histogram(2, pending=True) == {
        "A": 0,
        "B": 0,
        "C": 0,
        "D": 0,
        "missed": 0,
        "pending": 1,
    }


def test_standings_order_by_score_then_name_then_id_and_ties_share_a_rank() -> None:
    game = Game(QUIZ)
    game.join("z9", "Zed", "c1", T0)
    game.join("b2", "Bea", "c2", T0)
    game.join("a1", "Bea", "c3", T0)
    game.join("c3", "Cal", "c4", T0)
    game.open_question(0, T0)
    answer(game, "c3", 0, "B", T0 + 10 * SECOND)  # 0.75
    answer(game, "z9", 0, "B", T0)  # 1.0
    standings = game.standings()
    assert [(s.rank, s.student_id, s.name, s.points) for s in standings] == [
        (1, "z9", "Zed", 20),
        (2, "c3", "Cal", 15),
        (3, "a1", "Bea", 0),  # same score and name as b2: the id decides the order only
        (3, "b2", "Bea", 0),
    ]
    assert [game.rank_of(sid) for sid in ("z9", "c3", "a1", "b2")] == [1, 2, 3, 3]


def test_ties_share_a_rank_and_the_next_score_skips_past_them() -> None:
    game = new_game("s1", "s2", "s3", "s4")
    game.open_question(0, T0)
    answer(game, "s1", 0, "B", T0)  # 1.0
    answer(game, "s2", 0, "B", T0 + 4 * SECOND)  # 0.9
    answer(game, "s3", 0, "B", T0 + 4 * SECOND)  # 0.9
    answer(game, "s4", 0, "A", T0)  # wrong: 0
    assert [(s.student_id, s.rank) for s in game.standings()] == [
        ("s1", 1), ("s2", 2), ("s3", 2), ("s4", 4)]


def test_the_top_few_rank_as_the_whole_order_does_with_or_without_a_full_sort() -> None:
    game = new_game(*(f"s{n}" for n in range(1, 9)))
    game.open_question(0, T0)
    for n, (answer_given, delay) in enumerate([("B", 0), ("B", 4), ("B", 4), ("A", 0),
                                               ("B", 8), ("B", 4)], start=1):
        answer(game, f"s{n}", 0, answer_given, T0 + delay * SECOND)
    for count in (1, 3, 4, 20):
        game._standings_changed()
        fresh = game.top(count)  # the standings are stale: a partial selection
        assert fresh == game.standings()[:count]
        assert game.top(count) == fresh  # and from the sorted standings


def test_two_students_at_zero_share_a_rank_whoever_answered() -> None:
    game = new_game("s1", "s2", "s3")
    game.open_question(0, T0)
    answer(game, "s1", 0, "B", T0)
    answer(game, "s3", 0, "A", T0)  # answered, wrong
    game.close_question(T0 + 20 * SECOND)  # s2 never answered
    assert [game.rank_of(sid) for sid in ("s1", "s2", "s3")] == [1, 2, 2]
    assert game.rank_of("nobody") is None


def test_standings_follow_every_change_of_score() -> None:
    game = new_game("s1", "s2")
    assert [s.student_id for s in game.standings()] == ["s1", "s2"]
    game.open_question(0, T0)
    answer(game, "s2", 0, "B", T0)
    assert [s.student_id for s in game.standings()] == ["s2", "s1"]
    game.remove("s2")
    assert [s.student_id for s in game.standings()] == ["s1"]


def test_a_total_is_the_exact_sum_of_the_scores_on_the_grid() -> None:
    game = new_game("s1")
    for idx, letter in enumerate("BAC"):
        game.open_question(idx, T0 + idx * 100 * SECOND, time_limit=20)
        answer(game, "s1", idx, letter, T0 + idx * 100 * SECOND + 19 * SECOND)  # 0.55 each
        game.close_question(T0 + idx * 100 * SECOND + 20 * SECOND)
    assert game.total_of("s1") == 1.65
    assert game.total_of("nobody") == 0.0


def test_the_summary_counts_answered_and_correct_questions() -> None:
    game = new_game("s1")
    game.open_question(0, T0)
    answer(game, "s1", 0, "B", T0)
    game.close_question(T0 + 1)
    game.open_question(1, T0 + 2)
    answer(game, "s1", 1, "B", T0 + 3)
    game.close_question(T0 + 4)
    game.open_question(2, T0 + 5)
    game.close_question(T0 + 6)
    assert game.summary_of("s1") == {"questions_answered": 2, "questions_correct": 1,
                                     "questions_asked": 3}
    assert [s.status for s in game.submissions_of("s1")] == ["submitted", "submitted", "missed"]
    assert game.summary_of("nobody") == {"questions_answered": 0, "questions_correct": 0,
                                         "questions_asked": 3}


# ---- restore --------------------------------------------------------------------------------
def record_of(game: Game) -> dict:
    """What the store keeps: fresh participant rows, openings, every answer row and events."""
    return {
        "participants": [
            Participant(p.student_id, p.name, p.cookie_id, p.joined_at)
            for p in game.participants.values()
        ],
        "openings": [dataclasses.replace(o) for o in game.openings.values()],
        "submissions": [s for by_student in game.answers.values() for s in by_student.values()],
        "state": game.state,
        "current_idx": game.current_idx,
    }


def played_game() -> tuple[Game, list[tuple[str, str, int]]]:
    game = new_game("s1", "s2", "s3", "s4")
    events = [
        ("s1", "blur", T0 + 1),
        ("s2", "visibility_hidden", T0 + 2),
        ("s2", "duplicate_join", T0 + 3),
        ("nobody", "duplicate_join", T0 + 4),
    ]
    for student_id, kind, ts in events:
        game.record_event(student_id, kind, ts)
    game.open_question(0, T0)
    answer(game, "s1", 0, "B", T0 + 3 * SECOND)
    answer(game, "s2", 0, "A", T0 + 4 * SECOND)
    answer(game, "s3", 0, "B", T0 + 9 * SECOND)
    game.close_question(T0 + 20 * SECOND)
    game.show_leaderboard()
    game.open_question(1, T0 + 30 * SECOND)
    answer(game, "s4", 1, "A", T0 + 31 * SECOND)
    answer(game, "s1", 1, "B", T0 + 32 * SECOND)
    game.join("late", "Late", "c", T0 + 33 * SECOND)
    return game, events


def restore(quiz: Quiz, record: dict, events: list[tuple[str, str, int]]) -> Game:
    return Game.restore(
        quiz,
        record["participants"],
        record["openings"],
        record["submissions"],
        events,
        record["state"],
        record["current_idx"],
    )


def test_restore_reproduces_the_live_games_standings_histograms_and_answers() -> None:
    live, events = played_game()
    restored = restore(QUIZ, record_of(live), events)
    assert (restored.state, restored.current_idx) == (State.QUESTION_OPEN, 1)
    assert restored.standings() == live.standings()
    for idx in range(len(QUIZ)):
        assert restored.histogram(idx, pending=True) == live.histogram(idx, pending=True)
    for student_id in live.participants:
        assert restored.total_of(student_id) == live.total_of(student_id)
        assert restored.rank_of(student_id) == live.rank_of(student_id)
        assert restored.submissions_of(student_id) == live.submissions_of(student_id)
        assert restored.summary_of(student_id) == live.summary_of(student_id)
    assert restored.audits == live.audits
    assert restored.openings == live.openings


def test_a_restored_game_goes_on_exactly_like_the_live_one() -> None:
    live, events = played_game()
    restored = restore(QUIZ, record_of(live), events)
    for game in (live, restored):
        assert game.check_submit("s4", 1, "B", T0 + 40 * SECOND).answer == "A"  # a repeat
        answer(game, "s2", 1, "A", T0 + 35 * SECOND)
        game.close_question(T0 + 40 * SECOND)
    assert restored.standings() == live.standings()
    assert restored.histogram(1) == live.histogram(1)
    assert restored.submissions_of("late") == live.submissions_of("late")


def test_restore_ignores_answers_of_students_no_longer_in_the_record() -> None:
    live, events = played_game()
    record = record_of(live)
    record["participants"] = [p for p in record["participants"] if p.student_id != "s1"]
    restored = restore(QUIZ, record, events)
    assert "s1" not in restored.participants
    assert restored.submission("s1", 0) is None
    assert sum(restored.histogram(0).values()) == len(live.participants) - 1


def test_restoring_onto_a_shorter_quiz_that_lost_the_current_question_ends_the_run() -> None:
    live, events = played_game()  # question 1 is open
    shorter = dataclasses.replace(QUIZ, questions=QUIZ.questions[:1])
    restored = restore(shorter, record_of(live), events)
    assert (restored.state, restored.current_idx) == (State.FINISHED, None)
    assert restored.histogram(0) == live.histogram(0)
    for student_id in restored.participants:  # only the questions the quiz still has count
        kept = live.submission(student_id, 0)
        assert restored.total_of(student_id) == (kept.score if kept else 0)


def test_restoring_a_current_question_that_was_never_opened_goes_back_to_the_lobby() -> None:
    game = new_game("s1")
    restored = Game.restore(
        QUIZ, [Participant("s1", "Ada", "c", T0)], [], [], [], State.QUESTION_OPEN, 2
    )
    assert (restored.state, restored.current_idx) == (State.LOBBY, None)
    assert restored.standings()[0].student_id == game.standings()[0].student_id


def test_restoring_a_closed_question_keeps_it_closed() -> None:
    live = new_game("s1", "s2")
    live.open_question(2, T0)
    answer(live, "s1", 2, "C", T0)
    live.close_question(T0 + SECOND)
    restored = restore(QUIZ, record_of(live), [])
    assert (restored.state, restored.current_idx) == (State.QUESTION_CLOSED, 2)
    assert restored.openings[2] == Opening(2, T0, 20, T0 + SECOND, asking=1, order=0)
    assert restored.histogram(2) == {"A": 0, "B": 0, "C": 1, "D": 0, "missed": 1}
    assert restored.next_question_idx() is None


def test_a_partly_right_answer_to_a_warm_up_is_partial_though_it_scores_nothing() -> None:
    multi = {"kind": "multi", "text": "Which?", "options": ["a", "b", "c", "d"],
             "correct": "AC", "scoring": "partial"}
    game = Game(quiz_from_dict({"title": "Warm-up", "questions": [multi | {"points": 0},
                                                                   multi]}))
    game.join("s1", "Sam", "cookie", 0)
    for idx in (0, 1):
        game.open_question(idx, 1000)
        assert game.record(game.check_submit("s1", idx, "A", 1500))
        game.close_question(2000)
    assert [(game.submission("s1", i).points, game.result_of("s1", i)) for i in (0, 1)] == [
        (0, "partial"), (10, "partial")]
    assert game.totals_of("s1").partial == 2

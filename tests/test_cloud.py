"""The word cloud (``cloud``): entries cleaned and grouped like typed answers, nothing
scored, the top words live on the projector whether live answers are on or off."""

from __future__ import annotations

from typing import Any

import pytest

from trivia_trio.core import projector_views, views
from trivia_trio.core.formats import csv_format
from trivia_trio.core.game import Game
from trivia_trio.core.kinds.cloud import CLOUD_WORDS
from trivia_trio.core.quiz import QuizError, quiz_from_dict
from trivia_trio.core.record import Rejected

T0 = 1_700_000_000_000


def cloud_game(**fields: Any) -> Game:
    question = {"kind": "cloud", "text": "One word for today?"} | fields
    game = Game(quiz_from_dict({"title": "Cloud", "questions": [question]}), "room/1")
    for n in range(1, 8):
        game.join(f"s{n}", f"S{n}", f"c-s{n}", T0)
    game.open_question(0, T0)
    return game


def answer(game: Game, student: str, given: Any) -> None:
    assert game.record(game.check_submit(student, 0, given, T0 + 1000))


def projector(game: Game, *, live_answers: bool) -> dict[str, Any]:
    return projector_views.projector_state_message(game, session_id="r", join_url="/", qr_url="q",
                                         live_answers=live_answers, now=T0 + 2000)


def test_entries_group_like_typed_answers_and_show_in_the_most_given_spelling() -> None:
    game = cloud_game(max_answers=3)
    answer(game, "s1", ["Café", "  sunny  day "])
    answer(game, "s2", ["cafe", "Sunny Day", "CAFÉ"])  # the same word twice counts once
    answer(game, "s3", "café")
    top = views.live_histogram_message(game, 0)["top_answers"]
    assert [(row["answer"].casefold(), row["count"]) for row in top] == [
        ("café", 3), ("sunny day", 2)]
    assert game.submission("s2", 0).answer == "cafe\nSunny Day"
    assert views.question_closed_own(game, 0, "s2")["your_answer"] == ["cafe", "Sunny Day"]


def test_nothing_is_scored_and_the_results_say_not_scored() -> None:
    game = cloud_game()
    answer(game, "s1", "tired")
    assert game.submission("s1", 0).score == 0.0
    game.close_question(T0 + 5000)
    own = views.question_closed_own(game, 0, "s1")
    assert (own["your_correct"], own["your_total"]) == (None, 0.0)
    assert game.result_of("s1", 0) == "not_scored"


@pytest.mark.parametrize("given", [["a", "b"], "x" * 41, "", "   ", [], [1], {"w": "a"}, None])
def test_too_many_too_long_or_empty_entries_are_refused(given: Any) -> None:
    game = cloud_game()
    with pytest.raises(Rejected) as caught:
        game.check_submit("s1", 0, given, T0 + 1000)
    assert caught.value.code == "bad_answer"


def test_the_projector_gets_the_top_60_words_live_even_with_live_answers_off() -> None:
    game = cloud_game()
    for n in range(1, 8):
        answer(game, f"s{n}", "sun" if n <= 4 else f"word {n}")
    live = projector(game, live_answers=False)["live_histogram"]
    assert live["top_answers"][0] == {"answer": "sun", "count": 4}
    assert "counts" not in live
    many = Game(quiz_from_dict({"title": "C", "questions": [
        {"kind": "cloud", "text": "q"}]}), "room/2")
    many.open_question(0, T0)
    for n in range(CLOUD_WORDS + 10):
        many.join(f"p{n}", f"P{n}", f"c-p{n}", T0)
        assert many.record(many.check_submit(f"p{n}", 0, f"w{n}", T0 + 1))
    assert len(projector(many, live_answers=False)["live_histogram"]["top_answers"]) == \
        CLOUD_WORDS


def test_max_answers_is_1_to_3_and_survives_json_and_csv() -> None:
    with pytest.raises(QuizError) as caught:
        quiz_from_dict({"title": "t", "questions": [
            {"kind": "cloud", "text": "q", "max_answers": 4},
            {"kind": "cloud", "text": "q", "correct": "A"}]})
    assert caught.value.problems == [
        "question 1: max_answers must be a whole number from 1 to 3",
        "question 2: a word cloud has no right answer; remove its correct field"]
    quiz = quiz_from_dict({"title": "t", "questions": [
        {"kind": "cloud", "text": "q", "max_answers": 2}, {"kind": "cloud", "text": "r"}]})
    assert quiz_from_dict(quiz.to_dict()) == quiz
    written = csv_format.dump(quiz)
    assert "max_answers" in written.splitlines()[0].split(",")
    back = csv_format.parse(written, title="t").quiz()
    assert back.questions == quiz.questions

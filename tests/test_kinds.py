"""Question kinds: the rules of each kind, as properties and as the messages they make.

Plain synchronous tests over a Game driven by hand. For every kind that has a
right answer: a right answer at once scores 1, a wrong one 0, normalising an
answer twice changes nothing, and what phones see before the reveal never
contains the answer (searched for in the serialised message).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trivia_trio.core import projector_views, views
from trivia_trio.core.answer_groups import AnswerGroups
from trivia_trio.core.game import Game
from trivia_trio.core.kinds import KINDS
from trivia_trio.core.kinds.base import BadAnswer
from trivia_trio.core.kinds.text import fold
from trivia_trio.core.quiz import QuizError, quiz_from_dict
from trivia_trio.core.record import Rejected

T0 = 1_700_000_000_000
SECOND = 1000

# Question text and options use lower-case words; answers that must not leak use capitals
# or numbers with a fractional part no timestamp has, so a search finds only a leak.
WORDS = st.text(alphabet="abcdefgh ", min_size=1, max_size=12).filter(str.strip)
SECRET_WORDS = st.text(alphabet="QXZJ", min_size=3, max_size=10)
LETTERS = "ABCDEF"


@st.composite
def choice_case(draw: st.DrawFn) -> tuple[dict[str, Any], Any, Any]:
    n = draw(st.integers(2, 6))
    right = draw(st.sets(st.sampled_from(LETTERS[:n]), min_size=1, max_size=n - 1))
    wrong = draw(st.sampled_from([x for x in LETTERS[:n] if x not in right]))
    options = [f"option {i}" for i in range(n)]
    question = {"kind": "choice", "text": "pick", "options": options,
                "correct": "".join(sorted(right))}
    return question, draw(st.sampled_from(sorted(right))), wrong


@st.composite
def truefalse_case(draw: st.DrawFn) -> tuple[dict[str, Any], Any, Any]:
    truth = draw(st.booleans())
    right, wrong = ("A", "B") if truth else ("B", "A")
    return {"kind": "truefalse", "text": "so?", "correct": truth}, right, wrong


@st.composite
def multi_case(draw: st.DrawFn) -> tuple[dict[str, Any], Any, Any]:
    n = draw(st.integers(2, 6))
    right = sorted(draw(st.sets(st.sampled_from(LETTERS[:n]), min_size=1, max_size=n - 1)))
    wrong = [x for x in LETTERS[:n] if x not in right]
    scoring = draw(st.sampled_from(["all", "partial"]))
    question = {"kind": "multi", "text": "tick", "options": [f"o{i}" for i in range(n)],
                "correct": "".join(right), "scoring": scoring}
    shuffled = draw(st.permutations(right))
    return question, "".join(shuffled), "".join(wrong)


@st.composite
def text_case(draw: st.DrawFn) -> tuple[dict[str, Any], Any, Any]:
    accept = draw(st.lists(SECRET_WORDS, min_size=1, max_size=4, unique_by=str.casefold))
    typed = draw(st.sampled_from(accept))
    # The student's spelling: other case, spaces around and doubled inside.
    right = "  " + typed.lower().replace("q", "q ") .replace(" ", "  ") + " "
    right = right if fold(right) in {fold(a) for a in accept} else typed
    return {"kind": "text", "text": "type it", "accept": accept}, right, "nothing like it"


@st.composite
def number_case(draw: st.DrawFn) -> tuple[dict[str, Any], Any, Any]:
    correct = draw(st.integers(1000, 9999)) + 0.375
    tolerance = draw(st.sampled_from([0, 0.5, 2]))
    question: dict[str, Any] = {"kind": "number", "text": "how many", "correct": correct,
                                "tolerance": tolerance}
    if draw(st.booleans()):
        question |= {"min": 0, "max": 20000, "step": 0.125}
    right = correct + draw(st.sampled_from([0, tolerance, -tolerance]))
    return question, right, correct + tolerance + 1


@st.composite
def order_case(draw: st.DrawFn) -> tuple[dict[str, Any], Any, Any]:
    n = draw(st.integers(3, 6))
    items = [f"item {i}" for i in range(n)]
    return {"kind": "order", "text": "sort", "items": items}, None, None


CASES = {"choice": choice_case(), "truefalse": truefalse_case(), "multi": multi_case(),
         "text": text_case(), "number": number_case(), "order": order_case()}


def game_of(question: dict[str, Any], *, score_fn: str = "speed", seed: str = "room/1"
            ) -> Game:
    quiz = quiz_from_dict({"title": "Kinds", "score_fn": score_fn, "questions": [question]})
    game = Game(quiz, seed)
    for student in ("s1", "s2", "s3"):
        game.join(student, student.upper(), f"c-{student}", T0)
    game.open_question(0, T0)
    return game


def right_and_wrong(game: Game, right: Any, wrong: Any) -> tuple[Any, Any]:
    """An order question's right answer depends on its run's shuffle."""
    kind = game.kind(0)
    if kind.name == "order":
        correct = kind.reveal()
        return correct, correct[1:] + correct[:1]
    return right, wrong


def submit(game: Game, student: str, answer: Any, now: int = T0):
    submission = game.check_submit(student, 0, answer, now)
    assert game.record(submission)
    return submission


@pytest.mark.parametrize("name", CASES)
@settings(max_examples=40)
@given(data=st.data())
def test_a_right_answer_at_once_scores_1_and_a_wrong_one_0(name: str, data: st.DataObject
                                                          ) -> None:
    question, right, wrong = data.draw(CASES[name])
    for score_fn in ("speed", "binary"):
        game = game_of(question, score_fn=score_fn)
        right, wrong = right_and_wrong(game, right, wrong)
        assert submit(game, "s1", right).score == 1.0
        assert submit(game, "s2", wrong, T0 + 3 * SECOND).score == 0.0
        repeat = game.check_submit("s2", 0, right, T0)
        assert (repeat.answer, repeat.score) == (game.kind(0).normalise(wrong), 0.0)


@pytest.mark.parametrize("name", CASES)
@settings(max_examples=40)
@given(data=st.data())
def test_normalising_an_answer_twice_changes_nothing(name: str, data: st.DataObject) -> None:
    question, right, wrong = data.draw(CASES[name])
    game = game_of(question)
    kind = game.kind(0)
    for answer in right_and_wrong(game, right, wrong):
        stored = kind.normalise(answer)
        assert kind.normalise(kind.wire_answer(stored)) == stored


@given(st.text(max_size=60), st.booleans())
def test_folding_typed_text_twice_changes_nothing(text: str, exact: bool) -> None:
    assert fold(fold(text, exact=exact), exact=exact) == fold(text, exact=exact)


@pytest.mark.parametrize("name", CASES)
@settings(max_examples=40)
@given(data=st.data())
def test_what_phones_see_before_the_reveal_never_holds_the_answer(name: str,
                                                                  data: st.DataObject) -> None:
    question, right, wrong = data.draw(CASES[name])
    game = game_of(question)
    right, _ = right_and_wrong(game, right, wrong)
    shown = views.encode(views.question_open_message(game, 0, T0))
    projector = views.encode(projector_views.projector_state_message(
        game, session_id="room", join_url="/", qr_url="data:,", live_answers=True, now=T0))
    for text in (shown, projector):
        assert '"correct"' not in text and '"accept"' not in text and '"tolerance"' not in text
    if name == "text":
        assert not any(answer in shown for answer in question["accept"])
    if name == "number":
        assert json.dumps(question["correct"]) not in shown
    if name == "order":
        items = json.loads(shown)["items"]
        assert items != question["items"] and sorted(items) == sorted(question["items"])


# ---- what each kind accepts ----------------------------------------------------------------
@pytest.mark.parametrize(("question", "bad"), [
    ({"kind": "choice", "text": "q", "options": ["a", "b", "c", "d", "e"], "correct": "E"},
     ["F", "a", "AB", "", 1, None, ["A"]]),
    ({"kind": "truefalse", "text": "q", "correct": True}, ["C", "true", True, ""]),
    ({"kind": "multi", "text": "q", "options": ["a", "b", "c"], "correct": "AC"},
     ["", "AA", "AD", "a", 3, ["A"]]),
    ({"kind": "text", "text": "q", "accept": ["Paris"]}, ["", "   ", "x" * 201, 5, None]),
    ({"kind": "number", "text": "q", "correct": 3}, ["3", True, None, float("nan"), 1e300]),
    ({"kind": "order", "text": "q", "items": ["a", "b", "c"]},
     ["AB", "ABCD", "AAB", "abc", ["A", "B", "C"]]),
    ({"kind": "poll", "text": "q", "options": ["a", "b"]}, ["C", ""]),
    ({"kind": "slide", "text": "look"}, ["A", "", None]),
])
def test_anything_but_a_well_formed_answer_is_a_bad_answer(question: dict[str, Any],
                                                          bad: list[Any]) -> None:
    game = game_of(question)
    for answer in bad:
        with pytest.raises(Rejected) as caught:
            game.check_submit("s1", 0, answer, T0)
        assert caught.value.code == "bad_answer", answer
    assert game.submission("s1", 0) is None


def test_multi_stores_letters_sorted_and_partial_credit_counts_right_minus_wrong_picks() -> None:
    question = {"kind": "multi", "text": "primes", "options": ["2", "3", "4", "5"],
                "correct": "ABD", "scoring": "partial"}
    game = game_of(question, score_fn="binary")
    first = submit(game, "s1", "DA")
    assert (first.answer, first.score) == ("AD", 0.65)  # 2 of 3 right, on the 0.05 grid
    assert submit(game, "s2", "ACD").score == 0.35  # (2 - 1) / 3
    assert submit(game, "s3", "C").score == 0.0  # never below zero
    all_or_nothing = game_of(question | {"scoring": "all"}, score_fn="binary")
    assert submit(all_or_nothing, "s1", "AD").score == 0.0
    assert submit(all_or_nothing, "s2", "BDA").score == 1.0


def test_text_matches_after_normalising_accents_only_when_not_exact() -> None:
    question = {"kind": "text", "text": "capital", "accept": ["Besançon", "São Paulo"]}
    game = game_of(question)
    assert submit(game, "s1", "  BESANCON ").answer == "BESANCON"
    assert game.submission("s1", 0).correct
    assert submit(game, "s2", "sao   paulo").correct
    exact = game_of(question | {"exact": True})
    assert not submit(exact, "s1", "besancon").correct
    assert submit(exact, "s2", "BESANÇON").correct


LOOKS_LIKE_PARIS = ["Par\u200bis", "Paris\u00ad", "Pa\u200eris", "\u202eParis\u202c",
                    "\ufeffParis", " Paris\u2060 "]


def test_a_typed_answer_that_looks_like_paris_is_paris_when_graded_stored_and_shown() -> None:
    """Invisible and bidi characters are dropped, as names are cleaned, before anything."""
    kind = game_of({"kind": "text", "text": "capital", "accept": ["Paris"]}).kind(0)
    stored = [kind.normalise(answer) for answer in LOOKS_LIKE_PARIS]
    assert stored == ["Paris"] * len(LOOKS_LIKE_PARIS)
    assert all(kind.credit(answer) == 1.0 for answer in stored)
    assert kind.top_answers(AnswerGroups.of(kind, stored)) == \
        [{"answer": "Paris", "count": 6, "correct": True}]
    assert kind.normalise("Besanc\u0327on") == "Besan\u00e7on"  # NFC
    assert kind.normalise(" São\u00a0\u00a0Paulo\n") == "São Paulo"
    assert kind.normalise("Pa\tris") == "Pa ris"  # a tab is a space, not nothing
    with pytest.raises(BadAnswer):
        kind.normalise("\u200b\u202e\u00ad")
    game = game_of({"kind": "text", "text": "capital", "accept": ["Paris"]})
    first = submit(game, "s1", "Par\u200bis")
    assert (first.answer, first.score) == ("Paris", 1.0)
    assert views.ack_message(game, first)["answer"] == "Paris"


def test_number_within_the_tolerance_is_right_and_is_stored_as_its_json_text() -> None:
    game = game_of({"kind": "number", "text": "pi", "correct": 3.14, "tolerance": 0.01})
    assert submit(game, "s1", 3.15).correct
    assert game.submission("s1", 0).answer == "3.15"
    assert not submit(game, "s2", 3.16).correct
    assert views.ack_message(game, game.submission("s1", 0))["answer"] == 3.15
    assert submit(game, "s3", 0.1 + 0.2 + 2.84).correct


def test_an_order_question_shows_the_same_shuffle_to_a_run_and_another_to_the_next_run() -> None:
    question = {"kind": "order", "text": "sort", "items": ["one", "two", "three", "four"]}
    first, same, other = (game_of(question, seed=s) for s in ("room/1", "room/1", "room/2"))
    shown = views.question_open_message(first, 0, T0)["items"]
    assert views.question_open_message(same, 0, T0)["items"] == shown
    assert shown != question["items"]
    correct = first.kind(0).reveal()
    assert [shown[LETTERS.index(letter)] for letter in correct] == question["items"]
    assert {tuple(views.question_open_message(game_of(question, seed=f"room/{n}"), 0,
                                              T0)["items"]) for n in range(8)} != {tuple(shown)}
    # An export reads a stored order back through that run's own shuffle.
    kind = other.kind(0)
    assert kind.describe(kind.reveal()) == "; ".join(
        f"{letter}: {item}" for letter, item in zip(kind.reveal(), question["items"],
                                                    strict=True))


def test_a_poll_scores_nothing_counts_every_answer_and_has_no_right_one() -> None:
    game = game_of({"kind": "poll", "text": "mood?", "options": ["good", "bad", "tired"]})
    assert submit(game, "s1", "C").score == 0.0
    submit(game, "s2", "C")
    game.close_question(T0 + 5 * SECOND)
    closed = views.question_closed_message(game, 0)
    assert (closed["correct"], closed["histogram"]) == (
        None, {"A": 0, "B": 0, "C": 2, "D": 0, "missed": 1})
    assert views.question_closed_own(game, 0, "s1")["your_correct"] is None
    assert game.summary_of("s1") == {"questions_answered": 1, "questions_correct": 0,
                                     "questions_asked": 1}


def test_a_slide_without_a_time_limit_has_no_clock_and_takes_no_answer() -> None:
    game = game_of({"kind": "slide", "text": "Look at this", "image": "a.png"})
    message = views.question_open_message(game, 0, T0 + 100 * SECOND)
    assert (message["kind"], message["time_limit"], message["remaining_ms"]) == (
        "slide", None, None)
    assert game.openings[0].deadline is None
    game.close_question(T0 + 100 * SECOND)
    assert views.question_closed_message(game, 0)["histogram"] == {"missed": 3}
    assert projector_views.projector_state_message(game, session_id="r", join_url="/", qr_url="q",
                                         live_answers=False, now=T0)[
        "response_time_distribution"] is None


# ---- the wire, per kind -----------------------------------------------------------------------
def test_question_open_adds_the_kind_its_fields_and_the_picture_never_the_answer() -> None:
    game = game_of({"kind": "number", "text": "g", "correct": 9.81, "tolerance": 0.1,
                    "min": 0, "max": 20, "step": 0.01, "image": "ab" * 32 + ".png"})
    message = views.question_open_message(game, 0, T0)
    assert message == {
        "type": "question_open", "question_idx": 0, "kind": "number", "text": "g",
        "min": 0, "max": 20, "step": 0.01, "image": "/media/" + "ab" * 32 + ".png",
        "time_limit": 20, "total_questions": 1, "opened_at_server_ts": T0,
        "remaining_ms": 20_000, "question_number": 1, "question_count": 1,
    }


def test_a_v1_question_is_sent_exactly_as_v1_and_six_options_are_not() -> None:
    v1 = game_of({"text": "q", "options": ["a", "b", "c", "d"], "correct": "B"})
    assert "kind" not in views.question_open_message(v1, 0, T0)
    six = game_of({"text": "q", "options": list("abcdef"), "correct": "F"})
    submit(six, "s1", "F")
    six.close_question(T0 + SECOND)
    assert views.question_open_message(six, 0, T0)["kind"] == "choice"
    assert views.question_closed_message(six, 0)["histogram"] == {
        "A": 0, "B": 0, "C": 0, "D": 0, "E": 0, "F": 1, "missed": 2}
    assert views.question_closed_own(six, 0, "s1")["your_correct"] is True


def test_typed_kinds_reveal_right_wrong_missed_and_the_top_answers_grouped() -> None:
    game = game_of({"kind": "text", "text": "capital of France?", "accept": ["Paris"]})
    game.join("s4", "S4", "c-s4", T0)
    submit(game, "s1", "paris")
    submit(game, "s2", " PARIS ")
    submit(game, "s3", "Lyon")
    live = views.live_histogram_message(game, 0)
    assert live["histogram"] == {"correct": 2, "wrong": 1, "missed": 0, "pending": 1}
    assert (live["submitted_count"], live["total_count"]) == (3, 4)
    game.close_question(T0 + 5 * SECOND)
    closed = views.question_closed_message(game, 0)
    assert closed["correct"] == ["Paris"]
    assert closed["histogram"] == {"correct": 2, "wrong": 1, "missed": 1}
    # A right group in the accepted answer's own spelling, not the folded one.
    assert closed["top_answers"] == [{"answer": "Paris", "count": 2, "correct": True},
                                     {"answer": "Lyon", "count": 1, "correct": False}]
    own = views.question_closed_own(game, 0, "s2")
    assert (own["your_answer"], own["your_correct"]) == ("PARIS", True)
    assert views.question_closed_own(game, 0, "s4")["your_correct"] is False
    reveal = projector_views.projector_state_message(game, session_id="r", join_url="/", qr_url="q",
                                           live_answers=False, now=T0)["reveal"]
    assert reveal["top_answers"] == closed["top_answers"]


def test_number_reveal_gives_value_and_tolerance_and_answers_as_numbers() -> None:
    game = game_of({"kind": "number", "text": "g", "correct": 10, "tolerance": 1})
    submit(game, "s1", 9.5)
    submit(game, "s2", 12)
    game.close_question(T0 + SECOND)
    closed = views.question_closed_message(game, 0)
    assert closed["correct"] == {"value": 10, "tolerance": 1}
    assert closed["top_answers"] == [{"answer": 9.5, "count": 1, "correct": True},
                                     {"answer": 12, "count": 1, "correct": False}]


# ---- quiz files ---------------------------------------------------------------------------------
def test_every_kind_survives_the_quiz_round_trip() -> None:
    questions = [
        {"kind": "choice", "text": "c", "options": ["a", "b", "c", "d", "e", "f"],
         "correct": "BD"},
        {"kind": "truefalse", "text": "t", "correct": False},
        {"kind": "multi", "text": "m", "options": ["a", "b"], "correct": "AB",
         "scoring": "partial"},
        {"kind": "text", "text": "x", "accept": ["a", "b"], "exact": True},
        {"kind": "number", "text": "n", "correct": 1.5, "tolerance": 0.5, "min": 0, "max": 9},
        {"kind": "order", "text": "o", "items": ["a", "b", "c"]},
        {"kind": "poll", "text": "p", "options": ["a", "b"]},
        {"kind": "slide", "text": "s"},
        {"kind": "cloud", "text": "w", "max_answers": 3},
    ]
    quiz = quiz_from_dict({"title": "All", "questions": questions})
    assert [q.kind.name for q in quiz.questions] == list(KINDS)
    assert quiz_from_dict(quiz.to_dict()) == quiz
    assert quiz.time_limit(7) is None and quiz.time_limit(6) == 20


@pytest.mark.parametrize("kind", ["choice", "multi"])
@pytest.mark.parametrize("correct", ["", " ", None, ","])
def test_no_right_answer_at_all_is_said_in_a_teachers_words(kind: str, correct: Any) -> None:
    question = {"kind": kind, "text": "q", "options": ["a", "b"], "correct": correct}
    with pytest.raises(QuizError) as caught:
        quiz_from_dict({"title": "t", "questions": [question]})
    assert caught.value.problems == ["question 1: needs at least one right answer (one of A, B)"]


def test_every_problem_of_every_kind_is_listed_at_once_in_the_teachers_terms() -> None:
    questions = [
        {"kind": "choice", "text": "c", "options": ["a"], "correct": "A"},
        {"kind": "truefalse", "text": "t", "correct": "yes"},
        {"kind": "multi", "text": "m", "options": ["a", "b"], "correct": "C", "scoring": "most"},
        {"kind": "text", "text": "x", "accept": []},
        {"kind": "number", "text": "n", "correct": "three", "tolerance": -1},
        {"kind": "order", "text": "o", "items": ["a", "a", "b"]},
        {"kind": "poll", "text": "p", "options": ["a", "b"], "correct": "A"},
        {"kind": "essay", "text": "e"},
        {"kind": "slide", "text": ""},
    ]
    with pytest.raises(QuizError) as caught:
        quiz_from_dict({"title": "Bad", "questions": questions})
    assert caught.value.problems == [
        "question 1: needs 2 to 6 options (A to F), it has 1",
        "question 2: the answer of a true/false question must be true or false",
        'question 3: scoring "most" is not one of all, partial',
        'question 3: the answer "C" is not one of A, B',
        "question 4: needs 1 to 20 accepted answers",
        'question 5: correct "three" is not a number',
        "question 5: the tolerance must not be negative",
        "question 6: two items are the same; students could not tell them apart",
        "question 7: a poll has no right answer; remove its correct field",
        'question 8: the kind "essay" is not one of choice, truefalse, multi, text, number,'
        " order, poll, slide, cloud",
        "question 9: the question text is missing or empty",
    ]



def test_a_slide_with_no_clock_is_stored_and_restored_with_no_clock(tmp_path) -> None:
    from trivia_trio.core.record import Opening
    from trivia_trio.store import database as db

    conn = db.connect(tmp_path / "t.sqlite3")
    record, _ = db.open_session(conn, "room", "{}", T0, default="{}")
    with conn:
        db.save_opening(conn, record.run_id, Opening(0, T0, None))
        db.save_opening(conn, record.run_id, Opening(1, T0, 30))
    restored = {o.question_idx: o.time_limit for o in db.load_session(conn, "room").openings}
    assert restored == {0: None, 1: 30}

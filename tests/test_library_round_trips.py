"""What the library exports comes back equal: JSON always, CSV, .xlsx and GIFT for what they
hold.

Quizzes of every kind are drawn at random; each goes out through the
library's own export writers and back in through ``load_quiz``, the path an
import takes.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trivia_trio.core.formats import gift
from trivia_trio.core.pictures import media_name
from trivia_trio.core.quiz import Quiz, quiz_from_dict
from trivia_trio.store.quiz_files import load_quiz
from trivia_trio.web.library_routes import EXPORTS, bundle

from . import picture_headers

SPECIALS = "abcXYZ09éß漢~=#{}:\\/,;\"'-_>[]."


def words(alphabet: str) -> st.SearchStrategy[str]:
    word = st.text(alphabet=st.sampled_from(alphabet), min_size=1, max_size=8)
    return st.lists(word, min_size=1, max_size=4).map(" ".join)


TEXT = words(SPECIALS)
LETTERS = "ABCDEF"


@st.composite
def question(draw: st.DrawFn, kind: str, *, for_gift: bool) -> dict[str, Any]:
    item: dict[str, Any] = {"text": draw(TEXT)}
    if kind != "choice":
        item["kind"] = kind
    if kind in ("choice", "multi", "poll"):
        item["options"] = draw(st.lists(TEXT, min_size=2, max_size=6, unique=True))
    if kind == "choice":  # any of the right letters is right; all of them may be
        picks = draw(st.sets(st.integers(0, len(item["options"]) - 1), min_size=1))
        item["correct"] = "".join(sorted(LETTERS[i] for i in picks))
    if kind == "multi":
        # In GIFT a multi with one right answer reads back as a choice (said in X-Left-Out).
        picks = draw(st.sets(st.integers(0, len(item["options"]) - 1),
                             min_size=2 if for_gift else 1))
        item["correct"] = "".join(sorted(LETTERS[i] for i in picks))
        if for_gift:
            item["scoring"] = "partial"  # GIFT shares the marks: partial credit
        elif draw(st.booleans()):
            item["scoring"] = "partial"
    if kind == "truefalse":
        item["correct"] = draw(st.booleans())
    if kind == "text":
        item["accept"] = draw(st.lists(TEXT, min_size=1, max_size=4, unique=True))
    if kind == "number":
        item["correct"] = draw(st.integers(-1000, 1000))
        item["tolerance"] = draw(st.sampled_from([0, 0.5, 2]))
        if not for_gift and draw(st.booleans()):
            item |= {"min": item["correct"] - 10, "max": item["correct"] + 10, "step": 1}
    if kind == "order":
        item["items"] = draw(st.lists(TEXT, min_size=3, max_size=6, unique=True))
    if kind == "cloud" and draw(st.booleans()):
        item["max_answers"] = draw(st.integers(2, 3))
    # GIFT keeps no explanation for a slide (said in the export's X-Left-Out).
    if not (for_gift and kind == "slide") and draw(st.booleans()):
        item["explanation"] = draw(TEXT)
    if not for_gift and kind != "slide" and draw(st.booleans()):
        item["time_limit"] = draw(st.integers(5, 600))
    return item


@st.composite
def quizzes(draw: st.DrawFn, kinds: tuple[str, ...], *, for_gift: bool = False) -> Quiz:
    chosen = draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=4))
    return quiz_from_dict({
        "title": "Round trip",
        "score_fn": "speed" if for_gift else draw(st.sampled_from(["speed", "binary"])),
        "questions": [draw(question(kind, for_gift=for_gift)) for kind in chosen],
    })


# Drawing a quiz of several kinds is slow on a busy 2-core machine; it is not a bug.
ROUND_TRIPS = settings(suppress_health_check=[HealthCheck.too_slow], max_examples=60)
ALL_KINDS = ("choice", "truefalse", "multi", "text", "number", "order", "poll", "slide",
             "cloud")


def exported_and_back(quiz: Quiz, fmt: str) -> Quiz:
    write, suffix, _ = EXPORTS[fmt]
    written = write(quiz)
    raw = written.encode("utf-8") if isinstance(written, str) else written
    return load_quiz(raw, filename=f"Round trip.{suffix}")


@ROUND_TRIPS
@given(quizzes(ALL_KINDS))
def test_json_export_comes_back_equal(quiz: Quiz) -> None:
    assert exported_and_back(quiz, "json") == quiz


@ROUND_TRIPS
@given(quizzes(ALL_KINDS))
def test_csv_export_comes_back_equal_for_every_kind(quiz: Quiz) -> None:
    back = exported_and_back(quiz, "csv")
    assert back.questions == quiz.questions


# A workbook written and read by openpyxl takes longer than hypothesis's deadline allows.
@settings(ROUND_TRIPS, deadline=None)
@given(quizzes(ALL_KINDS))
def test_xlsx_export_comes_back_equal_for_every_kind(quiz: Quiz) -> None:
    """The CSV's columns as real cells (numbers as numbers) read back as the CSV's text."""
    back = exported_and_back(quiz, "xlsx")
    assert back.questions == quiz.questions


@ROUND_TRIPS
@given(quizzes(gift.WRITES, for_gift=True))
def test_gift_export_comes_back_equal_for_the_kinds_gift_holds(quiz: Quiz) -> None:
    back = exported_and_back(quiz, "gift")
    assert back.questions == quiz.questions


def test_an_answer_holding_an_arrow_comes_back_from_gift_as_itself_not_as_matching() -> None:
    quiz = quiz_from_dict({"title": "Arrows", "questions": [
        {"kind": "text", "text": "Write the arrow", "accept": ["->", "a -> b"],
         "explanation": "x -> y"},
        {"text": "Which arrow?", "options": ["<-", "->"], "correct": "B"},
    ]})
    assert exported_and_back(quiz, "gift").questions == quiz.questions
    assert any('"->"' in line for line in gift.left_out(quiz))


PICTURES = st.binary(min_size=1, max_size=64).map(lambda tail: picture_headers.png(4, 3) + tail)


@ROUND_TRIPS
@given(quizzes(ALL_KINDS), st.lists(st.one_of(st.none(), PICTURES), min_size=4, max_size=4))
def test_bundle_export_comes_back_equal_with_its_pictures(
        quiz: Quiz, pictures: list[bytes | None]) -> None:
    data = quiz.to_dict()
    kept: dict[str, bytes] = {}
    for question, picture in zip(data["questions"], pictures, strict=False):
        if picture is not None:
            question["image"] = media_name(picture, "png")
            kept[question["image"]] = picture
    with_pictures = quiz_from_dict(data)  # as the library keeps it: images by media name
    raw = bundle(with_pictures, kept.get)
    back = load_quiz(raw, filename="Round trip.zip")
    assert back == with_pictures
    assert dict(back.media) == kept

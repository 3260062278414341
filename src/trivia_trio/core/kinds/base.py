"""What every question kind provides, and what the kinds that look alike share.

A kind is a frozen value built from one question of a quiz file. It answers
every question the rest of the program asks about that question: what a
phone may see (never the answer), whether a submitted answer is well formed
and how it is stored, how much credit it earns, how answers are tallied, and
what the reveal says. ``game.py`` and ``views.py`` only ever ask; they never
look at a kind's fields.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from ..answer_groups import AnswerGroups

LETTERS = "ABCDEF"
V1_LETTERS = 4  # a v1 question had at most options A..D
MAX_TEXT_CHARS = 2000
TOP_ANSWERS = 10

Report = Callable[[str], None]
"""Records one problem about the question being read, in the teacher's words."""


class BadAnswer(ValueError):
    """A submitted answer that is not well formed for its question (``bad_answer``)."""


@dataclass(frozen=True)
class Kind:
    """Base of every kind; see the module docstring."""

    name: ClassVar[str]
    # False for a poll (every answer is fine) and a slide (nothing to answer).
    has_right_answer: ClassVar[bool] = True
    takes_answers: ClassVar[bool] = True
    # A slide may stay up with no clock at all.
    needs_time_limit: ClassVar[bool] = True
    # A tally of right and wrong tells the room whether an answer is right: never public
    # while the question is open.
    tally_tells_right_from_wrong: ClassVar[bool] = False
    # The class's answers are what the question is for (a word cloud): the projector shows
    # them (``top_answers``) while the question is open, whether live answers are on or off.
    answers_on_projector: ClassVar[bool] = False
    # The teacher may hide an entry of its ``top_answers`` from the big screen (a word
    # cloud's unwanted word): see ``entry_key``.
    hides_entries: ClassVar[bool] = False
    # In a buttons-only run (phones.py) a phone needs nothing of the question but its kind
    # and option count: lettered buttons answer it, or there is nothing to answer.
    buttons_suffice: ClassVar[bool] = False
    # A student-paced run may show its options in an order of each student's own (paced.py):
    # not true/false's, nor a poll's scale; an order question's items are shuffled already.
    shuffles_options: ClassVar[bool] = False
    # Where a format that lays options out as columns (CSV's A..F) puts them: "options",
    # "items", or None for a kind without any.
    option_field: ClassVar[str | None] = None
    # The kind's own quiz-file fields that a format with one column per field (CSV) writes
    # and reads as they are, beyond the options and ``correct``.
    file_fields: ClassVar[tuple[str, ...]] = ()
    # The words its renderer (static/kinds/<name>.js) shows: word -> language -> text, in
    # every language of static/i18n. Each language's catalog serves them as
    # ``kind.<name>.<word>`` (``catalog_words``); ``name`` is the kind's short name, for
    # the library. Words every kind shares stay in the catalogs (``kind.submit_answer``).
    words: ClassVar[Mapping[str, Mapping[str, Any]]] = {}
    # One question of this kind as a quiz file gives it (its fields but ``kind``): the
    # kind's row in the CSV template (formats/csv_format.template).
    sample: ClassVar[Mapping[str, Any]] = {}

    @classmethod
    def catalog_words(cls, language: str) -> dict[str, Any]:
        """Its words in ``language`` under their catalog keys; none it lacks there."""
        return {f"kind.{cls.name}.{word}": texts[language]
                for word, texts in cls.words.items() if language in texts}

    @classmethod
    def from_file(cls, raw: Mapping[str, Any], report: Report) -> Kind | None:
        """The kind's fields of one quiz-file question; None after reporting problems."""
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """The fields ``from_file`` reads back to an equal value."""
        raise NotImplementedError

    def for_run(self, seed: str) -> Kind:
        """The question as one run asks it (an order question shuffles its items here)."""
        return self

    @property
    def is_v1(self) -> bool:
        """True for what a v1 client understands: its messages stay exactly v1's."""
        return False

    def public(self) -> dict[str, Any]:
        """Fields ``question_open`` adds for this kind. Never the answer."""
        return {}

    def normalise(self, answer: object) -> str:
        """The answer as stored; raises BadAnswer for anything not well formed."""
        raise NotImplementedError

    def credit(self, stored: str) -> float:
        """Share of the question's score a stored answer earns, 0..1."""
        raise NotImplementedError

    def wire_answer(self, stored: str) -> Any:
        """A stored answer as the protocol sends it back (``submit_ack``, ``your_answer``)."""
        return stored

    def reveal(self) -> Any:
        """``question_closed.correct``."""
        raise NotImplementedError

    def histogram(self, answers: Iterable[str | None]) -> dict[str, int]:
        """The tally of the stored answers (None = missed), shaped for this kind."""
        raise NotImplementedError

    def grouped_entries(self, stored: str) -> Iterable[tuple[str, str]]:
        """(group key, spelling) of each entry of a stored answer that ``top_answers``
        counts (answer_groups.py); none for kinds without top answers."""
        return ()

    def top_answers(self, groups: AnswerGroups,
                    hidden: Collection[str] = ()) -> list[dict[str, Any]] | None:
        """The most frequent answers, for kinds whose answers are typed; else None.
        ``groups``: the class's answers as ``grouped_entries`` groups them; ``hidden``: the
        ``entry_key`` of entries the teacher hid (``hides_entries``)."""
        return None

    def entry_key(self, entry: str) -> str:
        """The key an entry of ``top_answers`` is hidden by (equal entries share it)."""
        return entry

    def describe(self, stored: str, hidden: Collection[str] = ()) -> str:
        """A stored answer as a teacher reads it in an export (hidden entries marked)."""
        return stored


# ---- validation helpers ---------------------------------------------------------------------
def check_text(value: Any, what: str, report: Report, *,
               empty: str = "is missing or empty") -> str:
    if not isinstance(value, str) or not value.strip():
        report(f"{what} {empty}")
        return ""
    if len(value) > MAX_TEXT_CHARS:
        report(f"{what} is longer than {MAX_TEXT_CHARS} characters")
    return value.strip()


def check_options(raw: Mapping[str, Any], report: Report, *, low: int = 2,
                  high: int = len(LETTERS)) -> tuple[str, ...]:
    options = raw.get("options")
    if not isinstance(options, list) or not low <= len(options) <= high:
        count = len(options) if isinstance(options, list) else "none"
        report(f"needs {low} to {high} options (A to {LETTERS[high - 1]}), it has {count}")
        return ()
    return tuple(check_text(o, f"option {LETTERS[i]}", report, empty="is empty; fill the"
                            " options from A without gaps") for i, o in enumerate(options))


def check_letters(value: Any, letters: str, report: Report, *, several: bool) -> str:
    """Correct letters of a choice-like question, upper-cased and sorted; '' after a report."""
    text = value.strip().upper() if isinstance(value, str) else ""
    picked = "".join(sorted(set(text.replace(",", "").replace(" ", ""))))
    shown = json.dumps(value, ensure_ascii=False)
    choices = ", ".join(letters)
    if not picked:  # an editor's ticks all cleared, or a file's cell left empty
        report(f"needs at least one right answer (one of {choices})")
        return ""
    if any(letter not in letters for letter in picked):
        report(f"the answer {shown} is not one of {choices}")
        return ""
    if not several and len(picked) != 1:
        report(f"the answer {shown} must be one letter of {choices}")
        return ""
    return picked


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and \
        value == value and value not in (float("inf"), float("-inf"))


# ---- what kinds share ---------------------------------------------------------------------
@dataclass(frozen=True)
class ChoiceLike(Kind):
    """Kinds answered by picking lettered options: a letter histogram, letters revealed."""

    options: tuple[str, ...]
    option_field = "options"
    buttons_suffice = True

    @property
    def letters(self) -> str:
        return LETTERS[: len(self.options)]

    def public(self) -> dict[str, Any]:
        return {"options": list(self.options)}

    def one_letter(self, answer: object) -> str:
        if not isinstance(answer, str) or len(answer) != 1 or answer not in self.letters:
            raise BadAnswer(f"answer must be one of {', '.join(self.letters)}")
        return answer

    def histogram(self, answers: Iterable[str | None]) -> dict[str, int]:
        shown = LETTERS[: max(V1_LETTERS, len(self.options))]
        counts = dict.fromkeys(shown, 0) | {"missed": 0}
        for answer in answers:
            if answer is None:
                counts["missed"] += 1
            for letter in answer or "":
                counts[letter] += 1
        return counts

    def describe(self, stored: str, hidden: Collection[str] = ()) -> str:
        return "; ".join(f"{letter}: {self.options[self.letters.index(letter)]}"
                         for letter in stored if letter in self.letters)


@dataclass(frozen=True)
class Typed(Kind):
    """Kinds whose answers are typed or arranged: right/wrong/missed and the top answers."""

    tally_tells_right_from_wrong = True

    def grouping_key(self, stored: str) -> str:
        """Answers equal under this key are grouped in the top answers."""
        return stored

    def histogram(self, answers: Iterable[str | None]) -> dict[str, int]:
        counts = {"correct": 0, "wrong": 0, "missed": 0}
        for answer in answers:
            key = "missed" if answer is None else \
                "correct" if self.credit(answer) == 1 else "wrong"
            counts[key] += 1
        return counts

    def shown_as(self, key: str, spellings: Counter[str]) -> Any:
        """How a group of equal answers is shown (``spellings``: the answers as given)."""
        return self.wire_answer(key)

    def grouped_entries(self, stored: str) -> Iterable[tuple[str, str]]:
        return ((self.grouping_key(stored), stored),)

    def top_answers(self, groups: AnswerGroups,
                    hidden: Collection[str] = ()) -> list[dict[str, Any]]:
        counts = {key: sum(given.values()) for key, given in groups.spellings.items()}
        ranked = sorted(counts.items(),
                        key=lambda item: (-item[1], self.wire_answer(item[0])))[:TOP_ANSWERS]
        return [{"answer": self.shown_as(key, groups.spellings[key]), "count": count,
                 "correct": self.credit(key) == 1} for key, count in ranked]

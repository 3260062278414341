"""``cloud``: each student types a word or a short phrase (up to ``max_answers`` of them);
the projector draws the class's words as a cloud while they come in. Nothing is scored.

Entries are cleaned like typed answers (``plain_text.clean_typed``) and grouped like
them (``text.fold``: case, accents and spaces do not split a word), each group shown in
the spelling most students gave. A student's entries are stored as one answer, one
entry a line (a cleaned entry holds no line break).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..plain_text import clean_typed
from .base import BadAnswer, Kind, Report
from .text import fold

MAX_ENTRY_CHARS = 40
MAX_ANSWERS = 3
CLOUD_WORDS = 60  # the cloud shows the most given words, at most this many
SEPARATOR = "\n"


@dataclass(frozen=True)
class Cloud(Kind):
    name = "cloud"
    has_right_answer = False
    answers_on_projector = True
    hides_entries = True
    file_fields = ("max_answers",)
    max_answers: int = 1

    @classmethod
    def from_file(cls, raw: Mapping[str, Any], report: Report) -> Cloud | None:
        for field in ("options", "correct", "accept"):
            if raw.get(field) is not None:
                report(f"a word cloud has no right answer; remove its {field} field")
        most = raw.get("max_answers", 1)
        if isinstance(most, bool) or most not in range(1, MAX_ANSWERS + 1):
            report(f"max_answers must be a whole number from 1 to {MAX_ANSWERS}")
            return None
        return cls(int(most))

    def to_dict(self) -> dict[str, Any]:
        return {"max_answers": self.max_answers} if self.max_answers != 1 else {}

    def public(self) -> dict[str, Any]:
        return {"max_answers": self.max_answers}

    def normalise(self, answer: object) -> str:
        given = [answer] if isinstance(answer, str) else answer
        if not isinstance(given, list) or not 1 <= len(given) <= self.max_answers or \
                not all(isinstance(entry, str) for entry in given):
            raise BadAnswer(f"answer must be 1 to {self.max_answers} words or phrases")
        entries: dict[str, str] = {}
        for entry in given:
            if len(entry) > MAX_ENTRY_CHARS * 4:  # before cleaning: hidden characters
                raise BadAnswer(f"an entry is longer than {MAX_ENTRY_CHARS} characters")
            cleaned = clean_typed(entry)
            if len(cleaned) > MAX_ENTRY_CHARS:
                raise BadAnswer(f"an entry is longer than {MAX_ENTRY_CHARS} characters")
            if cleaned:
                entries.setdefault(fold(cleaned), cleaned)  # the same word twice counts once
        if not entries:
            raise BadAnswer("the answer is empty")
        return SEPARATOR.join(entries.values())

    def credit(self, stored: str) -> float:
        return 0.0

    def wire_answer(self, stored: str) -> list[str]:
        return stored.split(SEPARATOR)

    def reveal(self) -> None:
        return None

    def histogram(self, answers: Iterable[str | None]) -> dict[str, int]:
        counts = {"answered": 0, "missed": 0}
        for answer in answers:
            counts["missed" if answer is None else "answered"] += 1
        return counts

    def top_answers(self, answers: Iterable[str | None],
                    hidden: Collection[str] = ()) -> list[dict[str, Any]]:
        """The cloud's words: each group of equal entries once, most given first. A hidden
        one is marked ``hidden`` and does not take one of the cloud's places."""
        spellings: dict[str, Counter[str]] = {}
        for answer in answers:
            for entry in (answer or "").split(SEPARATOR) if answer else ():
                spellings.setdefault(fold(entry), Counter())[entry] += 1
        shown = {key: min(given.items(), key=lambda item: (-item[1], item[0]))[0]
                 for key, given in spellings.items()}
        ranked = sorted(spellings, key=lambda key: (-sum(spellings[key].values()), shown[key]))
        visible = [key for key in ranked if key not in hidden][:CLOUD_WORDS]
        return [{"answer": shown[key], "count": sum(spellings[key].values())}
                | ({"hidden": True} if key in hidden else {})
                for key in ranked if key in hidden or key in visible]

    def entry_key(self, entry: str) -> str:
        return fold(entry)

    def describe(self, stored: str, hidden: Collection[str] = ()) -> str:
        return "; ".join(f"{entry} (hidden)" if fold(entry) in hidden else entry
                         for entry in stored.split(SEPARATOR))

"""``poll``: the class's opinion; no answer is right, every answer counts as given."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .base import ChoiceLike, Report, check_options

# The words its renderer shows, in each language of static/i18n: served in every
# catalog as ``kind.<name>.<word>`` (base.Kind.words).
WORDS = {
    "name": {
        "ar": "استطلاع",
        "de": "Umfrage",
        "en": "poll",
        "es": "encuesta",
        "fr": "sondage",
        "it": "sondaggio",
        "ja": "アンケート",
        "nl": "peiling",
        "pl": "ankieta",
        "pt-BR": "enquete",
        "tr": "anket",
        "zh-CN": "投票",
    },
}
# One question of this kind as a quiz file gives it: its row of the CSV template.
SAMPLE = {
    "text": "How sure do you feel about today's topic?",
    "options": ["Very sure", "Fairly sure", "Not yet"],
}


@dataclass(frozen=True)
class Poll(ChoiceLike):
    name = "poll"
    words = WORDS
    sample = SAMPLE
    has_right_answer = False

    @classmethod
    def from_file(cls, raw: Mapping[str, Any], report: Report) -> Poll | None:
        if raw.get("correct") is not None:
            report("a poll has no right answer; remove its correct field")
        options = check_options(raw, report)
        return cls(options) if options and all(options) else None

    def to_dict(self) -> dict[str, Any]:
        return {"options": list(self.options)}

    def normalise(self, answer: object) -> str:
        return self.one_letter(answer)

    def credit(self, stored: str) -> float:
        return 0.0

    def reveal(self) -> None:
        return None

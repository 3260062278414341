"""``choice``: pick one of 2..6 options; one or several of them count as right."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .base import V1_LETTERS, ChoiceLike, Report, check_letters, check_options

# The words its renderer shows, in each language of static/i18n: served in every
# catalog as ``kind.<name>.<word>`` (base.Kind.words).
WORDS = {
    "name": {
        "ar": "اختيار",
        "de": "Einfachauswahl",
        "en": "choice",
        "es": "opción única",
        "fr": "choix unique",
        "it": "scelta singola",
        "ja": "選択式",
        "nl": "meerkeuze",
        "pl": "jednokrotny wybór",
        "pt-BR": "escolha única",
        "tr": "tek seçim",
        "zh-CN": "单选",
    },
}
# One question of this kind as a quiz file gives it: its row of the CSV template.
SAMPLE = {
    "text": "Which organelle makes most of a cell's ATP?",
    "options": ["Nucleus", "Mitochondrion", "Ribosome", "Golgi apparatus"],
    "correct": "B",
    "explanation": "Mitochondria run the citric acid cycle and oxidative phosphorylation.",
}


@dataclass(frozen=True)
class Choice(ChoiceLike):
    name = "choice"
    words = WORDS
    sample = SAMPLE
    shuffles_options = True
    correct: str  # the right letters, sorted: any one of them is right

    @classmethod
    def from_file(cls, raw: Mapping[str, Any], report: Report) -> Choice | None:
        options = check_options(raw, report)
        if not options:
            return None
        correct = check_letters(raw.get("correct"), Choice(options, "").letters, report,
                                several=True)
        return cls(options, correct) if correct and all(options) else None

    def to_dict(self) -> dict[str, Any]:
        return {"options": list(self.options), "correct": self.correct}

    @property
    def is_v1(self) -> bool:
        return len(self.options) <= V1_LETTERS and len(self.correct) == 1

    def normalise(self, answer: object) -> str:
        return self.one_letter(answer)

    def credit(self, stored: str) -> float:
        return 1.0 if stored in self.correct else 0.0

    def reveal(self) -> str:
        return self.correct

"""``slide``: something to look at together (text, usually a picture); nothing to answer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .base import BadAnswer, Kind, Report

# The words its renderer shows, in each language of static/i18n: served in every
# catalog as ``kind.<name>.<word>`` (base.Kind.words).
WORDS = {
    "look": {
        "ar": "انظر إلى الشاشة.",
        "de": "Schau auf die Leinwand.",
        "en": "Look at the screen.",
        "es": "Mira la pantalla.",
        "fr": "Regardez l’écran.",
        "it": "Guarda lo schermo.",
        "ja": "スクリーンを見てください。",
        "nl": "Kijk naar het scherm.",
        "pl": "Spójrz na ekran.",
        "pt-BR": "Olhe para a tela.",
        "tr": "Ekrana bak.",
        "zh-CN": "请看大屏幕。",
    },
    "name": {
        "ar": "شريحة",
        "de": "Folie",
        "en": "slide",
        "es": "diapositiva",
        "fr": "diapo",
        "it": "slide",
        "ja": "スライド",
        "nl": "dia",
        "pl": "slajd",
        "pt-BR": "slide",
        "tr": "slayt",
        "zh-CN": "幻灯片",
    },
}
# One question of this kind as a quiz file gives it: its row of the CSV template.
SAMPLE = {"text": "A slide: something to look at together, nothing to answer."}


@dataclass(frozen=True)
class Slide(Kind):
    name = "slide"
    words = WORDS
    sample = SAMPLE
    has_right_answer = False
    takes_answers = False
    needs_time_limit = False
    buttons_suffice = True  # "look at the screen"

    @classmethod
    def from_file(cls, raw: Mapping[str, Any], report: Report) -> Slide | None:
        for field in ("options", "correct"):
            if raw.get(field) is not None:
                report(f"a slide asks nothing; remove its {field} field")
        return cls()

    def to_dict(self) -> dict[str, Any]:
        return {}

    def normalise(self, answer: object) -> str:
        raise BadAnswer("a slide takes no answer")

    def credit(self, stored: str) -> float:
        return 0.0

    def reveal(self) -> None:
        return None

    def histogram(self, answers: Iterable[str | None]) -> dict[str, int]:
        return {"missed": sum(1 for _ in answers)}

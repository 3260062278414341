"""``slide``: something to look at together (text, usually a picture); nothing to answer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .base import BadAnswer, Kind, Report


@dataclass(frozen=True)
class Slide(Kind):
    name = "slide"
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

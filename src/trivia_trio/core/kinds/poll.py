"""``poll``: the class's opinion; no answer is right, every answer counts as given."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .base import ChoiceLike, Report, check_options


@dataclass(frozen=True)
class Poll(ChoiceLike):
    name = "poll"
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

"""``number``: a number, right within a tolerance; a slider when ``min`` and ``max`` are set."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .base import BadAnswer, Report, Typed, is_number

NumberValue = int | float


@dataclass(frozen=True)
class Number(Typed):
    name = "number"
    file_fields = ("min", "max", "step")
    correct: NumberValue
    tolerance: NumberValue = 0
    min: NumberValue | None = None
    max: NumberValue | None = None
    step: NumberValue | None = None

    @classmethod
    def from_file(cls, raw: Mapping[str, Any], report: Report) -> Number | None:
        fields: dict[str, Any] = {}
        for field in ("correct", "tolerance", "min", "max", "step"):
            value = raw.get(field)
            if value is None:
                continue
            if not is_number(value):
                report(f"{field} {json.dumps(value)} is not a number")
            else:
                fields[field] = value
        problems = []
        correct, low, high = fields.get("correct"), fields.get("min"), fields.get("max")
        if raw.get("correct") is None:
            problems.append("needs the correct number")
        if fields.get("tolerance", 0) < 0:
            problems.append("the tolerance must not be negative")
        if fields.get("step", 1) <= 0:
            problems.append("the step must be more than 0")
        if low is not None and high is not None and low >= high:
            problems.append(f"min {low} must be less than max {high}")
        elif correct is not None and ((low is not None and correct < low)
                                      or (high is not None and correct > high)):
            problems.append(f"the correct number {correct} lies outside min..max")
        for problem in problems:
            report(problem)
        given = sum(raw.get(f) is not None for f in ("correct", "tolerance", "min", "max", "step"))
        return None if problems or len(fields) < given else cls(**fields)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"correct": self.correct, "tolerance": self.tolerance}
        for field in ("min", "max", "step"):
            if getattr(self, field) is not None:
                data[field] = getattr(self, field)
        return data

    def public(self) -> dict[str, Any]:
        return {field: getattr(self, field) for field in ("min", "max", "step")
                if getattr(self, field) is not None}

    def normalise(self, answer: object) -> str:
        if not is_number(answer) or abs(answer) > 1e15:  # type: ignore[arg-type]
            raise BadAnswer("answer must be a number")
        return json.dumps(answer)

    def wire_answer(self, stored: str) -> Any:
        return json.loads(stored)

    def credit(self, stored: str) -> float:
        # A little slack so 0.1 + 0.2 is 0.3 within a tolerance of 0.
        slack = 1e-9 * max(1.0, abs(self.correct))
        return 1.0 if abs(json.loads(stored) - self.correct) <= self.tolerance + slack else 0.0

    def reveal(self) -> dict[str, Any]:
        return {"value": self.correct, "tolerance": self.tolerance}

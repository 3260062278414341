"""A run's pace: ``live`` (the teacher opens each question for everyone) or ``student``
(each student through the quiz at their own speed, ``paced.py``), and the settings of a
student-paced run. Kept apart from the rules so a quiz file can carry them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PACES = ("live", "student")
FEEDBACKS = ("each", "end")
MAX_END_MINUTES = 24 * 60


@dataclass(frozen=True)
class PacedSettings:
    """How a student-paced run goes, chosen when it starts (or read from the quiz file)."""

    feedback: str = "each"  # "each": right/wrong after every answer; "end": only at the end
    shuffle_questions: bool = False
    shuffle_options: bool = False
    end_minutes: int | None = None  # the run ends by itself this long after it started
    review: bool = True  # students see their answers and the right ones at the end
    standings: bool = False  # places on the phones and the top 10 on the projector

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"feedback": self.feedback,
                                "shuffle_questions": self.shuffle_questions,
                                "shuffle_options": self.shuffle_options,
                                "review": self.review, "standings": self.standings}
        if self.end_minutes is not None:
            data["end_minutes"] = self.end_minutes
        return data


class BadSettings(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def settings_from(raw: object) -> PacedSettings:
    """Read settings as the quiz file or the teacher's start gives them; a missing field
    takes its default. Raises ``BadSettings`` listing every problem."""
    if raw is None:
        return PacedSettings()
    if not isinstance(raw, Mapping):
        raise BadSettings(["the student-paced settings must be an object"])
    problems = []
    feedback = raw.get("feedback", "each")
    if feedback not in FEEDBACKS:
        problems.append(f"feedback must be one of {', '.join(FEEDBACKS)}")
    switches = {}
    for name in ("shuffle_questions", "shuffle_options", "review", "standings"):
        value = raw.get(name, getattr(PacedSettings, name))
        if not isinstance(value, bool):
            problems.append(f"{name} must be true or false")
        switches[name] = value is True
    end_minutes = raw.get("end_minutes")
    if end_minutes is not None and (isinstance(end_minutes, bool)
                                    or not isinstance(end_minutes, int)
                                    or not 1 <= end_minutes <= MAX_END_MINUTES):
        problems.append(f"end_minutes must be a whole number from 1 to {MAX_END_MINUTES}")
    if problems:
        raise BadSettings(problems)
    return PacedSettings(feedback=str(feedback), end_minutes=end_minutes, **switches)

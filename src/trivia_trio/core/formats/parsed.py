"""What a format hands over: the quiz object, how its file names each question, and what
it already found wrong, so every problem is listed in one pass."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Parsed:
    data: Any
    skipped: tuple[str, ...] = ()
    # How the file names each question, e.g. "question 3 (line 19)"; None: counted from 1.
    labels: list[str] | None = None
    # Problems with the file as a whole, already named in the teacher's terms.
    problems: list[str] = field(default_factory=list)
    # Problems the format found in each question (unlabelled), aligned with the questions.
    question_problems: list[list[str]] | None = None

    def quiz(self, pictures: Any = None) -> Any:
        """The validated Quiz, its pictures read from ``pictures`` (see quiz_from_dict);
        QuizError lists these problems with the validator's."""
        from ..quiz import quiz_from_dict

        return quiz_from_dict(self.data, self.skipped, labels=self.labels,
                              problems=tuple(self.problems),
                              question_problems=self.question_problems, pictures=pictures)

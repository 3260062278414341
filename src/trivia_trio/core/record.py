"""What a run records, and the scoring of one answer: the session's states, a refusal,
a participant, a submission, a question's opening, a student's audit and a standing.

Scores are kept as whole *points*, twentieths of a question (the protocol's
0.05 grid), so totals are exact; ``points / 20`` is the score on the wire.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeVar

POINTS_PER_QUESTION = 20


class State(StrEnum):
    LOBBY = "lobby"
    QUESTION_OPEN = "question_open"
    QUESTION_CLOSED = "question_closed"
    BETWEEN_QUESTIONS = "between_questions"
    FINISHED = "finished"


class Step(StrEnum):
    """What ``next`` does from the current state."""

    CLOSE = "close"
    LEADERBOARD = "leaderboard"
    OPEN = "open"
    END = "end"
    PASS = "pass"  # an open slide: close it and open the following question (or end)


class Rejected(Exception):
    """An action the rules refuse; ``code`` is the protocol's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class DuplicateStudentId(Rejected):
    def __init__(self, student_id: str) -> None:
        super().__init__("duplicate_student_id", f"student id {student_id!r} is already taken")
        self.student_id = student_id


def score_points(score_fn: str, credit: float, elapsed_ms: int, limit_ms: int,
                 weight: int = 1) -> int:
    """Points (0..20) for one answer earning ``credit`` (0..1, True for a right one):
    ``speed`` falls from 20 at once to 10 at the buzzer, times the credit; times the
    question's ``weight`` (its points: 0 for a warm-up, 2 for a double)."""
    if not credit or not weight:
        return 0
    full = float(POINTS_PER_QUESTION)
    if score_fn != "binary" and limit_ms:
        fraction = min(max(elapsed_ms, 0), limit_ms) / limit_ms
        full *= 1 - 0.5 * fraction
    # Half-up rounding onto the 0.05 grid, so 0.975 -> 1.0 and 0.525 -> 0.55.
    return math.floor(full * credit + 0.5) * weight


def run_seed(session_id: str, run_id: int) -> str:
    """What fixes a run's shuffles: the same for every student, new for each run."""
    return f"{session_id}/{run_id}"


def as_score(points: int) -> float:
    return round(points / POINTS_PER_QUESTION, 2)


def as_points(score: float) -> int:
    """A stored score back to its points: the inverse of ``as_score``."""
    return math.floor(score * POINTS_PER_QUESTION + 0.5)


@dataclass
class Participant:
    student_id: str
    name: str
    cookie_id: str
    joined_at: int
    points: int = 0


@dataclass(frozen=True)
class Submission:
    student_id: str
    question_idx: int
    answer: str | None
    submitted_at: int | None
    elapsed_ms: int | None
    points: int
    correct: bool
    status: str  # "submitted" or "missed"
    # Which asking of the question it belongs to: 1 the first, 2 once it was asked again…
    asking: int = 1

    @property
    def score(self) -> float:
        return as_score(self.points)


@dataclass
class Opening:
    """The latest time a question was opened; reopening a question starts a new clock.

    ``asking`` counts the times it was opened in the run (2 once it was asked again).
    ``order`` ranks the openings that moved the teacher on through the quiz (a first
    asking, or any opening by Next): the highest says where the teacher is
    (``Game.next_question_idx``); asking an earlier question again keeps its order."""

    question_idx: int
    opened_at: int
    time_limit: int | None  # None: no clock (a slide without a time limit)
    closed_at: int | None = None
    asking: int = 1
    order: int | None = None  # None: recorded before the order was (then opened_at says)

    @property
    def deadline(self) -> int | None:
        return None if self.time_limit is None else self.opened_at + self.time_limit * 1000

    def remaining_ms(self, now: int) -> int | None:
        if self.deadline is None:
            return None
        return 0 if self.closed_at is not None else max(0, self.deadline - now)


class Asking(Protocol):
    """A recorded opening of a question: which, and which time it was asked."""

    @property
    def question_idx(self) -> int: ...

    @property
    def asking(self) -> int: ...


A = TypeVar("A", bound=Asking)


def latest_openings(recorded: Iterable[A]) -> dict[int, A]:
    """``question_idx ->`` its latest opening, out of every asking's the record holds (each
    is kept: asking a question again never rewrites the earlier opening). The question's
    opening, for the room's replay and every export, is this one."""
    latest: dict[int, A] = {}
    for opening in recorded:
        kept = latest.get(opening.question_idx)
        if kept is None or opening.asking > kept.asking:
            latest[opening.question_idx] = opening
    return latest


@dataclass
class Audit:
    """What the instructor sees about a student id besides answers."""

    blur_count: int = 0
    hidden_count: int = 0
    duplicate_joins: int = 0
    latest_duplicate_ts: int | None = None

    def record(self, kind: str, ts: int) -> None:
        if kind == "blur":
            self.blur_count += 1
        elif kind == "visibility_hidden":
            self.hidden_count += 1
        elif kind == "duplicate_join":
            self.duplicate_joins += 1
            self.latest_duplicate_ts = max(ts, self.latest_duplicate_ts or ts)


@dataclass(frozen=True)
class Standing:
    rank: int
    student_id: str
    name: str
    points: int

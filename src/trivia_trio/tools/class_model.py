"""What a simulated class is and what it observed: the plan, the countdowns the driver and
the students meet through, each student's record, the result, and the state of one run.

Plain data and trio events; the students (``students.py``) and the instructor's side
(``class_run.py``) both read and write a ``ClassState``.
"""

from __future__ import annotations

import math
import random
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import trio

METRICS = {
    "join": "join (HTTP + websocket + first state)",
    "question_open_fanout": "question_open fan-out",
    "submit_ack": "submit → submit_ack",
    "all_answers_visible": "all answers visible to instructor",
    "question_closed_fanout": "question_closed fan-out",
}
# A student-paced run has no question opened or closed for everyone: each student's
# Next opens their own following question.
PACED_METRICS = {
    "join": METRICS["join"],
    "submit_ack": METRICS["submit_ack"],
    "next_open": "next → question_open",
}


class LoadtestRefused(Exception):
    """The load test cannot start (bad target, server not in the lobby); the message says why."""


@dataclass(frozen=True)
class Plan:
    """What to simulate. ``timeout_s`` bounds every wait for the server."""

    students: int = 100
    questions: int = 3
    answer_window_ms: int = 3000
    ramp_per_second: float = 100.0
    timeout_s: float = 30.0
    seed: int | None = None
    reset_first: bool = False
    mixed_kinds: bool = False  # the throwaway server asks one question of each kind in turn
    paced: bool = False  # a student-paced run: each student through the quiz on their own
    paced_s: float = 180.0  # ... the slowest of them in about this long

    @property
    def metrics(self) -> dict[str, str]:
        return PACED_METRICS if self.paced else METRICS


@dataclass
class Countdown:
    """Set ``done`` once ``arrived`` reaches ``expected``; ``forgive`` lowers the target
    when a participant is lost, so one dead student does not stall the class."""

    expected: int
    arrived: int = 0
    done: trio.Event = field(default_factory=trio.Event)

    def __post_init__(self) -> None:
        self._check()

    def arrive(self) -> None:
        self.arrived += 1
        self._check()

    def forgive(self) -> None:
        self.expected -= 1
        self._check()

    @property
    def missing(self) -> int:
        return max(0, self.expected - self.arrived)

    def _check(self) -> None:
        if self.arrived >= self.expected:
            self.done.set()


@dataclass
class QuestionRound:
    """One question as the driver runs it; students report into its countdowns."""

    question_idx: int
    opened: Countdown
    acked: Countdown
    closed: Countdown
    next_sent_at: float = math.inf
    close_sent_at: float | None = None
    last_answer_sent_at: float = -math.inf
    histogram_complete_at: float | None = None
    histogram_complete: trio.Event = field(default_factory=trio.Event)
    last_live_histogram: dict[str, Any] | None = None
    closed_histogram: dict[str, int] | None = None
    kind: str = "choice"


@dataclass
class SimulatedStudent:
    """One student's identity and everything it sent and received."""

    student_id: str
    name: str
    rng: random.Random
    cookie: str | None = None  # "name=value", as sent in a Cookie header
    answers_sent: dict[int, Any] = field(default_factory=dict)
    acks_expected: dict[int, Any] = field(default_factory=dict)
    answer_sent_at: dict[int, float] = field(default_factory=dict)
    acks: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    opened: set[int] = field(default_factory=set)
    closed: dict[int, dict[str, Any]] = field(default_factory=dict)
    joined: bool = False
    ended: bool = False
    finished: bool = False  # student-paced: past the last question (``paced_finished``)


@dataclass
class ClassResult:
    """What ``simulate_class`` observed: samples in ms, errors by kind, and per-student records."""

    students: list[SimulatedStudent]
    rounds: list[QuestionRound]
    samples: dict[str, list[float]]
    errors: Counter[str]
    notes: list[str]
    instructor_cookie: str  # "name=value", as sent in a Cookie header
    server_cpu_s: float | None = None
    server_join_cpu_s: float | None = None
    server_peak_rss_kib: int | None = None
    join_phase_s: float = 0.0
    # What the dashboard and the projector received while questions ran, in bytes.
    instructor_question_bytes: int = 0
    projector_question_bytes: int = 0
    # When the instructor's socket got session_ended (wall clock, so that a page watched by
    # another process can say how late it showed the end).
    instructor_ended_at_unix_s: float | None = None
    # What the dashboard received per minute over the whole class (joins to the end),
    # and those bytes by message type.
    dashboard_bytes_per_minute: float | None = None
    dashboard_bytes_by_type: dict[str, int] = field(default_factory=dict)
    total_questions: int | None = None  # in the server's quiz, as its students were told

    @property
    def answers_acked(self) -> int:
        return sum(1 for s in self.students for idx in s.acks)


@dataclass(frozen=True)
class ServerTarget:
    url: str
    instructor_key: str
    pid: int | None = None
    in_process: bool = False

    def ws_url(self, path: str) -> str:
        """The websocket URL of ``path`` on this server."""
        return f"ws://{urlsplit(self.url).netloc}{path}"


class ClassState:
    """The shared state of one run: what the driver, the instructor reader and every student
    read and write."""

    def __init__(self, target: ServerTarget, plan: Plan) -> None:
        self.target = target
        self.plan = plan
        seeds = random.Random(plan.seed)
        run_tag = secrets.token_hex(3)  # fresh ids, so a rerun against one server never collides
        self.students = [
            SimulatedStudent(
                student_id=f"lt-{run_tag}-{i:05d}",
                name=f"Student {i:05d}",
                rng=random.Random(seeds.random()),
            )
            for i in range(plan.students)
        ]
        self.samples: dict[str, list[float]] = {key: [] for key in plan.metrics}
        self.errors: Counter[str] = Counter()
        self.notes: list[str] = []
        self.rounds: dict[int, QuestionRound] = {}
        self.current_round: QuestionRound | None = None
        self.joins = Countdown(plan.students)
        self.paced_finished = Countdown(plan.students)  # student-paced: past the last one
        self.alive = 0
        self.ended: Countdown | None = None
        self.instructor_ended = trio.Event()
        self.instructor_ended_at_unix_s: float | None = None
        self.total_questions: int | None = None
        self.server_cpu_s: float | None = None
        self.server_join_cpu_s: float | None = None
        self.join_phase_s = 0.0
        self.received = {"instructor": 0, "projector": 0}  # bytes, all along
        self.instructor_types: Counter[str] = Counter()  # bytes, all along, by message type
        self.question_bytes = {"instructor": 0, "projector": 0}  # bytes, while questions ran

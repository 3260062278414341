"""A simulated class: N students join, answer Q questions, and every step is timed.

``python -m trivia_trio loadtest`` answers the instructor's question "can my
laptop hold this class?" It either targets a server already running on this
machine (``--url``, loopback only) or starts a throwaway one in this process.

Shape: one task per student for the whole session (join over HTTP, open the
websocket, then read messages and answer), one instructor socket with its own
reader task, and a driver that plays the instructor: ``next``, wait until every
answer is acknowledged and visible on the dashboard, ``close_question``, and
finally ``end_session``. The driver and the students meet through countdowns
(counter + event), never through sleeps; sleeps only spread joins and answers
over time the way a real class does.

The load generator is itself a Python process holding thousands of sockets,
so it is kept lean: timestamps from ``trio.current_time()``, and messages it
does not need (the instructor's presence rows for every student, lobby counts)
are skipped by their type without being parsed.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import math
import os
import random
import re
import secrets
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import h11
import trio

from .. import openfiles
from ..config import Limits, Settings
from ..gc_tuning import collect_garbage_for_a_big_class
from . import http_client
from .ws_client import HandshakeRefused, WebSocketClosed, open_websocket

# The server adds its data folder's id to these names.
STUDENT_COOKIE = "tt_student"
INSTRUCTOR_COOKIE = "tt_instructor"
LETTERS = "ABCDEF"
TYPED_ANSWERS = ("Paris", "  paris ", "Lyon", "Marseille", "PARIS")
# One question of each kind, cycled through by ``--mixed-kinds``.
MIXED_QUESTIONS: tuple[dict[str, Any], ...] = (
    {"text": "Pick one", "options": ["Alpha", "Bravo", "Charlie", "Delta"], "correct": "B"},
    {"kind": "truefalse", "text": "True or false?", "correct": True},
    {"kind": "multi", "text": "Tick every right one", "options": ["a", "b", "c", "d", "e"],
     "correct": "ACE", "scoring": "partial"},
    {"kind": "text", "text": "Capital of France?", "accept": ["Paris"]},
    {"kind": "number", "text": "A number from 0 to 100", "correct": 42, "tolerance": 5,
     "min": 0, "max": 100, "step": 1},
    {"kind": "order", "text": "Put in order", "items": ["one", "two", "three", "four"]},
    {"kind": "poll", "text": "How was it?", "options": ["Good", "Fine", "Hard"]},
    {"kind": "choice", "text": "Six options", "options": ["a", "b", "c", "d", "e", "f"],
     "correct": "EF"},
    {"kind": "slide", "text": "Look at the screen"},
)
# Room for the instructor's whole presence table of a few thousand students.
INSTRUCTOR_MAX_MESSAGE_BYTES = 64 * 1024 * 1024
OWN_SERVER_TIME_LIMIT_S = 120
METRICS = {
    "join": "join (HTTP + websocket + first state)",
    "question_open_fanout": "question_open fan-out",
    "submit_ack": "submit → submit_ack",
    "all_answers_visible": "all answers visible to instructor",
    "question_closed_fanout": "question_closed fan-out",
}
_TYPE_PREFIX = re.compile(r'"type"\s*:\s*"([a-z_]+)"')
_STUDENT_TYPES_NEEDED = {"question_open", "submit_ack", "question_closed", "session_ended", "error"}
_INSTRUCTOR_TYPES_NEEDED = {"state", "live_histogram", "question_closed", "session_ended", "error"}


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

    @property
    def answers_acked(self) -> int:
        return sum(1 for s in self.students for idx in s.acks)


@dataclass(frozen=True)
class ServerTarget:
    url: str
    instructor_key: str
    pid: int | None = None
    in_process: bool = False


def _ms(seconds: float) -> float:
    return seconds * 1000.0


def _message_type(text: str) -> str | None:
    """The ``type`` of a message, read from its first bytes when the server puts it first."""
    match = _TYPE_PREFIX.search(text, 0, 64)
    if match:
        return match.group(1)
    message = json.loads(text)
    return message.get("type") if isinstance(message, dict) else None


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted, non-empty list."""
    rank = max(1, math.ceil(pct / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


def summarize(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "max": None}
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "p50": round(percentile(ordered, 50), 2),
        "p95": round(percentile(ordered, 95), 2),
        "p99": round(percentile(ordered, 99), 2),
        "max": round(ordered[-1], 2),
    }


# --- measuring the server process -------------------------------------------------


def process_cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process from /proc (Linux); None where that is unavailable."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name may hold spaces and parentheses: fields start after the last ')'.
    fields = stat[stat.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def process_peak_rss_kib(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def raise_fd_limit(needed: int) -> list[str]:
    """Lift the soft open-files limit to the hard one; return notes for the report."""
    limits = openfiles.raise_soft_limit(needed)
    if limits is None:
        return []
    before, soft = limits
    notes = [f"raised the open-files limit from {before} to {soft}"] if soft != before else []
    if needed > soft:
        notes.append(
            f"WARNING: about {needed} file descriptors are needed but the limit is {soft}; "
            "expect failed connections (raise it with `ulimit -n`)"
        )
    return notes


# --- the simulated class ----------------------------------------------------------


def _ws_url(http_url: str, path: str) -> str:
    parts = urlsplit(http_url)
    return f"ws://{parts.netloc}{path}"


class _ClassRun:
    """The shared state of one run: the driver, the instructor reader and every student."""

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
        self.samples: dict[str, list[float]] = {key: [] for key in METRICS}
        self.errors: Counter[str] = Counter()
        self.notes: list[str] = []
        self.rounds: dict[int, QuestionRound] = {}
        self.current_round: QuestionRound | None = None
        self.joins = Countdown(plan.students)
        self.alive = 0
        self.ended: Countdown | None = None
        self.instructor_ended = trio.Event()
        self.instructor_ended_at_unix_s: float | None = None
        self.total_questions: int | None = None
        self.server_cpu_s: float | None = None
        self.server_join_cpu_s: float | None = None
        self.join_phase_s = 0.0
        self.received = {"instructor": 0, "projector": 0}  # bytes, all along
        self.question_bytes = {"instructor": 0, "projector": 0}  # bytes, while questions ran

    # - students -

    async def run_student(self, student: SimulatedStudent) -> None:
        """One student from join to ``session_ended``. Expected failures are counted, not raised."""
        try:
            await self._student_session(student)
        except (OSError, trio.BrokenResourceError, h11.ProtocolError) as exc:
            self.errors[f"student: connection failed ({type(exc).__name__})"] += 1
        except WebSocketClosed as exc:
            self.errors[f"student: websocket closed unexpectedly (code {exc.code})"] += 1
        except HandshakeRefused as exc:
            self.errors[f"student: websocket handshake failed ({_describe_handshake(exc)})"] += 1
        finally:
            if not student.joined:
                self.joins.forgive()
            elif not student.ended:
                self._student_lost(student)

    async def _student_session(self, student: SimulatedStudent) -> None:
        """Join (HTTP, websocket, first ``state``) within ``timeout_s`` in all, then take part."""
        timeout = self.plan.timeout_s
        started = trio.current_time()
        with trio.CancelScope(deadline=started + timeout) as join_deadline:
            response = await http_client.request(
                "POST",
                f"{self.target.url}/api/join",
                json={"student_id": student.student_id, "name": student.name},
            )
            if response.status != 200:
                self.errors[f"join: HTTP {response.status}"] += 1
                return
            student.cookie = response.cookie_pair(STUDENT_COOKIE)
            if not student.cookie:
                self.errors["join: no student cookie in the response"] += 1
                return
            async with open_websocket(
                _ws_url(self.target.url, "/ws/student"),
                headers=[("Cookie", student.cookie)],
                wait_s=timeout,
            ) as ws:
                first = json.loads(await ws.get_message())
                if first.get("type") != "state" or first.get("state") != "lobby":
                    self.errors["join: first message is not state=lobby"] += 1
                    return
                join_deadline.deadline = math.inf
                self.samples["join"].append(_ms(trio.current_time() - started))
                student.joined = True
                self.alive += 1
                self.joins.arrive()
                await self._student_loop(student, ws)
        if join_deadline.cancelled_caught:
            self.errors["join: timed out"] += 1

    async def _student_loop(self, student: SimulatedStudent, ws: Any) -> None:
        """Read until ``session_ended``; an answer waits for its moment while the socket is read."""
        # (question, answer, when to send it)
        pending: tuple[QuestionRound, Answer, float] | None = None
        while True:
            text: str | None = None
            if pending is None:
                text = await ws.get_message()
            else:
                with trio.move_on_at(pending[2]):
                    text = await ws.get_message()
            if text is None:
                assert pending is not None
                question, answer, _ = pending
                pending = None
                await self._submit(student, ws, question, answer)
                continue
            kind = _message_type(text)
            if kind not in _STUDENT_TYPES_NEEDED:
                continue
            message = json.loads(text)
            if kind == "question_open":
                question = self._on_question_open(student, message)
                answer = sensible_answer(message, student.rng)
                if question is not None and answer is not None:
                    delay_s = student.rng.uniform(0, self.plan.answer_window_ms / 1000.0)
                    pending = (question, answer, trio.current_time() + delay_s)
            elif kind == "submit_ack":
                self._on_submit_ack(student, message)
            elif kind == "question_closed":
                if pending is not None:
                    self.errors["student: question closed before it answered"] += 1
                    pending = None
                self._on_question_closed(student, message)
            elif kind == "session_ended":
                student.ended = True
                if self.ended is not None:
                    self.ended.arrive()
                return
            elif kind == "error":
                self.errors[f"student: server error {message.get('code')}"] += 1

    async def _submit(
        self, student: SimulatedStudent, ws: Any, question: QuestionRound, answer: Answer
    ) -> None:
        idx = question.question_idx
        sent_at = trio.current_time()
        student.answers_sent[idx] = answer.sent
        student.acks_expected[idx] = answer.stored
        student.answer_sent_at[idx] = sent_at
        student.acks.setdefault(idx, [])
        question.last_answer_sent_at = max(question.last_answer_sent_at, sent_at)
        await ws.send_message(json.dumps({"type": "submit", "question_idx": idx,
                                          "answer": answer.sent}))

    def _on_question_open(
        self, student: SimulatedStudent, message: dict[str, Any]
    ) -> QuestionRound | None:
        idx = message.get("question_idx")
        question = self.rounds.get(idx) if isinstance(idx, int) else None
        if question is None:
            self.errors["student: question_open the driver did not ask for"] += 1
            return None
        if idx in student.opened:
            self.errors["student: question_open received twice"] += 1
            return None
        student.opened.add(idx)
        question.kind = message.get("kind", "choice")
        if self.total_questions is None and isinstance(message.get("total_questions"), int):
            self.total_questions = message["total_questions"]
        self.samples["question_open_fanout"].append(
            _ms(trio.current_time() - question.next_sent_at)
        )
        question.opened.arrive()
        return question

    def _on_submit_ack(self, student: SimulatedStudent, message: dict[str, Any]) -> None:
        idx = message.get("question_idx")
        if idx not in student.acks:
            self.errors["student: submit_ack for a question it did not answer"] += 1
            return
        acks = student.acks[idx]
        acks.append(message)
        if len(acks) > 1:
            self.errors["student: submit_ack received twice"] += 1
            return
        if message.get("answer") != student.acks_expected[idx]:
            self.errors["student: submit_ack names another answer"] += 1
        self.samples["submit_ack"].append(_ms(trio.current_time() - student.answer_sent_at[idx]))
        self.rounds[idx].acked.arrive()

    def _on_question_closed(self, student: SimulatedStudent, message: dict[str, Any]) -> None:
        idx = message.get("question_idx")
        question = self.rounds.get(idx) if isinstance(idx, int) else None
        if question is None or idx in student.closed:
            self.errors["student: unexpected question_closed"] += 1
            return
        student.closed[idx] = message
        if question.close_sent_at is None:
            self.errors["student: question closed by the server's timer, not the instructor"] += 1
        else:
            self.samples["question_closed_fanout"].append(
                _ms(trio.current_time() - question.close_sent_at)
            )
        question.closed.arrive()

    def _student_lost(self, student: SimulatedStudent) -> None:
        """Stop waiting for a student whose socket died mid-session."""
        self.alive -= 1
        question = self.current_round
        if question is not None:
            idx = question.question_idx
            if idx not in student.opened:
                question.opened.forgive()
            if not student.acks.get(idx):
                question.acked.forgive()
            if idx not in student.closed:
                question.closed.forgive()
        if self.ended is not None:
            self.ended.forgive()

    # - instructor -

    async def read_instructor(self, ws: Any, class_scope: trio.CancelScope) -> None:
        try:
            while True:
                text = await ws.get_message()
                self.received["instructor"] += len(text.encode())
                kind = _message_type(text)
                if kind not in _INSTRUCTOR_TYPES_NEEDED:
                    continue
                message = json.loads(text)
                if kind == "live_histogram":
                    self._on_live_histogram(message)
                elif kind == "question_closed":
                    question = self.rounds.get(message.get("question_idx"))
                    if question is not None:
                        question.closed_histogram = message.get("histogram")
                elif kind == "session_ended":
                    self.instructor_ended_at_unix_s = time.time()
                    self.instructor_ended.set()
                elif kind == "error":
                    self.errors[f"instructor: server error {message.get('code')}"] += 1
        except WebSocketClosed as exc:
            self.instructor_lost(exc, class_scope)

    async def watch_projector(self, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED
                              ) -> None:
        """A projector screen open for the whole class, like the one in the room: count
        what it is sent. The class goes on if it is lost."""
        plan, opened = self.plan, False
        try:
            async with open_websocket(
                _ws_url(self.target.url, "/ws/projector"),
                max_message_bytes=INSTRUCTOR_MAX_MESSAGE_BYTES,
                wait_s=plan.timeout_s,
            ) as ws:
                task_status.started()
                opened = True
                while True:
                    self.received["projector"] += len((await ws.get_message()).encode())
        except (WebSocketClosed, HandshakeRefused):
            self.errors["projector: websocket closed unexpectedly"] += 1
            if not opened:
                task_status.started()

    def instructor_lost(self, exc: WebSocketClosed, class_scope: trio.CancelScope) -> None:
        """Without the instructor nothing can go on: count it once and stop the class."""
        if not class_scope.cancel_called:
            self.errors[f"instructor: websocket closed unexpectedly (code {exc.code})"] += 1
            class_scope.cancel()

    def _on_live_histogram(self, message: dict[str, Any]) -> None:
        question = self.rounds.get(message.get("question_idx"))
        if question is None:
            return
        question.last_live_histogram = message.get("histogram")
        submitted = message.get("submitted_count", 0)
        if not question.histogram_complete.is_set() and submitted >= question.acked.expected:
            question.histogram_complete_at = trio.current_time()
            question.histogram_complete.set()

    async def wait_for(
        self, event: trio.Event, seconds: float, what: str, missing: int = 1
    ) -> None:
        """Wait up to ``seconds`` for ``event``; on timeout count ``missing`` errors and go on."""
        with trio.move_on_after(seconds):
            await event.wait()
            return
        self.errors[f"timeout: {what}"] += max(1, missing)

    async def drive(self, ws: Any) -> None:
        """Play the instructor: open each question, wait for the class, close it, end."""
        timeout = self.plan.timeout_s
        pid = self.target.pid
        cpu_before = process_cpu_seconds(pid) if pid else None
        question_count = self.plan.questions
        idx = 0
        while idx < question_count:
            expected = self.alive
            question = QuestionRound(
                idx, Countdown(expected), Countdown(expected), Countdown(expected)
            )
            self.rounds[idx] = question
            self.current_round = question
            received_before = dict(self.received)
            question.next_sent_at = trio.current_time()
            await ws.send_message('{"type":"next"}')
            await self.wait_for(
                question.opened.done, timeout, "question_open", question.opened.missing
            )
            total = self.total_questions
            if idx == 0 and total is not None and total < question_count:
                self.notes.append(
                    f"the server's quiz has {total} questions; ran {total}, not {question_count}"
                )
                question_count = total
            window_s = self.plan.answer_window_ms / 1000.0
            if question.kind == "slide":  # nothing to answer: show it for the answer window
                await trio.sleep(window_s)
            else:
                await self.wait_for(
                    question.acked.done, window_s + timeout, "submit_ack", question.acked.missing
                )
                await self.wait_for(question.histogram_complete, timeout,
                                    "instructor live_histogram")
            if question.histogram_complete_at is not None:
                self.samples["all_answers_visible"].append(
                    _ms(question.histogram_complete_at - question.last_answer_sent_at)
                )
            question.close_sent_at = trio.current_time()
            await ws.send_message('{"type":"close_question"}')
            await self.wait_for(
                question.closed.done, timeout, "question_closed", question.closed.missing
            )
            self.current_round = None
            for screen, before in received_before.items():
                self.question_bytes[screen] += self.received[screen] - before
            idx += 1
        cpu_after = process_cpu_seconds(pid) if pid else None
        if cpu_before is not None and cpu_after is not None:
            self.server_cpu_s = cpu_after - cpu_before
        self.ended = Countdown(self.alive)
        await ws.send_message('{"type":"end_session"}')
        await self.wait_for(self.ended.done, timeout, "session_ended", self.ended.missing)
        await self.wait_for(self.instructor_ended, timeout, "instructor session_ended")


def _describe_handshake(exc: HandshakeRefused) -> str:
    return f"HTTP {exc.status}" if exc.status else "no HTTP answer"


async def _instructor_cookie(target: ServerTarget, plan: Plan) -> str:
    with trio.fail_after(plan.timeout_s):
        response = await http_client.request(
            "GET", f"{target.url}/instructor?key={quote(target.instructor_key)}"
        )
    # The server trades the key for a cookie, then redirects to a URL without the key.
    cookie = response.cookie_pair(INSTRUCTOR_COOKIE)
    if response.status not in (200, 303) or not cookie:
        raise LoadtestRefused(
            f"the server refused the instructor key (HTTP {response.status}); "
            "pass the key printed in its banner with --instructor-key"
        )
    return cookie


async def _expect_lobby(ws: Any, plan: Plan) -> None:
    """Refuse to run unless the session is in the lobby (or reset it when asked to)."""
    with trio.fail_after(plan.timeout_s):
        first = json.loads(await ws.get_message())
        if first.get("type") != "state":
            raise LoadtestRefused(f"the instructor socket opened with {first.get('type')!r}")
        if first.get("state") == "lobby" and not plan.reset_first:
            return
        if not plan.reset_first:
            raise LoadtestRefused(
                f"the session is in state {first.get('state')!r}, not in the lobby; "
                "reset it from the dashboard or pass --reset"
            )
        await ws.send_message('{"type":"reset"}')
        while True:
            message = json.loads(await ws.get_message())
            if message.get("type") == "state" and message.get("state") == "lobby":
                return


async def simulate_class(target: ServerTarget, plan: Plan) -> ClassResult:
    """Run one simulated class against ``target`` and return everything observed.

    Raises LoadtestRefused when the instructor cannot connect or the session is
    not in the lobby. Every other failure (a refused join, a dead socket, a
    timeout) is counted in ``ClassResult.errors`` and the run carries on.
    """
    run = _ClassRun(target, plan)
    instructor_cookie = await _instructor_cookie(target, plan)
    try:
        async with open_websocket(
            _ws_url(target.url, "/ws/instructor"),
            headers=[("Cookie", instructor_cookie)],
            max_message_bytes=INSTRUCTOR_MAX_MESSAGE_BYTES,
            wait_s=plan.timeout_s,
        ) as instructor_ws:
            await _expect_lobby(instructor_ws, plan)
            async with trio.open_nursery() as class_nursery:
                class_scope = class_nursery.cancel_scope
                class_nursery.start_soon(run.read_instructor, instructor_ws, class_scope)
                await class_nursery.start(run.watch_projector)
                pid = target.pid
                join_cpu_before = process_cpu_seconds(pid) if pid else None
                join_started = trio.current_time()
                interval = 1.0 / plan.ramp_per_second
                for number, student in enumerate(run.students):
                    await trio.sleep_until(join_started + number * interval)
                    class_nursery.start_soon(run.run_student, student)
                # Every join settles within timeout_s of its start; the margin is for
                # scheduling.
                await run.wait_for(run.joins.done, plan.timeout_s + 5, "joins",
                                   run.joins.missing)
                run.join_phase_s = trio.current_time() - join_started
                join_cpu_after = process_cpu_seconds(pid) if pid else None
                if join_cpu_before is not None and join_cpu_after is not None:
                    run.server_join_cpu_s = join_cpu_after - join_cpu_before
                if run.alive:
                    try:
                        await run.drive(instructor_ws)
                    except WebSocketClosed as exc:
                        run.instructor_lost(exc, class_scope)
                class_scope.cancel()
    except HandshakeRefused as exc:
        raise LoadtestRefused(
            f"the instructor websocket failed: {_describe_handshake(exc)}"
        ) from exc
    if any(kind.startswith("join: HTTP 429") for kind in run.errors):
        run.notes.append(
            "the server answered 429 to joins: it limits joins per address per minute, and "
            "every simulated student comes from this machine's one address"
        )
    return ClassResult(
        students=run.students,
        rounds=[run.rounds[idx] for idx in sorted(run.rounds)],
        samples=run.samples,
        errors=run.errors,
        notes=run.notes,
        instructor_cookie=instructor_cookie,
        server_cpu_s=run.server_cpu_s,
        server_join_cpu_s=run.server_join_cpu_s,
        instructor_question_bytes=run.question_bytes["instructor"],
        projector_question_bytes=run.question_bytes["projector"],
        server_peak_rss_kib=process_peak_rss_kib(target.pid) if target.pid else None,
        join_phase_s=run.join_phase_s,
        instructor_ended_at_unix_s=run.instructor_ended_at_unix_s,
    )


# --- a throwaway server -----------------------------------------------------------


def loadtest_quiz(questions: int, *, mixed_kinds: bool = False) -> dict[str, Any]:
    """A quiz whose long time limit leaves closing each question to the load tester:
    A-D questions, or with ``mixed_kinds`` one question of each kind in turn."""
    if mixed_kinds:
        chosen = [MIXED_QUESTIONS[idx % len(MIXED_QUESTIONS)] for idx in range(questions)]
    else:
        chosen = [{"text": "Load test question", "options": ["Alpha", "Bravo", "Charlie", "Delta"],
                   "correct": LETTERS[idx % 4]} for idx in range(questions)]
    return {
        "title": "Load test",
        "time_limit_default": OWN_SERVER_TIME_LIMIT_S,
        "score_fn": "speed",
        "close_when_all_answered": False,
        "questions": [question | {"text": f"{question['text']} {idx + 1}"}
                      for idx, question in enumerate(chosen)],
    }


@dataclass(frozen=True)
class Answer:
    sent: Any  # what the student submits
    stored: Any  # what its submit_ack must echo: the answer as the server stores it


def sensible_answer(message: dict[str, Any], rng: random.Random) -> Answer | None:
    """What a student might answer to ``question_open``, by its kind; None for a slide."""
    kind = message.get("kind", "choice")
    if kind == "slide":
        return None
    if kind == "number":
        low, high = message.get("min", 0), message.get("max", 100)
        value = rng.randint(int(low), int(high))
        return Answer(value, value)
    if kind == "text":
        typed = rng.choice(TYPED_ANSWERS)
        return Answer(typed, typed.strip())
    letters = LETTERS[: len(message.get("options") or message.get("items") or ())]
    if kind == "multi":
        picked = rng.sample(letters, rng.randint(1, len(letters)))
        return Answer("".join(picked), "".join(sorted(picked)))
    if kind == "order":
        arranged = "".join(rng.sample(letters, len(letters)))
        return Answer(arranged, arranged)
    letter = rng.choice(letters)
    return Answer(letter, letter)


@asynccontextmanager
async def open_own_server(plan: Plan) -> AsyncIterator[ServerTarget]:
    """Serve a temporary Q-question quiz from a temp data dir on 127.0.0.1:0 in this process.

    The per-address join limit is lifted to the class size: real students come
    from many addresses, the simulated ones all from 127.0.0.1. The server and
    its data are gone when the block exits.
    """
    # Quart and hypercorn are heavy imports that a --url run never needs.
    from ..web.server import serve

    with tempfile.TemporaryDirectory(prefix="trivia-trio-loadtest-") as tmp:
        data_dir = Path(tmp)
        quiz_path = data_dir / "loadtest-quiz.json"
        quiz = loadtest_quiz(plan.questions, mixed_kinds=plan.mixed_kinds)
        quiz_path.write_text(json.dumps(quiz), encoding="utf-8")
        limits = Limits()
        limits = replace(
            limits,
            joins_per_address_per_minute=max(limits.joins_per_address_per_minute, plan.students),
        )
        settings = Settings(
            host="127.0.0.1",
            port=0,
            data_dir=data_dir,
            quiz_path=quiz_path,
            instructor_key=secrets.token_urlsafe(16),
            open_browser=False,
            limits=limits,
        )
        async with trio.open_nursery() as nursery:
            info = await nursery.start(serve, settings)
            yield ServerTarget(info.url, info.instructor_key, pid=os.getpid(), in_process=True)
            nursery.cancel_scope.cancel()


# --- the command ------------------------------------------------------------------


@dataclass
class LoadtestReport:
    plan: Plan
    target: ServerTarget
    result: ClassResult
    elapsed_s: float
    client_cpu_s: float

    def to_json(self) -> dict[str, Any]:
        result = self.result
        answers = result.answers_acked
        cpu_ms_per_answer = (
            round(result.server_cpu_s * 1000.0 / answers, 3)
            if result.server_cpu_s is not None and answers
            else None
        )
        joined = len(result.students)
        cpu_ms_per_join = (
            round(result.server_join_cpu_s * 1000.0 / joined, 3)
            if result.server_join_cpu_s is not None and joined
            else None
        )
        questions = len(result.rounds)
        return {
            "students": self.plan.students,
            "questions": len(result.rounds),
            "answer_window_ms": self.plan.answer_window_ms,
            "ramp_per_second": self.plan.ramp_per_second,
            "url": self.target.url,
            "metrics_ms": {key: summarize(result.samples[key]) for key in METRICS},
            "errors": dict(result.errors),
            "error_count": sum(result.errors.values()),
            "answers_acked": answers,
            "server": {
                "pid": self.target.pid,
                "in_process": self.target.in_process,
                "cpu_s_answer_phases": (
                    round(result.server_cpu_s, 3) if result.server_cpu_s is not None else None
                ),
                "cpu_ms_per_answer": cpu_ms_per_answer,
                "cpu_ms_per_join": cpu_ms_per_join,
                "peak_rss_mib": (
                    round(result.server_peak_rss_kib / 1024, 1)
                    if result.server_peak_rss_kib is not None
                    else None
                ),
            },
            "bytes_per_question": {
                "instructor": result.instructor_question_bytes // questions if questions else None,
                "projector": result.projector_question_bytes // questions if questions else None,
            },
            "join_phase_s": round(result.join_phase_s, 2),
            "session_ended_at_unix_s": result.instructor_ended_at_unix_s,
            "elapsed_s": round(self.elapsed_s, 2),
            "client_cpu_s": round(self.client_cpu_s, 2),
            "notes": list(result.notes),
        }


def _own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


async def run_loadtest(
    plan: Plan,
    *,
    url: str | None = None,
    instructor_key: str | None = None,
    server_pid: int | None = None,
) -> LoadtestReport:
    """Run the load test against ``url``, or against a throwaway in-process server when None."""
    started, cpu_started = trio.current_time(), _own_cpu_seconds()
    if url is None:
        async with open_own_server(plan) as target:
            result = await simulate_class(target, plan)
        result.notes.append(
            "the server ran in this process: its CPU and memory include the load generator's"
        )
    else:
        if not instructor_key:
            raise LoadtestRefused("--instructor-key is needed with --url")
        target = ServerTarget(check_loopback_url(url), instructor_key, pid=server_pid)
        result = await simulate_class(target, plan)
    if target.pid is not None and process_cpu_seconds(os.getpid()) is None:
        result.notes.append("server CPU and memory: unavailable (needs Linux /proc)")
    return LoadtestReport(
        plan, target, result, trio.current_time() - started, _own_cpu_seconds() - cpu_started
    )


def check_loopback_url(url: str) -> str:
    """Return the URL without a trailing slash, or refuse anything not on this machine."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise LoadtestRefused(f"--url must look like http://127.0.0.1:8000, not {url!r}")
    host = parts.hostname
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise LoadtestRefused(
            f"refusing to load-test {host}: the load tester only targets a server on this "
            "machine (127.0.0.1, ::1 or localhost), never someone else's"
        )
    return url.rstrip("/")


def format_report(report: LoadtestReport) -> str:
    data = report.to_json()
    plan = report.plan
    lines = [
        f"trivia-trio loadtest: {plan.students} students, {data['questions']} questions, "
        f"answer window {plan.answer_window_ms} ms, {report.target.url}",
        "",
        f"{'latency (ms)':<40} {'n':>6} {'p50':>9} {'p95':>9} {'p99':>9} {'max':>9}",
    ]
    for key, label in METRICS.items():
        figures = data["metrics_ms"][key]
        cells = [
            "-" if figures[name] is None else f"{figures[name]:.1f}"
            for name in ("p50", "p95", "p99", "max")
        ]
        lines.append(f"{label:<40} {figures['n']:>6} " + " ".join(f"{c:>9}" for c in cells))
    lines.append("")
    server = data["server"]
    if server["cpu_ms_per_answer"] is not None:
        lines.append(
            f"server CPU: {server['cpu_s_answer_phases']:.2f} s over {data['answers_acked']} "
            f"answers = {server['cpu_ms_per_answer']:.3f} ms per answer (pid {server['pid']})"
        )
    if server["cpu_ms_per_join"] is not None:
        lines.append(f"server CPU per join: {server['cpu_ms_per_join']:.3f} ms")
    if server["pid"] is None:
        lines.append("server CPU and memory: not measured (pass --server-pid)")
    per_question = data["bytes_per_question"]
    if per_question["instructor"] is not None:
        lines.append(f"sent per question: instructor {per_question['instructor'] / 1024:,.1f} KiB, "
                     f"projector {per_question['projector'] / 1024:,.1f} KiB")
    if server["peak_rss_mib"] is not None:
        lines.append(f"server peak RSS: {server['peak_rss_mib']:.1f} MiB")
    lines.append(
        f"joins took {data['join_phase_s']:.1f} s; whole run {data['elapsed_s']:.1f} s; "
        f"load generator CPU {data['client_cpu_s']:.1f} s"
    )
    lines.extend(f"note: {note}" for note in data["notes"])
    if data["errors"]:
        lines.append(f"ERRORS ({data['error_count']}):")
        for kind, count in sorted(data["errors"].items(), key=lambda item: -item[1]):
            lines.append(f"  {count:>6}  {kind}")
    else:
        lines.append("errors: none")
    return "\n".join(lines)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trivia_trio loadtest",
        description=(
            "Simulate a class: N students join, answer Q questions, and every step is "
            "timed. Without --url it starts its own throwaway server in this process."
        ),
    )
    parser.add_argument(
        "--url", help="a running server on this machine, e.g. http://127.0.0.1:8000"
    )
    parser.add_argument("--instructor-key", help="the key from the server's banner (with --url)")
    parser.add_argument(
        "--students", type=_positive_int, default=100, metavar="N", help="class size (default 100)"
    )
    parser.add_argument(
        "--questions",
        type=_positive_int,
        default=3,
        metavar="Q",
        help="questions to run (default 3; fewer if the server's quiz is shorter)",
    )
    parser.add_argument(
        "--answer-window-ms",
        type=_positive_int,
        default=3000,
        metavar="W",
        help="each student answers at a random moment within W ms of the question opening",
    )
    parser.add_argument(
        "--ramp-per-second",
        type=_positive_float,
        default=100.0,
        metavar="R",
        help="joins started per second (default 100)",
    )
    parser.add_argument(
        "--server-pid",
        type=_positive_int,
        metavar="PID",
        help="measure this server process's CPU per answer and peak memory (Linux)",
    )
    parser.add_argument(
        "--timeout-s",
        type=_positive_float,
        default=30.0,
        help="how long to wait for the server at each step (default 30)",
    )
    parser.add_argument("--seed", type=int, help="make the students' answers and timing repeatable")
    parser.add_argument(
        "--reset",
        action="store_true",
        help="reset the session first when it is not in the lobby (wipes its participants)",
    )
    parser.add_argument(
        "--mixed-kinds",
        action="store_true",
        help="without --url: ask one question of each kind in turn (choice, true/false,"
        " multi, text, number, order, poll, six options, slide)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    """``trivia_trio loadtest``: 0 when the class ran without a single error, 1 otherwise."""
    args = build_parser().parse_args(argv)
    plan = Plan(
        students=args.students,
        questions=args.questions,
        answer_window_ms=args.answer_window_ms,
        ramp_per_second=args.ramp_per_second,
        timeout_s=args.timeout_s,
        seed=args.seed,
        reset_first=args.reset,
        mixed_kinds=args.mixed_kinds,
    )
    sockets_per_student = 2 if args.url is None else 1
    for note in raise_fd_limit(plan.students * sockets_per_student + 64):
        print(note, file=sys.stderr)
    collect_garbage_for_a_big_class()  # the load generator holds thousands of sockets too
    refusals: list[BaseException] = []
    try:
        report = trio.run(
            lambda: run_loadtest(
                plan, url=args.url, instructor_key=args.instructor_key, server_pid=args.server_pid
            )
        )
    except* LoadtestRefused as group:
        # With its own server the refusal comes out of the server's nursery, grouped.
        refusals.extend(group.exceptions)
    if refusals:
        for exc in refusals:
            print(f"loadtest: {exc}", file=sys.stderr)
        return 2
    print(format_report(report))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
    return 1 if report.result.errors else 0


if __name__ == "__main__":
    sys.exit(main())

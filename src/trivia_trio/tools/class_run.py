"""One simulated class from the instructor's side: the driver, the dashboard's reader and a
projector, with the students of ``students.py``; or, with ``Plan.paced``, the teacher of a
student-paced run (``PacedClassRun``) with the students of ``paced_students.py``.

Shape: one task per student for the whole session (join over HTTP, open the
websocket, then read messages and answer), one instructor socket with its own
reader task, and a driver that plays the instructor: ``next``, wait until every
answer is acknowledged and visible on the dashboard, ``close_question``, and
finally ``end_session``. The driver and the students meet through countdowns
(counter + event), never through sleeps; sleeps only spread joins and answers
over time the way a real class does.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import quote

import trio

from ..core.dashboard_views import PRESENCE_SPARSE
from ..core.kinds import KINDS
from ..core.paced_grid_rows import GRID_ROWS
from . import http_client
from .class_model import (
    ClassResult,
    ClassState,
    Countdown,
    LoadtestRefused,
    Plan,
    QuestionRound,
    ServerTarget,
)
from .measure import ms, process_cpu_seconds, process_peak_rss_kib
from .paced_students import PacedStudentSide
from .students import StudentSide, describe_handshake, message_type
from .ws_client import HandshakeRefused, WebSocketClosed, open_websocket

# The server adds its data folder's id to this name.
INSTRUCTOR_COOKIE = "tt_instructor"
# Room for the instructor's whole presence table of a few thousand students.
INSTRUCTOR_MAX_MESSAGE_BYTES = 64 * 1024 * 1024
_INSTRUCTOR_TYPES_NEEDED = {"state", "live_histogram", "question_closed", "session_ended", "error"}


class ClassRun(ClassState):
    """The instructor's side of one run: the driver, the dashboard's reader and a projector."""

    async def read_instructor(self, ws: Any, class_scope: trio.CancelScope) -> None:
        try:
            while True:
                text = await ws.get_message()
                size = len(text.encode())
                kind = message_type(text)
                self.received["instructor"] += size
                self.instructor_types[kind or "?"] += size
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
                self.target.ws_url("/ws/projector"),
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

    def student_side(self) -> StudentSide:
        return StudentSide(self)

    async def prepare(self, ws: Any) -> None:
        """Before anyone joins (the session is in the lobby)."""

    def joins_done(self, cpu_before: float | None) -> None:
        """The joins are over: what the server spent on them."""
        pid = self.target.pid
        cpu_after = process_cpu_seconds(pid) if pid else None
        if cpu_before is not None and cpu_after is not None:
            self.server_join_cpu_s = cpu_after - cpu_before

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
            if not KINDS[question.kind].takes_answers:  # show it for the answer window
                await trio.sleep(window_s)
            else:
                await self.wait_for(
                    question.acked.done, window_s + timeout, "submit_ack", question.acked.missing
                )
                await self.wait_for(question.histogram_complete, timeout,
                                    "instructor live_histogram")
            if question.histogram_complete_at is not None:
                self.samples["all_answers_visible"].append(
                    ms(question.histogram_complete_at - question.last_answer_sent_at)
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
        await self.end_for_everyone(ws)

    async def end_for_everyone(self, ws: Any) -> None:
        """``end_session``, then wait for every student and the dashboard to see the end."""
        timeout = self.plan.timeout_s
        self.ended = Countdown(self.alive)
        await ws.send_message('{"type":"end_session"}')
        await self.wait_for(self.ended.done, timeout, "session_ended", self.ended.missing)
        await self.wait_for(self.instructor_ended, timeout, "instructor session_ended")


# Feedback after each question and every student in their own question order: what a
# teacher running practice in class picks. Options keep their letters, so the answers
# sent read back unchanged from the export.
PACED_SETTINGS = {"feedback": "each", "shuffle_questions": True, "shuffle_options": False}


class PacedClassRun(ClassRun):
    """The teacher of a student-paced run: pick the pace, watch, end for everyone."""

    _cpu_before: float | None = None

    def student_side(self) -> PacedStudentSide:
        return PacedStudentSide(self)

    async def prepare(self, ws: Any) -> None:
        """``set_pace``; the server answers with a ``state`` that has ``pace: "student"``."""
        await ws.send_message(json.dumps({"type": "set_pace", "pace": "student",
                                          "paced": PACED_SETTINGS}))
        with trio.fail_after(self.plan.timeout_s):
            while True:
                message = json.loads(await ws.get_message())
                if message.get("type") == "error":
                    raise LoadtestRefused(
                        f"the server refused the student-paced run: {message.get('code')} "
                        f"({message.get('message')})")
                if message.get("type") == "state" and message.get("pace") == "student":
                    break
        pid = self.target.pid
        self._cpu_before = process_cpu_seconds(pid) if pid else None

    def joins_done(self, cpu_before: float | None) -> None:
        """The students answer while others join: the CPU counts from before the first."""

    async def drive(self, ws: Any) -> None:
        """Wait until every student has finished, then End for everyone."""
        await self.wait_for(self.paced_finished.done, self.plan.paced_s + self.plan.timeout_s,
                            "paced_finished", self.paced_finished.missing)
        pid = self.target.pid
        cpu_after = process_cpu_seconds(pid) if pid else None
        if self._cpu_before is not None and cpu_after is not None:
            self.server_cpu_s = cpu_after - self._cpu_before
        await self.end_for_everyone(ws)


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
    run = (PacedClassRun if plan.paced else ClassRun)(target, plan)
    students = run.student_side()
    instructor_cookie = await _instructor_cookie(target, plan)
    # The dashboard's bytes count from the first join; a lost instructor ends the class
    # anywhere, and the figure is still given.
    join_started, bytes_before = trio.current_time(), 0
    try:
        async with open_websocket(
            # As the dashboard page asks: the progress grid's rows by position, sparse
            # presence rows.
            target.ws_url(f"/ws/instructor?accept={GRID_ROWS},{PRESENCE_SPARSE}"),
            headers=[("Cookie", instructor_cookie)],
            max_message_bytes=INSTRUCTOR_MAX_MESSAGE_BYTES,
            wait_s=plan.timeout_s,
        ) as instructor_ws:
            await _expect_lobby(instructor_ws, plan)
            await run.prepare(instructor_ws)
            async with trio.open_nursery() as class_nursery:
                class_scope = class_nursery.cancel_scope
                class_nursery.start_soon(run.read_instructor, instructor_ws, class_scope)
                await class_nursery.start(run.watch_projector)
                pid = target.pid
                join_cpu_before = process_cpu_seconds(pid) if pid else None
                join_started = trio.current_time()
                bytes_before = run.received["instructor"]
                interval = 1.0 / plan.ramp_per_second
                for number, student in enumerate(run.students):
                    await trio.sleep_until(join_started + number * interval)
                    class_nursery.start_soon(students.run_student, student)
                # Every join settles within timeout_s of its start; the margin is for
                # scheduling.
                await run.wait_for(run.joins.done, plan.timeout_s + 5, "joins",
                                   run.joins.missing)
                run.join_phase_s = trio.current_time() - join_started
                run.joins_done(join_cpu_before)
                if run.alive:
                    try:
                        await run.drive(instructor_ws)
                    except WebSocketClosed as exc:
                        run.instructor_lost(exc, class_scope)
                class_scope.cancel()
    except HandshakeRefused as exc:
        raise LoadtestRefused(
            f"the instructor websocket failed: {describe_handshake(exc)}"
        ) from exc
    minutes = (trio.current_time() - join_started) / 60
    dashboard_bytes = run.received["instructor"] - bytes_before
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
        dashboard_bytes_per_minute=dashboard_bytes / minutes if minutes > 0 else None,
        dashboard_bytes_by_type=dict(run.instructor_types),
        total_questions=run.total_questions,
    )

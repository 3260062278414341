"""The students of a simulated class: each one a task from join to ``session_ended``.

A student joins over HTTP, opens its websocket, reads every message and answers each
question at a random moment of the answer window; what it sees is timed into the run's
samples, and what goes wrong is counted in its errors, never raised.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import h11
import trio

from . import http_client
from .class_model import ClassState, QuestionRound, SimulatedStudent
from .class_quiz import Answer, sensible_answer
from .measure import ms
from .ws_client import HandshakeRefused, WebSocketClosed, open_websocket

# The server adds its data folder's id to this name.
STUDENT_COOKIE = "tt_student"
_TYPE_PREFIX = re.compile(r'"type"\s*:\s*"([a-z_]+)"')
_STUDENT_TYPES_NEEDED = {"question_open", "submit_ack", "question_closed", "session_ended", "error"}


def message_type(text: str) -> str | None:
    """The ``type`` of a message, read from its first bytes when the server puts it first."""
    match = _TYPE_PREFIX.search(text, 0, 64)
    if match:
        return match.group(1)
    message = json.loads(text)
    return message.get("type") if isinstance(message, dict) else None


def describe_handshake(exc: HandshakeRefused) -> str:
    return f"HTTP {exc.status}" if exc.status else "no HTTP answer"


class StudentSide:
    """The students' half of one run, reporting into the run's shared state."""

    def __init__(self, run: ClassState) -> None:
        self.run = run

    async def run_student(self, student: SimulatedStudent) -> None:
        """One student from join to ``session_ended``. Expected failures are counted, not raised."""
        try:
            await self._student_session(student)
        except (OSError, trio.BrokenResourceError, h11.ProtocolError) as exc:
            self.run.errors[f"student: connection failed ({type(exc).__name__})"] += 1
        except WebSocketClosed as exc:
            self.run.errors[f"student: websocket closed unexpectedly (code {exc.code})"] += 1
        except HandshakeRefused as exc:
            self.run.errors[f"student: websocket handshake failed ({describe_handshake(exc)})"] += 1
        finally:
            if not student.joined:
                self.run.joins.forgive()
            elif not student.ended:
                self._student_lost(student)

    async def _student_session(self, student: SimulatedStudent) -> None:
        """Join (HTTP, websocket, first ``state``) within ``timeout_s`` in all, then take part."""
        timeout = self.run.plan.timeout_s
        started = trio.current_time()
        with trio.CancelScope(deadline=started + timeout) as join_deadline:
            response = await http_client.request(
                "POST",
                f"{self.run.target.url}/api/join",
                json={"student_id": student.student_id, "name": student.name},
            )
            if response.status != 200:
                self.run.errors[f"join: HTTP {response.status}"] += 1
                return
            student.cookie = response.cookie_pair(STUDENT_COOKIE)
            if not student.cookie:
                self.run.errors["join: no student cookie in the response"] += 1
                return
            async with open_websocket(
                self.run.target.ws_url("/ws/student"),
                headers=[("Cookie", student.cookie)],
                wait_s=timeout,
            ) as ws:
                first = json.loads(await ws.get_message())
                if first.get("type") != "state" or first.get("state") != "lobby":
                    self.run.errors["join: first message is not state=lobby"] += 1
                    return
                join_deadline.deadline = math.inf
                self.run.samples["join"].append(ms(trio.current_time() - started))
                student.joined = True
                self.run.alive += 1
                self.run.joins.arrive()
                await self._student_loop(student, ws)
        if join_deadline.cancelled_caught:
            self.run.errors["join: timed out"] += 1

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
            kind = message_type(text)
            if kind not in _STUDENT_TYPES_NEEDED:
                continue
            message = json.loads(text)
            if kind == "question_open":
                question = self._on_question_open(student, message)
                answer = sensible_answer(message, student.rng)
                if question is not None and answer is not None:
                    delay_s = student.rng.uniform(0, self.run.plan.answer_window_ms / 1000.0)
                    pending = (question, answer, trio.current_time() + delay_s)
            elif kind == "submit_ack":
                self._on_submit_ack(student, message)
            elif kind == "question_closed":
                if pending is not None:
                    self.run.errors["student: question closed before it answered"] += 1
                    pending = None
                self._on_question_closed(student, message)
            elif kind == "session_ended":
                student.ended = True
                if self.run.ended is not None:
                    self.run.ended.arrive()
                return
            elif kind == "error":
                self.run.errors[f"student: server error {message.get('code')}"] += 1

    async def _submit(
        self, student: SimulatedStudent, ws: Any, question: QuestionRound, answer: Answer
    ) -> None:
        question.last_answer_sent_at = max(question.last_answer_sent_at, trio.current_time())
        await self.send_answer(student, ws, question.question_idx, answer)

    @staticmethod
    async def send_answer(student: SimulatedStudent, ws: Any, idx: int, answer: Answer) -> None:
        """Submit ``answer`` to question ``idx``, noting what its ack must say."""
        student.answers_sent[idx] = answer.sent
        student.acks_expected[idx] = answer.stored
        student.answer_sent_at[idx] = trio.current_time()
        student.acks.setdefault(idx, [])
        await ws.send_message(json.dumps({"type": "submit", "question_idx": idx,
                                          "answer": answer.sent}))

    def _on_question_open(
        self, student: SimulatedStudent, message: dict[str, Any]
    ) -> QuestionRound | None:
        idx = message.get("question_idx")
        question = self.run.rounds.get(idx) if isinstance(idx, int) else None
        if question is None:
            self.run.errors["student: question_open the driver did not ask for"] += 1
            return None
        if idx in student.opened:
            self.run.errors["student: question_open received twice"] += 1
            return None
        student.opened.add(idx)
        question.kind = message.get("kind", "choice")
        if self.run.total_questions is None and isinstance(message.get("total_questions"), int):
            self.run.total_questions = message["total_questions"]
        self.run.samples["question_open_fanout"].append(
            ms(trio.current_time() - question.next_sent_at)
        )
        question.opened.arrive()
        return question

    def _on_submit_ack(self, student: SimulatedStudent, message: dict[str, Any]) -> None:
        idx = message.get("question_idx")
        if idx not in student.acks:
            self.run.errors["student: submit_ack for a question it did not answer"] += 1
            return
        acks = student.acks[idx]
        acks.append(message)
        if len(acks) > 1:
            self.run.errors["student: submit_ack received twice"] += 1
            return
        if message.get("answer") != student.acks_expected[idx]:
            self.run.errors["student: submit_ack names another answer"] += 1
        self.run.samples["submit_ack"].append(ms(trio.current_time() - student.answer_sent_at[idx]))
        self._on_acked(idx)

    def _on_acked(self, idx: int) -> None:
        self.run.rounds[idx].acked.arrive()

    def _on_question_closed(self, student: SimulatedStudent, message: dict[str, Any]) -> None:
        idx = message.get("question_idx")
        question = self.run.rounds.get(idx) if isinstance(idx, int) else None
        if question is None or idx in student.closed:
            self.run.errors["student: unexpected question_closed"] += 1
            return
        student.closed[idx] = message
        if question.close_sent_at is None:
            self.run.errors[
                "student: question closed by the server's timer, not the instructor"] += 1
        else:
            self.run.samples["question_closed_fanout"].append(
                ms(trio.current_time() - question.close_sent_at)
            )
        question.closed.arrive()

    def _student_lost(self, student: SimulatedStudent) -> None:
        """Stop waiting for a student whose socket died mid-session."""
        self.run.alive -= 1
        question = self.run.current_round
        if question is not None:
            idx = question.question_idx
            if idx not in student.opened:
                question.opened.forgive()
            if not student.acks.get(idx):
                question.acked.forgive()
            if idx not in student.closed:
                question.closed.forgive()
        if self.run.ended is not None:
            self.run.ended.forgive()

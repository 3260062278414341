"""The students of a simulated student-paced run: each one a task from join to the end.

A student joins as in a live run (``students.py``), then goes through the quiz as a
phone does (docs/PROTOCOL.md, "Student-paced runs"): their first ``question_open``
comes at once; they answer after a while, read the feedback (``submit_ack`` and their
own ``question_closed``), press Next (``next {question_idx}``) and get the following
``question_open``, until ``paced_finished``; then they wait for ``session_ended``.

Each student has their own speed: the slowest take about ``Plan.paced_s`` for the whole
quiz, the fastest half that, and each question takes its own share of it.
"""

from __future__ import annotations

import json
import random
from typing import Any

import trio

from .class_model import SimulatedStudent
from .class_quiz import Answer, sensible_answer
from .measure import ms
from .students import StudentSide, message_type

_NEEDED = {"question_open", "submit_ack", "question_closed", "paced_finished",
           "session_ended", "error"}
SLOWEST_SHARE = 1.0  # of ``paced_s``: the slowest student's whole quiz
FASTEST_SHARE = 0.5  # ... and the fastest's
PAUSE_S = (0.3, 1.5)  # reading the feedback before Next


def question_times(rng: random.Random, questions: int, paced_s: float) -> list[float]:
    """A student's seconds per question: their whole quiz takes between ``FASTEST_SHARE``
    and ``SLOWEST_SHARE`` of ``paced_s``, some questions longer than others."""
    whole = paced_s * rng.uniform(FASTEST_SHARE, SLOWEST_SHARE)
    weights = [rng.uniform(0.5, 1.5) for _ in range(questions)]
    total = sum(weights)
    return [whole * weight / total for weight in weights]


class PacedStudentSide(StudentSide):
    """The students' half of a student-paced run; the join is a live run's."""

    async def _student_loop(self, student: SimulatedStudent, ws: Any) -> None:
        """Answer, read the feedback, Next, until the end; the socket is read meanwhile."""
        run = self.run
        times: list[float] = []
        current: int | None = None  # the question they are at
        answer: Answer | None = None
        pause = 0.0  # reading its feedback, before Next
        next_sent_at: float | None = None
        due: tuple[float, str] | None = None  # (when, "submit" or "next")
        while True:
            text: str | None = None
            if due is None:
                text = await ws.get_message()
            else:
                with trio.move_on_at(due[0]):
                    text = await ws.get_message()
            if text is None:
                assert due is not None and current is not None
                if due[1] == "submit" and answer is not None:
                    await self.send_answer(student, ws, current, answer)
                else:
                    next_sent_at = trio.current_time()
                    await ws.send_message(json.dumps({"type": "next", "question_idx": current}))
                due = None
                continue
            kind = message_type(text)
            if kind not in _NEEDED:
                continue
            message = json.loads(text)
            now = trio.current_time()
            if kind == "question_open":
                idx = message.get("question_idx")
                if not isinstance(idx, int) or idx in student.opened:
                    run.errors["student: question_open for a question already seen"] += 1
                    continue
                if next_sent_at is not None:
                    run.samples["next_open"].append(ms(now - next_sent_at))
                    next_sent_at = None
                if not times:
                    of = message.get("of")
                    run.total_questions = of if isinstance(of, int) else 1
                    times = question_times(student.rng, run.total_questions, run.plan.paced_s)
                student.opened.add(idx)
                current = idx
                spend = times[min(len(student.opened), len(times)) - 1]
                answer = sensible_answer(message, student.rng)
                pause = min(spend / 3, student.rng.uniform(*PAUSE_S))
                # A slide is only read: Next once its time is spent.
                due = (now + spend - pause, "submit") if answer is not None \
                    else (now + spend, "next")
            elif kind == "submit_ack":
                self._on_submit_ack(student, message)
            elif kind == "question_closed":
                idx = message.get("question_idx")
                if idx != current or idx in student.closed:
                    run.errors["student: question_closed for another question"] += 1
                    continue
                student.closed[idx] = message
                if not message.get("saved"):
                    run.errors["student: their time ran out (question_closed, not saved)"] += 1
                due = (now + pause, "next")
            elif kind == "paced_finished":
                if next_sent_at is not None:
                    run.samples["next_open"].append(ms(now - next_sent_at))
                    next_sent_at = None
                if not student.finished:
                    student.finished = True
                    run.paced_finished.arrive()
            elif kind == "session_ended":
                student.ended = True
                if run.ended is not None:
                    run.ended.arrive()
                return
            elif kind == "error":
                run.errors[f"student: server error {message.get('code')}"] += 1

    def _on_acked(self, idx: int) -> None:
        """A live run's driver counts acks per question; a paced one waits for the ends."""

    def _student_lost(self, student: SimulatedStudent) -> None:
        self.run.alive -= 1
        if not student.finished:
            self.run.paced_finished.forgive()
        if self.run.ended is not None:
            self.run.ended.forgive()

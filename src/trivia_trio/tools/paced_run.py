"""One simulated student-paced class from the teacher's side (``loadtest --paced``).

The teacher picks the pace in the lobby (``set_pace``), the students join and each goes
through the quiz on their own (``paced_students.py``) while the dashboard and a projector
stay connected; once every student has finished, the teacher presses End for everyone.
The server's CPU is measured over the whole class, joins included: in a student-paced
run a student starts answering as soon as they join, so the two cannot be told apart.
"""

from __future__ import annotations

import json
from typing import Any

import trio

from .class_model import LoadtestRefused
from .class_run import ClassRun
from .measure import process_cpu_seconds
from .paced_students import PacedStudentSide

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

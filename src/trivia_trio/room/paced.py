"""A student-paced run's live side: each student's clock, their Next, the teacher's
grid and accommodations, and the end. The room holds one ``PacedSide`` while its run
is student-paced and hands it what differs from a live run (``Room.paced``); the rules
are ``core/paced.py``, the messages ``core/paced_views.py``.

Every student's deadline is in one heap, run out by one task: 3,000 students are
3,000 entries, not 3,000 sleeping tasks, and a deadline that moved (an answer, Next,
a restart) is simply skipped when its time comes. Every acknowledged answer and
every turn is committed before anyone is told (the room's ``Saver``), so a restart
resumes each student on the same question with the time they had left.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import trio

from ..core import paced_views, views
from ..core.pace import PACES, BadSettings, settings_from
from ..core.paced import (
    NO_ACCOMMODATION,
    Accommodation,
    PacedRun,
    Progress,
    Turn,
    accommodation_from,
)
from ..core.quiz import Quiz
from ..core.record import Rejected, State, Submission
from ..store import database as db
from ..store import paced as record
from ..store.database import StorageError
from .clients import Client
from .clock import last_alive
from .paced_screens import PacedScreens
from .persist import nothing


@dataclass(frozen=True)
class StoredPace:
    """A run's pace as the disk keeps it, and for a student-paced run what its side
    starts from: each student's progress and the server's last heartbeat."""
    pace: record.RunPace
    progress: list[Progress]
    alive_at: int


def read_pace(conn: Any, run_id: int, quiz: Quiz, alive_key: str) -> StoredPace:
    """``StoredPace`` for run ``run_id`` of ``quiz`` (whose pace applies unless the teacher
    chose one); ``alive_key`` is the heartbeat's. While the server runs it is read in the
    transaction of the change it follows (a new pace, quiz or run), in the committer's
    thread: off the event loop, and a read that fails undoes the change, so the disk
    never keeps a pace, quiz or run the room does not hold."""
    pace = record.run_pace(conn, run_id, quiz.pace, quiz.paced)
    if pace.pace != "student":
        return StoredPace(pace, [], 0)
    return StoredPace(pace, record.load_progress(conn, run_id), last_alive(conn, alive_key))


def _pick(conn: Any, run_id: int, pace: record.RunPace, quiz: Quiz, alive_key: str
          ) -> StoredPace:
    record.set_run_pace(conn, run_id, pace)
    return read_pace(conn, run_id, quiz, alive_key)


class PacedSide:
    """The room's student-paced part (see the module docstring). ``room`` is the Room."""

    def __init__(self, room: Any, kept: StoredPace) -> None:
        self.room = room
        self.run = PacedRun(room.game, kept.pace.settings, started_at=kept.pace.started_at,
                            ended_at=kept.pace.ended_at)
        for progress in kept.progress:
            if progress.student_id in room.game.participants:
                self.run.restore(progress)
        self._alive_at = kept.alive_at
        self._deadlines: list[tuple[int, str, int]] = []  # (deadline, student, position)
        self._wake = trio.Event()
        self._sleeping_until: int | None = None  # the deadline the task waits for, if any
        self.screens = PacedScreens(room, self.run)
        self._scope = trio.CancelScope()

    @property
    def clock(self) -> Callable[[], int]:
        return self.room.clock

    # ---- the tasks: every student's deadline, the run's end time, the views -------------
    async def run_tasks(self, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED
                        ) -> None:
        """Until the room drops this side (a new run): resume, then run the clocks."""
        with self._scope:
            await self._resume()
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self.screens.run_redraws)
                task_status.started()
                await self._run_out_deadlines()

    def stop(self) -> None:
        self._scope.cancel()

    async def _resume(self) -> None:
        """After a restart each open turn gets the time it had left when the server
        stopped: the downtime is not counted (``Room._resume_open_question``)."""
        run_id = self.room.run_id
        moved = self.run.resume(self._alive_at, self.clock())
        if moved:
            def save(conn: Any) -> None:
                for student_id, turn in moved:
                    record.save_turn(conn, run_id, student_id, turn)
            await self.room.saver.persist(save)
        for student_id, turn in self.run.open_turns():
            self._schedule(student_id, turn)

    def _schedule(self, student_id: str, turn: Turn) -> None:
        if turn.deadline is not None:
            heapq.heappush(self._deadlines, (turn.deadline, student_id, turn.position))
            if self._sleeping_until is None or turn.deadline < self._sleeping_until:
                self._wake.set()  # else the deadline task wakes before this one is due

    async def _run_out_deadlines(self) -> None:
        while True:
            ends_at = None if self.run.ended else self.run.ends_at
            due = min([d for d in (ends_at, self._deadlines[0][0] if self._deadlines else None)
                       if d is not None], default=None)
            now = self.clock()
            if due is None or due > now:
                self._wake = trio.Event()
                self._sleeping_until = due
                with trio.move_on_after(60 if due is None else (due - now) / 1000):
                    await self._wake.wait()
                self._sleeping_until = None
                continue
            if ends_at is not None and ends_at <= now:
                await self.room.end_session()
                continue
            due_now = []
            while self._deadlines and self._deadlines[0][0] <= now:
                _, student_id, position = heapq.heappop(self._deadlines)
                due_now.append((student_id, position))
            await self._time_up(due_now, now)

    async def _time_up(self, due: list[tuple[str, int]], now: int) -> None:
        """The turns whose deadlines passed by ``now`` close, in one commit for all of
        them: a class whose clocks run out together is one write, not one a student.
        The clock is read once: read again, it could say a deadline just popped has not
        passed yet (and that turn would never close)."""
        closed = []
        for student_id, position in due:
            progress = self.run.progress.get(student_id)
            turn = progress.current if progress else None
            if turn is None or turn.position != position:
                continue  # moved on meanwhile
            missed = self.run.time_up(student_id, now)
            if missed is not None:
                closed.append((student_id, turn, missed))
        if not closed:
            return
        run_id = self.room.run_id

        def save(conn: Any) -> None:
            for student_id, turn, missed in closed:
                _save_close(run_id, student_id, turn, [missed], conn)
        await self.room.saver.persist(save)
        for student_id, turn, _ in closed:
            self._tell(student_id, paced_views.turn_closed(self.run, student_id,
                                                           turn.question_idx))
            self.changed(student_id)

    # ---- what students do -----------------------------------------------------------------
    async def start(self, student_id: str,
                    accommodation: Accommodation = NO_ACCOMMODATION) -> None:
        """A student joined: their order is drawn and kept, their first question opens."""
        progress = self.run.start(student_id, self.clock(), accommodation)
        # Scheduled before the save: a phone that drops while it commits must not leave a
        # turn with no deadline (a refused start's deadline finds no turn, and passes).
        if progress.current is not None:
            self._schedule(student_id, progress.current)
        try:
            await self.room.saver.save(partial(record.save_start, run_id=self.room.run_id,
                                               progress=progress))
        except StorageError:
            del self.run.progress[student_id]  # their first Next starts them again
            raise
        finally:
            self.changed(student_id)

    def remove(self, student_id: str) -> None:
        """The teacher removed the student (their record is gone): no clock of theirs
        runs on, and their row leaves the grid (a whole refresh: a gone row shows only
        against every row)."""
        self.run.remove(student_id)
        self.changed()

    async def submit(self, client: Client, message: dict[str, Any]) -> None:
        student_id = client.student_id
        assert student_id is not None
        run, game = self.run, self.room.game
        submission = run.check_submit(student_id, message.get("question_idx"),
                                      message.get("answer"), self.clock())
        if game.record(submission):
            turn = run.answered(submission)
            self.room.uncommitted.add(submission)
            try:
                await self.room.saver.save(partial(_save_close, self.room.run_id, student_id,
                                                   turn, [submission]), gathered=True)
            except StorageError:
                game.retract(submission)
                run.unanswer(submission)
                if turn.closed_at is None:
                    # Open again, its clock running on: its deadline may have passed while
                    # the save was out, and the deadline task then dropped it as answered.
                    self._schedule(student_id, turn)
                raise Rejected("storage", "your answer could not be saved; try again") from None
            finally:
                self.room.uncommitted.discard(submission)
                self.changed(student_id)  # answered, or not after all
        else:
            # A repeat of an answer that may still be committing (or gathering): wait for
            # its group, and acknowledge it only if that commit kept it.
            await self.room.saver.save(nothing, gathered=True)
            if game.submission(student_id, submission.question_idx) != submission:
                raise Rejected("storage", "your answer could not be saved; try again")
        client.send_all([views.encode(paced_views.ack(run, submission)),
                         views.encode(paced_views.turn_closed(run, student_id,
                                                              submission.question_idx))])

    async def next(self, client: Client, message: dict[str, Any]) -> None:
        """The student's Next: the question they are at is passed (an open one counts as
        no answer) and the following one opens; after the last, they are done."""
        student_id = client.student_id
        assert student_id is not None
        at = message.get("question_idx")
        if at is not None and (isinstance(at, bool) or not isinstance(at, int)):
            raise Rejected("bad_question", "question_idx must be a whole number or absent")
        if student_id not in self.run.progress:
            if student_id not in self.room.game.participants:
                raise Rejected("not_joined", "join the quiz first")
            await self.start(student_id)
        elif self._pressed_here(student_id, at):
            current = self.run.progress[student_id].current
            passed = current if current is not None and current.closed_at is None else None
            # The next question's clock runs from when the gathered save goes to the disk,
            # as close as the server knows to when the phone gets it.
            now = self.clock()
            missed, opened = self.run.next(student_id, now,
                                           now + self.room.saver.gather_delay_ms())
            run_id = self.room.run_id

            def save(conn: Any) -> None:
                if passed is not None:
                    _save_close(run_id, student_id, passed, [missed] if missed else [], conn)
                if opened is not None:
                    record.save_turn(conn, run_id, student_id, opened)
            # Before the save: a phone that drops while it commits must not leave the
            # opened turn with no deadline, nor the grid without its change.
            if opened is not None:
                self._schedule(student_id, opened)
            self.changed(student_id)
            await self.room.saver.persist(save, gathered=True)
        # The phone has the run's state from its connect: only where the student is now.
        client.send_all(self.snapshot(student_id, with_state=False))

    def _pressed_here(self, student_id: str, at: object) -> bool:
        """Whether a Next was pressed at the question the student is at: one repeated
        after it acted (a double tap, a resend) must not pass another question."""
        current = self.run.progress[student_id].current
        return at is None or current is None or at == current.question_idx

    def snapshot(self, student_id: str, *, with_state: bool = True) -> list[str]:
        """Where the student is (after the run's ``state``, unless not ``with_state``):
        their question (with its close, if answered or passed), done, or the end with
        their review."""
        texts = [views.encode(self.state_message())] if with_state else []
        progress = self.run.progress.get(student_id)
        if self.run.ended:
            texts.append(views.encode(paced_views.ended(self.run, student_id)))
        elif progress is not None and progress.finished:
            texts.append(views.encode(paced_views.finished(self.run, student_id)))
        elif progress is not None and progress.current is not None:
            turn = progress.current
            question = paced_views.question_open(self.run, student_id, self.clock())
            assert question is not None
            texts.append(views.encode(question))
            submission = self.room.game.submission(student_id, turn.question_idx)
            if turn.closed_at is not None and submission not in self.room.uncommitted:
                texts.append(views.encode(paced_views.turn_closed(self.run, student_id,
                                                                  turn.question_idx)))
        return texts

    def answering(self, student_id: str) -> int | None:
        """The question the student has open (their clock runs), if any: what a phone
        reports about leaving the page counts only then, and for that question."""
        progress = self.run.progress.get(student_id)
        turn = progress.current if progress else None
        return turn.question_idx if turn is not None and turn.closed_at is None \
            and not self.run.ended else None

    def me(self, student_id: str) -> dict[str, Any]:
        return paced_views.me(self.run, student_id, self.room.uncommitted)

    def state_message(self) -> dict[str, Any]:
        return views.state_message(self.room.game) | {"pace": "student"}

    def _tell(self, student_id: str, message: dict[str, Any]) -> None:
        text = views.encode(message)
        self.room.audience.to_students(lambda sid: text, (student_id,))

    # ---- what the teacher does ------------------------------------------------------------
    async def accommodate(self, client: Client, message: dict[str, Any]) -> None:
        """Extra time or no speed penalty for one student, from their next question."""
        student_id = message.get("student_id")
        progress = self.run.progress.get(student_id) if isinstance(student_id, str) else None
        if progress is None:
            raise Rejected("bad_message", "no such student in this run")
        accommodation = accommodation_from(message)
        await self.room.saver.save(partial(record.save_accommodation, run_id=self.room.run_id,
                                           student_id=student_id, accommodation=accommodation))
        progress.accommodation = accommodation
        self.changed(student_id)

    def end(self, now: int) -> Callable[[Any], None]:
        """Every open turn closes at ``now``, the run's end (the room holds its lock):
        unanswered is no answer. Returns the write that records it, which the room
        commits with the run's end (``Flow._end_locked``), then calls ``ended``."""
        missed = self.run.end(now)
        turns = {row.student_id: self.run.progress[row.student_id].current for row in missed}
        run_id = self.room.run_id

        def save(conn: Any) -> None:
            db.insert_submissions(conn, run_id, missed)
            for student_id, turn in turns.items():
                record.save_turn(conn, run_id, student_id, turn)
        return save

    def ended(self) -> None:
        """The end is written: the clocks stop, and the grid's header says ended and the
        rows of those it closed say no answer there."""
        self._wake.set()
        self.screens.header_changed()
        self.changed()

    def ended_for_students(self) -> Callable[[str], str]:
        grid = self.run.run_results()  # once for the class, not once a student
        return lambda student_id: views.encode(paced_views.ended(self.run, student_id, grid))

    # ---- the dashboards and the projector (paced_screens.py) -----------------------------
    def changed(self, student_id: str | None = None) -> None:
        self.screens.changed(student_id)


def _student(method: Callable[..., Any]) -> Callable[[Any, Client, dict[str, Any]], Any]:
    async def action(room: Any, client: Client, message: dict[str, Any]) -> None:
        if room.game.state is State.FINISHED:
            raise Rejected("quiz_finished", "the quiz has ended")
        await method(room.paced, client, message)
    return action


async def _accommodate(room: Any, client: Client, message: dict[str, Any]) -> None:
    await room.paced.accommodate(client, message)


STUDENT_ACTIONS = {"submit": _student(PacedSide.submit), "next": _student(PacedSide.next)}
# The teacher's commands that make sense in a student-paced run (Room adds its own).
INSTRUCTOR_ACTIONS = {"accommodate": _accommodate}
# Live commands a student-paced run refuses: nobody opens a question for everyone.
LIVE_ONLY = ("open_question", "close_question", "next", "show_leaderboard",
             "close_when_all_answered")


async def choose_pace(room: Any, pace: object, raw_settings: object) -> None:
    """The teacher's pick for this run (``pace``, ``paced`` as the quiz file has them):
    only before anyone joined; the end time counts from now. Rejected otherwise."""
    if pace not in PACES:
        raise Rejected("bad_message", f"pace must be one of {', '.join(PACES)}")
    try:
        settings = settings_from(raw_settings)
    except BadSettings as bad:
        raise Rejected("bad_message", str(bad)) from None
    async with room._lock:
        if room.game.participants or room.game.openings or room.game.state is not State.LOBBY:
            raise Rejected("quiz_running", "choose the pace before anyone joins")
        chosen = record.RunPace(str(pace), settings, room.clock())
        with room.pace_settling_now():
            room.hold_pace(await room.saver.save(partial(
                _pick, run_id=room.run_id, pace=chosen, quiz=room.game.quiz,
                alive_key=room.heartbeat.key)))
        room._broadcast_state()
        room._to_instructors(room._room_info())
        room.pacing.now()


async def set_pace(room: Any, client: Client, message: dict[str, Any]) -> None:
    """The dashboard's ``set_pace {pace, paced?}``."""
    await choose_pace(room, message.get("pace"), message.get("paced"))


def _save_close(run_id: int, student_id: str, turn: Turn, rows: list[Submission],
                conn: Any) -> None:
    """A turn closed (answered, passed or out of time) and its rows, in the run they belong
    to: a save the disk refused is replayed later, perhaps after a new run began."""
    db.insert_submissions(conn, run_id, rows)
    record.save_turn(conn, run_id, student_id, turn)

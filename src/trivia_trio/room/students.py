"""The students' side of the room: joining, answering, what their phones report, and
being removed by the teacher.

Memory moves first and the disk follows, but nothing is acknowledged before it
is committed: an answer is ``uncommitted`` until its group commit is done, and a
join the disk refused is taken back. ``StudentSide`` is mixed into ``Room``,
which owns what it uses.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import trio

from ..core import views
from ..core.game import Game
from ..core.paced import NO_ACCOMMODATION, Accommodation
from ..core.record import DuplicateStudentId, Participant, Rejected, State, Submission
from ..store import database as db
from ..store.database import StorageError
from .audience import Audience
from .clients import Client
from .pacing import ViewPacing
from .persist import Saver, nothing


class StudentSide:
    """What students do (see the module's docstring)."""

    game: Game
    run_id: int
    clock: Callable[[], int]
    audience: Audience
    saver: Saver
    pacing: ViewPacing
    uncommitted: set[Submission]
    joining_locked: bool
    _clearing: set[str]
    _lock: trio.Lock
    paced: Any  # room/paced.py's PacedSide while the run is student-paced
    # Set while the run's pace (a pick, a quiz loaded in the run's place, or a new run) is
    # saved and read back: see ``pace_settling_now``.
    pace_settling: trio.Event | None = None

    @contextlib.contextmanager
    def pace_settling_now(self) -> Iterator[None]:
        """Joins wait (``join``) until the block ends: the run's pace was picked, or its
        quiz replaced, for the class as it stood, nobody joined, or a new run started,
        and memory holds it only once it is read back from the disk. A join let through
        meanwhile joined the run as it was: a live lobby no one opens, a student-paced
        side about to be replaced without them, or the run being archived."""
        settling = self.pace_settling = trio.Event()
        try:
            yield
        finally:
            self.pace_settling = None
            settling.set()

    def _seen(self, student_id: str | None) -> None:
        self.audience.seen(student_id)
        if student_id is not None:
            self.pacing.mark("presence", only=student_id)

    async def _submit(self, client: Client, message: dict[str, Any]) -> None:
        assert client.student_id is not None
        game = self.game
        if client.student_id in self._clearing:
            raise Rejected("not_joined", "you were removed from this quiz")
        submission = game.check_submit(client.student_id, message.get("question_idx"),
                                       message.get("answer"), self.clock())
        # An answer given when the question was asked again counts in this one's place;
        # both stay recorded, each under its asking.
        replaced = game.earlier_answer(client.student_id, submission.question_idx)
        if game.record(submission):
            # Until it is committed, no snapshot or /api/me may show it as received.
            self.uncommitted.add(submission)
            try:
                await self.saver.save(
                    partial(db.insert_submissions, run_id=self.run_id, rows=[submission]))
            except StorageError:
                missed = game.retract(submission, replaced)
                if missed is not None:
                    await self.saver.persist(partial(db.insert_submissions, run_id=self.run_id,
                                                rows=[missed]))
                raise Rejected("storage", "your answer could not be saved; try again") from None
            finally:
                self.uncommitted.discard(submission)
                # Answered and scored, or not after all.
                self.pacing.mark("presence", "leaderboard", only=client.student_id)
            self.pacing.mark("histogram", "projector")
        else:
            # A repeat of an answer that may still be committing: wait for its group.
            await self.saver.save(nothing)
            if game.submission(client.student_id, submission.question_idx) != submission:
                raise Rejected("storage", "your answer could not be saved; try again")
        client.send_message(views.ack_message(game, submission))
        self._close_if_all_answered()

    async def join(self, student_id: str, name: str, *,
                   accommodation: Accommodation = NO_ACCOMMODATION) -> Participant:
        """First claim wins; a second claim is audited and raises DuplicateStudentId.
        ``accommodation`` (a class list's) applies from the first question of a
        student-paced run."""
        # A pace being settled was settled for the class as it stood: a join waits until
        # it is held, then starts on it (``pace_settling_now``).
        while self.pace_settling is not None:
            await self.pace_settling.wait()
        # A reset may start a new run while this join commits: it belongs to this one.
        now, game, run_id = self.clock(), self.game, self.run_id
        try:
            missed = game.join(student_id, name, secrets.token_urlsafe(12), now,
                               open_to_new=not self.joining_locked)
        except DuplicateStudentId:
            game.record_event(student_id, "duplicate_join", now)
            self.pacing.mark("presence", only=student_id)  # or the orphans' list, sent anyway
            await self.saver.persist(partial(db.save_event, run_id=run_id,
                                        student_id=student_id, question_idx=None,
                                        kind="duplicate_join", ts=now,
                                        detail={"name": name}))
            raise
        participant = game.participants[student_id]

        def save_join(conn: Any) -> None:
            db.save_participant(conn, run_id, participant)
            db.insert_submissions(conn, run_id, missed)

        try:
            await self.saver.save(save_join)
        except StorageError:
            game.remove(student_id)
            # A whole table sent meanwhile may have shown the student.
            self.pacing.mark("lobby", "presence", "leaderboard", "lobby_count")
            raise
        if game is not self.game:
            raise Rejected("quiz_reset", "the quiz was just reset: join again")
        self.pacing.mark("lobby", "projector", "histogram", "lobby_count")
        self.pacing.mark("presence", "leaderboard", only=student_id)
        if self.paced is not None and self.paced.run.game is game:
            # Their order is drawn and their first question opens: a refusal leaves them
            # joined, and their first Next starts them.
            with contextlib.suppress(StorageError):
                await self.paced.start(student_id, accommodation)
        return participant

    async def record_event(self, student_id: str, kind: str, question_idx: int | None) -> None:
        """Telemetry counts only while a question is open: a phone put away in the lobby
        or during a reveal is not a student looking something up. In a student-paced run
        that is the student's own open question (``PacedSide.answering``)."""
        now, game = self.clock(), self.game
        if self.paced is not None:
            question_idx = self.paced.answering(student_id)
            counts = question_idx is not None
        else:
            counts = game.state is State.QUESTION_OPEN
        if not counts:
            self._seen(student_id)
            return
        await self.saver.save(partial(db.save_event, run_id=self.run_id, student_id=student_id,
                                 question_idx=question_idx, kind=kind, ts=now))
        game.record_event(student_id, kind, now)
        self._seen(student_id)

    async def clear_student(self, student_id: str) -> bool:
        """Remove a participant and their answers; their sockets are told and closed.

        All or nothing: if the disk refuses, StorageError and nothing changes. While
        the delete commits no answer of theirs is accepted, so no insert can queue
        up behind the delete and outlive it.
        """
        async with self._lock:
            if student_id not in self.game.participants:
                return False
            self._clearing.add(student_id)
            try:
                await self.saver.save(partial(db.delete_participant, run_id=self.run_id,
                                         student_id=student_id))
            finally:
                self._clearing.discard(student_id)
            self.game.remove(student_id)
            if self.paced is not None:
                self.paced.remove(student_id)
            self._kick_students(lambda sid: sid == student_id, "removed")
            self.pacing.mark("lobby", "presence", "projector", "histogram", "leaderboard",
                       "lobby_count")
            return True

    def is_current(self, student_id: str, cookie_id: str, run_id: int) -> bool:
        participant = self.game.participants.get(student_id)
        return (run_id == self.run_id and participant is not None
                and secrets.compare_digest(participant.cookie_id, cookie_id))


STUDENT_ACTIONS: dict[str, Callable[[Any, Client, dict[str, Any]], Any]] = {
    "submit": StudentSide._submit,
}

"""The teacher's commands and the transitions they make: open, close, reveal,
leaderboard, end, a new run and a new quiz (the room's switches are ``switches.py``).

Every command holds the room's lock and is refused (``stale``) when it was
pressed at a stage that has passed. A transition changes the game, writes
the change with the session's new state in one transaction, then tells
everyone. ``Flow`` is mixed into ``Room``, which owns what it uses.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractContextManager, asynccontextmanager
from functools import partial
from typing import Any

import trio

from ..core import views
from ..core.game import Game
from ..core.pace import PACES
from ..core.quiz import Quiz
from ..core.record import Opening, Rejected, State, Step, run_seed
from ..store import database as db
from ..store import paced as paced_record
from .audience import Audience
from .clients import Client
from .clock import QuestionTimer
from .paced import StoredPace, read_pace
from .pacing import ViewPacing
from .persist import Saver


def quiz_json(quiz: Quiz) -> str:
    return json.dumps(quiz.to_dict())


def _settle_pace(conn: Any, run_id: int, quiz: Quiz, pace: str | None, now: int,
                 forget: tuple[str, ...], alive_key: str) -> StoredPace:
    """Run ``run_id`` of ``quiz`` (new, or with a new quiz) in the change's transaction:
    the switches ``forget`` forgotten, the teacher's pick of ``pace``, if any, kept with
    the quiz's settings (its end time counts from ``now``, as ``paced.choose_pace``),
    and what its room starts from read back (``paced.read_pace``)."""
    for key in forget:
        db.delete_meta(conn, key)
    if pace is not None:
        paced_record.set_run_pace(conn, run_id, paced_record.RunPace(pace, quiz.paced, now))
    return read_pace(conn, run_id, quiz, alive_key)


def _start_run(conn: Any, sid: str, quiz: Quiz, pace: str | None, now: int,
               forget: tuple[str, ...], alive_key: str) -> tuple[int, StoredPace]:
    """A new run of ``quiz`` and what its room starts from, in one transaction."""
    run_id = db.new_run(conn, sid, quiz_json(quiz), now)
    return run_id, _settle_pace(conn, run_id, quiz, pace, now, forget, alive_key)


def _replace_quiz(conn: Any, run_id: int, quiz: Quiz, pace: str | None, now: int,
                  forget: tuple[str, ...], alive_key: str) -> StoredPace:
    """``quiz`` in run ``run_id``'s place, as ``_start_run``."""
    db.set_run_quiz(conn, run_id, quiz_json(quiz))
    return _settle_pace(conn, run_id, quiz, pace, now, forget, alive_key)


class Flow:
    """The teacher's side of the room (see the module's docstring)."""

    game: Game
    session_id: str
    run_id: int
    clock: Callable[[], int]
    audience: Audience
    saver: Saver
    timer: QuestionTimer
    pacing: ViewPacing
    pending: Quiz | None
    _lock: trio.Lock
    paced: Any  # room/paced.py's PacedSide while the run is student-paced
    hold_pace: Callable[[Any], None]
    pace_settling_now: Callable[[], AbstractContextManager[None]]
    heartbeat: Any  # room/clock.py's Heartbeat
    _quiz_switch_keys: tuple[str, ...]  # Switches'
    _switches_follow: Callable[[Quiz], None]

    async def _open_action(self, client: Client, message: dict[str, Any]) -> None:
        idx, limit = message.get("question_idx"), message.get("time_limit")
        if isinstance(idx, bool) or not isinstance(idx, int):
            raise Rejected("bad_question", "question_idx must be a whole number")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                                  or not 5 <= limit <= 600):
            raise Rejected("bad_message", "time_limit must be 5 to 600 seconds")
        if not 0 <= idx < len(self.game.quiz):
            raise Rejected("bad_question", f"question {idx} does not exist")
        await self.open_question(idx, limit, pressed_at=message.get("from"))

    @asynccontextmanager
    async def _command(self, pressed_at: object) -> AsyncIterator[None]:
        """The room's lock for one instructor command, refused (``stale``) if it was
        pressed at a stage that has passed: checked under the lock, so two presses
        from the same stage cannot both act."""
        async with self._lock:
            self.game.check_stage(pressed_at)
            yield

    async def open_question(self, idx: int, time_limit: int | None = None, *,
                            pressed_at: object = None) -> None:
        async with self._command(pressed_at):
            if self.game.state is State.QUESTION_OPEN:
                if self.game.current_idx == idx:
                    return
                await self._close_locked()
            await self._open_locked(idx, time_limit)

    async def close_question(self, *, pressed_at: object = None) -> None:
        async with self._command(pressed_at):
            await self._close_locked()

    async def advance(self, *, pressed_at: object = None) -> None:
        """The one big button (``Game.next_step``): open the first question, close the open
        one and stay on its reveal, show the leaderboard, open the next, or end; an open
        slide is closed and passed in the same press."""
        async with self._command(pressed_at):
            step = self.game.next_step()
            if step in (Step.CLOSE, Step.PASS):
                await self._close_locked()
            following = self.game.next_question_idx()
            if step is Step.LEADERBOARD:
                await self._leaderboard_locked()
            elif step in (Step.OPEN, Step.PASS) and following is not None:
                await self._open_locked(following, None, moves_on=True)
            elif step in (Step.END, Step.PASS):
                await self._end_locked()

    async def show_leaderboard(self, *, pressed_at: object = None) -> None:
        async with self._command(pressed_at):
            await self._leaderboard_locked()

    async def end_session(self, *, pressed_at: object = None) -> None:
        async with self._command(pressed_at):
            await self._end_locked()

    async def reset(self, *, pressed_at: object = None) -> None:
        """A new run: everyone out, old cookies dead, the old run archived. It runs the
        quiz that waits for the next run if there is one, else the same quiz again."""
        async with self._command(pressed_at):
            await self._new_run_locked(self.pending or self.game.quiz, "reset")
            self._broadcast_state()
            self._to_instructors(self._room_info())
            self.pacing.now()

    async def _new_run_locked(self, quiz: Quiz, reason: str, pace: str | None = None) -> None:
        new_quiz = quiz is not self.game.quiz
        # Joins wait for the new run: one let through while it commits joined the run
        # being archived, its row written there after that run's end.
        with self.pace_settling_now():
            run_id, kept = await self.saver.save(partial(
                _start_run, sid=self.session_id, quiz=quiz, pace=pace, now=self.clock(),
                forget=self._quiz_switch_keys if new_quiz else (),
                alive_key=self.heartbeat.key))
        if new_quiz:
            self._switches_follow(quiz)
        self.run_id = run_id
        self.timer.cancel()
        self.game = Game(quiz, run_seed(self.session_id, self.run_id),
                         leaderboard_switch=self.game.leaderboard_switch,
                         phones_switch=self.game.phones_switch)
        self.pending = None
        self.hold_pace(kept)
        self._kick_students(lambda student_id: True, reason)

    async def load_quiz(self, quiz: Quiz, pace: str | None = None) -> bool:
        """Load a quiz: after the end, as a new run; in a run nobody has joined yet, in
        its place. A run that has begun keeps its quiz (its scores were shown with it),
        so the quiz then waits for the next run. Returns whether it waits.

        ``pace`` (``live`` or ``student``), if given, is the teacher's pick for the run
        the quiz starts, written with the quiz: two loads at once never cross one's
        quiz with the other's pace. A quiz that waits keeps its file's."""
        if pace is not None and pace not in PACES:
            raise Rejected("bad_message", f"pace must be one of {', '.join(PACES)}")
        async with self._lock:
            if self.game.state not in (State.LOBBY, State.FINISHED):
                raise Rejected("quiz_running", "load a quiz in the lobby or after the end")
            if self.game.state is State.FINISHED:
                await self._new_run_locked(quiz, "new_quiz", pace)
            elif self.game.participants or self.game.openings:
                await self.saver.save(partial(db.set_pending_quiz, sid=self.session_id,
                                         quiz_json=quiz_json(quiz)))
                self.pending = quiz
                self._to_instructors(self._pending_warning())
                return True
            else:
                with self.pace_settling_now():
                    kept = await self.saver.save(partial(
                        _replace_quiz, run_id=self.run_id, quiz=quiz, pace=pace,
                        now=self.clock(), forget=self._quiz_switch_keys,
                        alive_key=self.heartbeat.key))
                    self._switches_follow(quiz)
                    self.game.quiz = quiz
                    self.hold_pace(kept)
            self._broadcast_state(to_students=True)  # a new title for the lobby
            self._to_instructors(self._room_info())
            self.pacing.now()
            return False

    def _pending_warning(self) -> dict[str, Any]:
        assert self.pending is not None
        return {"type": "warning", "code": "quiz_pending", "title": self.pending.title,
                "message": f"This run keeps its quiz, {self.game.quiz.title!r}: students "
                           f"have joined it. {self.pending.title!r} starts with the next "
                           "run (Reset)."}

    # ---- transitions (hold the lock) ------------------------------------------------------
    async def _leaderboard_locked(self) -> None:
        if not self.game.show_leaderboard():
            raise Rejected("not_open", "show the leaderboard after closing a question")
        next_idx = self.game.next_question_idx()
        await self._save_transition()
        self._broadcast_state()
        self._to_students(views.between_for_students(self.game, next_idx).for_student)
        self._to_instructors(views.with_top(views.between_message(self.game, next_idx), "top5",
                                            self.game))
        self.pacing.now()

    async def _open_locked(self, idx: int, time_limit: int | None, *,
                           moves_on: bool = False) -> None:
        opening = self.game.open_question(idx, self.clock(), time_limit, moves_on=moves_on)
        present = self.game.mark_present([s for s, _ in self.audience.connected_students()])
        await self._save_transition(
            partial(db.save_opening, run_id=self.run_id, o=opening),
            partial(db.save_presence, run_id=self.run_id, question_idx=idx,
                    asking=opening.asking, student_ids=present))
        await self.timer.start(self._nursery_or_fail(), opening)
        self._broadcast_state()
        self._to_students(views.question_open_for_students(
            self.game, idx, self.clock(), projector_open=bool(self.audience.big_screens)))
        self._to_instructors(views.instructor_open_message(self.game, idx, self.clock()))
        self.pacing.now()

    async def _close_locked(self) -> None:
        idx = self.game.current_idx
        missed = self.game.close_question(self.clock())
        if missed is None or idx is None:
            return
        self.timer.cancel()
        await self._save_transition(
            partial(db.save_opening, run_id=self.run_id, o=self.game.openings[idx]),
            partial(db.insert_submissions, run_id=self.run_id, rows=missed))
        self._broadcast_state()
        self._to_students(views.closed_for_students(self.game, idx).for_student)
        self._to_instructors(views.instructor_closed_message(self.game, idx))
        self.pacing.mark("leaderboard")
        self.pacing.now()

    async def _end_locked(self) -> None:
        if self.game.state is State.FINISHED:
            return
        await self._close_locked()
        # One end time, one commit: a student-paced run's end is its finished_at.
        now = self.clock()
        changes = [] if self.paced is None else [self.paced.end(now)]
        self.game.finish()
        await self._save_transition(*changes, partial(db.finish_run, run_id=self.run_id,
                                                      now=now))
        if self.paced is not None:
            self.paced.ended()
        self._broadcast_state()
        self._to_students(views.ended_for_students(self.game).for_student
                          if self.paced is None else self.paced.ended_for_students())
        self._to_instructors(views.with_top({"type": "session_ended"}, "final_top5", self.game))
        self.pacing.mark("leaderboard")
        self.pacing.now()

    async def _save_transition(self, *changes: Callable[[Any], None]) -> None:
        """Record ``changes`` and the session's state as it is now, in one transaction."""
        state, idx = self.game.state.value, self.game.current_idx
        await self.saver.save_transition(
            lambda conn: db.save_state(conn, self.session_id, state, idx), *changes)

    async def _time_up(self, opening: Opening) -> None:
        """The timer ran out: close ``opening`` unless someone closed it first."""
        async with self._lock:
            if self.game.state is State.QUESTION_OPEN and \
                    self.game.openings.get(opening.question_idx) is opening:
                await self._close_locked()

    def _nursery_or_fail(self) -> trio.Nursery:
        assert self._nursery is not None, "the room is open only inside open_room"
        return self._nursery


def _pressed(method: Callable[..., Awaitable[None]]
             ) -> Callable[[Flow, Client, dict[str, Any]], Awaitable[None]]:
    """An instructor message ``{type, from?}`` that runs ``method`` at the stage it names."""
    return lambda room, client, message: method(room, pressed_at=message.get("from"))


INSTRUCTOR_ACTIONS: dict[str, Callable[[Any, Client, dict[str, Any]], Any]] = {
    "open_question": Flow._open_action,
    "close_question": _pressed(Flow.close_question),
    "next": _pressed(Flow.advance),
    "show_leaderboard": _pressed(Flow.show_leaderboard),
    "end_session": _pressed(Flow.end_session),
    "reset": _pressed(Flow.reset),
}

"""The teacher's commands and the transitions they make: open, close, reveal,
leaderboard, end, a new run, a new quiz, and the room's switches.

Every command holds the room's lock and is refused (``stale``) when it was
pressed at a stage that has passed. A transition changes the game, writes
the change with the session's new state in one transaction, then tells
everyone. ``Flow`` is mixed into ``Room``, which owns what it uses.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

import trio

from ..core import results, views
from ..core.game import Game
from ..core.phones import PHONES
from ..core.quiz import Quiz, is_language_tag
from ..core.record import Opening, Rejected, State, Step, run_seed
from ..core.standings import LEADERBOARDS
from ..store import database as db
from ..store.database import StorageError
from .audience import Audience
from .clients import Client
from .clock import QuestionTimer
from .pacing import ViewPacing
from .persist import Saver


def quiz_json(quiz: Quiz) -> str:
    return json.dumps(quiz.to_dict())


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
    close_when_all_answered: bool
    projector_language: str | None
    live_answers: bool
    joining_locked: bool
    uncommitted: set[Any]
    _lock: trio.Lock
    paced: Any  # room/paced.py's PacedSide while the run is student-paced
    pace_changed: Callable[[], None]
    refresh_phones: Callable[[], None]

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

    async def _new_run_locked(self, quiz: Quiz, reason: str) -> None:
        if quiz is not self.game.quiz:
            await self._forget_close_switch(quiz)
        self.run_id = await self.saver.save(partial(
            db.new_run, sid=self.session_id, quiz_json=quiz_json(quiz), now=self.clock()))
        self.timer.cancel()
        self.game = Game(quiz, run_seed(self.session_id, self.run_id),
                         leaderboard_switch=self.game.leaderboard_switch,
                         phones_switch=self.game.phones_switch)
        self.pending = None
        self.pace_changed()
        self._kick_students(lambda student_id: True, reason)

    async def _forget_close_switch(self, quiz: Quiz) -> None:
        """A new quiz brings its own close-when-all-answered, leaderboard and phones
        settings; the dashboard's switches may override them again."""
        for key in (self._close_when_all_key, self._leaderboard_key, self._phones_key):
            await self.saver.save(partial(db.delete_meta, key=key))
        self.close_when_all_answered = quiz.close_when_all_answered
        self.game.leaderboard_switch = self.game.phones_switch = None

    async def set_close_when_all_answered(self, on: bool, *, pressed_at: object = None) -> None:
        async with self._command(pressed_at):
            await self.saver.save(partial(db.set_meta, key=self._close_when_all_key,
                                     value="1" if on else "0"))
            self.close_when_all_answered = on
            self._to_instructors(self._room_info())
            self._close_if_all_answered()

    def _close_if_all_answered(self) -> None:
        """Close the open question, as if its time ran out, once every student with a
        socket open has an acknowledged answer (when the quiz or the dashboard asks).

        The close runs in the room's nursery, so the last student's disconnect cannot
        cut it short; under the lock it checks again that this same opening is still
        open, so the timer, a button and this can never close it twice.
        """
        idx, game = self.game.current_idx, self.game
        if not self.close_when_all_answered or game.state is not State.QUESTION_OPEN \
                or idx is None or not self._everyone_connected_answered(idx):
            return
        opening = game.openings[idx]

        async def close_it() -> None:
            async with self._lock:
                if self.game.state is State.QUESTION_OPEN and \
                        self.game.openings.get(idx) is opening and \
                        self._everyone_connected_answered(idx):
                    await self._close_locked()

        assert self._nursery is not None
        self._nursery.start_soon(close_it)

    def _everyone_connected_answered(self, idx: int) -> bool:
        """Asked after every answer: it stops at the first connected student without
        one, so a question costs about N log N steps in all, not N for each answer."""
        answers = self.game.answers.get(idx, {})
        anyone = False
        for student_id, _ in self.audience.connected_students():
            if student_id not in self.game.participants:
                continue
            answer = answers.get(student_id)
            if not results.has_answer(answer) or answer in self.uncommitted \
                    or self.game.earlier_answer(student_id, idx) is not None:
                return False
            anyone = True
        return anyone

    async def set_projector_language(self, language: str | None, *,
                                     pressed_at: object = None) -> None:
        """The language the big screen speaks, as the teacher picked it (None: automatic),
        kept until they pick again, across restarts and quizzes."""
        key = self._projector_language_key
        async with self._command(pressed_at):
            await self.saver.save(partial(db.delete_meta, key=key) if language is None
                             else partial(db.set_meta, key=key, value=language))
            self.projector_language = language
            self._to_instructors(self._room_info())
            self.pacing.now()

    async def set_live_answers(self, on: bool, *, pressed_at: object = None) -> None:
        async with self._command(pressed_at):
            await self.saver.save(partial(db.save_live_answers, sid=self.session_id, on=on))
            self.live_answers = on
            self._to_instructors(self._room_info())
            self.pacing.now()

    async def set_joining_locked(self, on: bool, *, pressed_at: object = None) -> None:
        """Lock joining: a new id is refused (``joining_locked``); the joined come back."""
        async with self._command(pressed_at):
            await self.saver.save(partial(db.set_meta, key=self._joining_locked_key,
                                          value="1" if on else "0"))
            self.joining_locked = on
            self._to_instructors(self._room_info())

    async def set_leaderboard(self, mode: str | None, *, pressed_at: object = None) -> None:
        """When the class sees the standings (standings.py), over the quiz's setting; None
        gives the quiz its own back. Kept across restarts and runs until another quiz
        loads."""
        key = self._leaderboard_key
        async with self._command(pressed_at):
            await self.saver.save(partial(db.delete_meta, key=key) if mode is None
                                  else partial(db.set_meta, key=key, value=mode))
            self.game.leaderboard_switch = mode
            self._to_instructors(self._room_info())
            self.pacing.now()

    async def set_phones(self, mode: str | None, *, pressed_at: object = None) -> None:
        """What the phones show (phones.py), over the quiz's setting; None gives the quiz
        its own back. Kept like the leaderboard switch; an open question is sent again."""
        key = self._phones_key
        async with self._command(pressed_at):
            await self.saver.save(partial(db.delete_meta, key=key) if mode is None
                                  else partial(db.set_meta, key=key, value=mode))
            self.game.phones_switch = mode
            self._to_instructors(self._room_info())
            self.refresh_phones()

    async def hide_entry(self, idx: int, entry: object, hidden: bool) -> None:
        """Hide one entry of a question's answers from the big screen at once (or show it
        again); the teacher's list keeps it, marked, and so do the exports."""
        async with self._lock:
            game = self.game
            before = {i: set(keys) for i, keys in game.hidden.items()}
            game.hide_entry(idx, entry, hidden)  # a bad request changes nothing
            kept = {i: set(keys) for i, keys in game.hidden.items()}
            try:
                await self.saver.save(partial(db.save_hidden_entries, run_id=self.run_id,
                                              hidden=kept))
            except StorageError:
                game.hidden = before  # nothing the disk refused shows as done
                raise
            self._to_instructors(views.entries_hidden_message(game, idx))
            self.pacing.now()

    async def load_quiz(self, quiz: Quiz) -> bool:
        """Load a quiz: after the end, as a new run; in a run nobody has joined yet, in
        its place. A run that has begun keeps its quiz (its scores were shown with it),
        so the quiz then waits for the next run. Returns whether it waits."""
        async with self._lock:
            if self.game.state not in (State.LOBBY, State.FINISHED):
                raise Rejected("quiz_running", "load a quiz in the lobby or after the end")
            if self.game.state is State.FINISHED:
                await self._new_run_locked(quiz, "new_quiz")
            elif self.game.participants or self.game.openings:
                await self.saver.save(partial(db.set_pending_quiz, sid=self.session_id,
                                         quiz_json=quiz_json(quiz)))
                self.pending = quiz
                self._to_instructors(self._pending_warning())
                return True
            else:
                await self.saver.save(partial(db.set_run_quiz, run_id=self.run_id,
                                         quiz_json=quiz_json(quiz)))
                await self._forget_close_switch(quiz)
                self.game.quiz = quiz
                self.pace_changed()
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
            partial(db.save_presence, run_id=self.run_id, question_idx=idx, student_ids=present))
        await self.timer.start(self._nursery_or_fail(), opening)
        self._broadcast_state()
        self._to_students(views.question_open_for_students(
            self.game, idx, self.clock(), projector_open=bool(self.audience.projectors)))
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
        if self.paced is not None:
            await self.paced.end()
        self.game.finish()
        await self._save_transition(partial(db.finish_run, run_id=self.run_id, now=self.clock()))
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


def _switch(setter: Callable[..., Awaitable[None]]
            ) -> Callable[[Flow, Client, dict[str, Any]], Any]:
    """An instructor message ``{type, on, from?}`` that turns a room setting on or off."""
    async def action(room: Flow, client: Client, message: dict[str, Any]) -> None:
        on = message.get("on")
        if not isinstance(on, bool):
            raise Rejected("bad_message", "on must be true or false")
        await setter(room, on, pressed_at=message.get("from"))
    return action


def _pressed(method: Callable[..., Awaitable[None]]
             ) -> Callable[[Flow, Client, dict[str, Any]], Awaitable[None]]:
    """An instructor message ``{type, from?}`` that runs ``method`` at the stage it names."""
    return lambda room, client, message: method(room, pressed_at=message.get("from"))


async def _hide_entry_action(room: Flow, client: Client, message: dict[str, Any]) -> None:
    idx, hidden = message.get("question_idx"), message.get("hidden", True)
    if isinstance(idx, bool) or not isinstance(idx, int):
        raise Rejected("bad_question", "question_idx must be a whole number")
    if not isinstance(hidden, bool):
        raise Rejected("bad_message", "hidden must be true or false")
    await room.hide_entry(idx, message.get("answer"), hidden)


async def _leaderboard_action(room: Flow, client: Client, message: dict[str, Any]) -> None:
    mode = message.get("mode")
    if mode is not None and mode not in LEADERBOARDS:
        raise Rejected("bad_message", f"mode must be one of {', '.join(LEADERBOARDS)} or null")
    await room.set_leaderboard(mode, pressed_at=message.get("from"))


async def _phones_action(room: Flow, client: Client, message: dict[str, Any]) -> None:
    mode = message.get("mode")
    if mode is not None and mode not in PHONES:
        raise Rejected("bad_message", f"mode must be one of {', '.join(PHONES)} or null")
    await room.set_phones(mode, pressed_at=message.get("from"))


async def _projector_language_action(room: Flow, client: Client, message: dict[str, Any]) -> None:
    language = message.get("language")
    if language is not None and not is_language_tag(language):
        raise Rejected("bad_message", "language must be a language tag such as 'de' or null")
    await room.set_projector_language(language, pressed_at=message.get("from"))


INSTRUCTOR_ACTIONS: dict[str, Callable[[Any, Client, dict[str, Any]], Any]] = {
    "open_question": Flow._open_action,
    "close_question": _pressed(Flow.close_question),
    "next": _pressed(Flow.advance),
    "show_leaderboard": _pressed(Flow.show_leaderboard),
    "end_session": _pressed(Flow.end_session),
    "reset": _pressed(Flow.reset),
    "projector_live_answers": _switch(Flow.set_live_answers),
    "close_when_all_answered": _switch(Flow.set_close_when_all_answered),
    "projector_language": _projector_language_action,
    "lock_joining": _switch(Flow.set_joining_locked),
    "hide_answer": _hide_entry_action,
    "leaderboard_mode": _leaderboard_action,
    "phones_mode": _phones_action,
}

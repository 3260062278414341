"""One session's live side: clients, the question timer, and coalesced views.

The room turns what clients do into rule changes (``game``), durable writes
(``store``) and messages. It owns a nursery holding its question timer, its
view refresher and the instructor actions in progress (which a disconnect
cannot cancel); each socket's sender task belongs to that socket's handler,
which the room can cancel (``Client.drop``). Every write goes through
``_save``, behind whatever the disk refused earlier.

Messages students wait on (a question opening, closing, the end) are encoded
once and put straight into every socket's bounded outbox. The instructor's
and projector's views are snapshots: marked dirty and redrawn at most
``view_updates_per_second``, so 2,000 answers are a few messages, not 2,000.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, TypeVar

import outcome
import trio

from ..config import Limits
from ..core import qr, views
from ..core.game import (
    DuplicateStudentId,
    Game,
    Opening,
    Participant,
    Rejected,
    State,
    Step,
    Submission,
    run_seed,
)
from ..core.quiz import Quiz, is_language_tag, quiz_from_dict
from ..store import database as db
from ..store.database import Opened, StorageError, Store
from ..store.quiz_files import demo_quiz
from .audience import Audience
from .clients import Client, Role
from .clock import Heartbeat, QuestionTimer
from .connection import Connection
from .pacing import ViewPacing
from .persist import Saver, nothing

log = logging.getLogger(__name__)
T = TypeVar("T")

CLOSE_POLICY = 1008
TELEMETRY_KINDS = ("blur", "visibility_hidden")


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class Room:
    """The live session. Create it with ``open_room``."""

    def __init__(self, store: Store, record: db.Record, *, session_id: str,
                 limits: Limits, clock: Callable[[], int], opened: Opened = Opened.RESUMED
                 ) -> None:
        self.store = store
        self.session_id = session_id
        self.limits = limits
        self.clock = clock
        self.run_id = record.run_id
        self.live_answers = record.live_answers
        self.opened = opened  # what the start did with the quiz it was given
        # The run's own quiz, as frozen in its record: never the one the start was given.
        quiz = _quiz_of(record.quiz_json)
        self.pending: Quiz | None = _quiz_of(record.pending_quiz_json) \
            if record.pending_quiz_json else None
        # The dashboard's switch overrides the quiz's own setting until another quiz loads.
        switched = db.get_meta(store.conn, self._close_when_all_key)
        self.close_when_all_answered = (quiz.close_when_all_answered if switched is None
                                        else switched == "1")
        # The teacher's pick for the big screen; None: automatic (the quiz's, or the browser's).
        self.projector_language = db.get_meta(store.conn, self._projector_language_key)
        self.game = Game.restore(quiz, record.participants, record.openings, record.submissions,
                                 record.events, State(record.state), record.current_question_idx,
                                 seed=run_seed(session_id, record.run_id),
                                 present=record.present)
        self.join_url = "/"
        self._lock = trio.Lock()  # one instructor action at a time, timer included
        self.audience = Audience(limits.sockets_per_student, clock)
        self.saver = Saver(store, self.audience.to_instructors)
        self.timer = QuestionTimer(clock, self._time_up)
        self.heartbeat = Heartbeat(self.saver, f"session:{session_id}:alive_at", clock,
                                   lambda: self.game.state is State.QUESTION_OPEN)
        self.pacing = ViewPacing(limits, self.audience, lambda: self.game, self._room_info,
                                 self.projector_state)
        self.set_join_url(self.join_url)
        self._connections = 0
        self.uncommitted: set[Submission] = set()
        self._clearing: set[str] = set()  # students whose removal is being committed
        self._nursery: trio.Nursery | None = None

    # ---- set-up ------------------------------------------------------------------------
    @property
    def _close_when_all_key(self) -> str:
        return f"session:{self.session_id}:close_when_all_answered"

    @property
    def _projector_language_key(self) -> str:
        return f"session:{self.session_id}:projector_language"

    def set_join_url(self, url: str) -> None:
        """The address students join at, and its QR code as an image the pages load once.

        The picture's address names its content, so browsers may keep it for good and
        the projector's frames carry a short link instead of six kilobytes of SVG."""
        self.join_url = url
        self.join_qr_svg = qr.svg(url)
        self._qr_url = f"/join-qr.svg?v={hashlib.sha256(self.join_qr_svg).hexdigest()[:16]}"
        self.pacing.mark("projector", "room_info")

    async def _resume_open_question(self) -> None:
        """After a restart: an open question gets the time it had left when the server
        stopped (the time no server ran is not counted), or closes if it had none."""
        idx = self.game.current_idx
        if self.game.state is State.QUESTION_OPEN and idx is not None:
            opening = self.game.openings[idx]
            alive_at = self.heartbeat.last()
            stopped_at = max(alive_at, opening.opened_at)
            left_at_stop = opening.remaining_ms(stopped_at)
            downtime = self.clock() - stopped_at
            if downtime > 0 and (left_at_stop is None or left_at_stop > 0):
                # The clock starts that much later; answers already given keep their times.
                opening.opened_at += downtime
                await self.saver.persist(partial(db.save_opening, run_id=self.run_id, o=opening))
            remaining = opening.remaining_ms(self.clock())
            if remaining is None or remaining > 0:
                await self.timer.start(self._nursery_or_fail(), opening)
            else:
                async with self._lock:
                    await self._close_locked()

    # ---- connections -------------------------------------------------------------------
    @property
    def connection_count(self) -> int:
        return self._connections

    @asynccontextmanager
    async def connect(self, role: Role, student_id: str | None = None,
                      connection: Connection | None = None) -> AsyncIterator[Client]:
        """Register a socket for the block's lifetime; its snapshot is queued at once.
        ``connection``: the socket's own, to write to directly (see clients.py)."""
        client = Client(role, student_id, self.limits, connection)
        self.audience.add(client)
        if role is Role.STUDENT:
            assert student_id is not None
            self.pacing.mark("presence", only=student_id)
            self._student_snapshot(client)
        elif role is Role.INSTRUCTOR:
            self._instructor_snapshot(client)
            self.pacing.start_afresh()
        else:
            client.send_message(views.state_message(self.game))
            client.send_message(self.projector_state())
        self._connections += 1
        try:
            if student_id is not None:
                await self._note_present([student_id])
            yield client
        finally:
            self._connections -= 1
            self._disconnect(client)

    async def _note_present(self, student_ids: list[str]) -> None:
        """Record who has a socket open while a question is open: ``no_answer`` is for
        them, ``not_present`` for the others (results.py)."""
        idx, new = self.game.current_idx, self.game.mark_present(student_ids)
        if new and idx is not None:
            await self.saver.persist(partial(db.save_presence, run_id=self.run_id,
                                        question_idx=idx, student_ids=new))

    def _disconnect(self, client: Client) -> None:
        if self.audience.remove(client):
            self.pacing.mark("presence", only=client.student_id)

    def _student_snapshot(self, client: Client) -> None:
        assert client.student_id is not None
        for text in views.student_snapshot(self.game, client.student_id, self.clock(),
                                           self.uncommitted):
            client.send(text)

    def _instructor_snapshot(self, client: Client) -> None:
        for message in views.instructor_snapshot(self.game, self.clock(), self._room_info(),
                                                 self.pacing.presence()):
            client.send_message(message)
        if not self.saver.ok:
            client.send_message(self.saver.warning)
        if self.pending is not None:
            client.send_message(self._pending_warning())

    # ---- what clients send -------------------------------------------------------------------
    async def handle(self, client: Client, raw: str | bytes) -> None:
        """One message from a client. Bad input gets an ``error`` reply and changes nothing."""
        if client.closing:  # kicked (cleared, reset, replaced): it speaks for no one now
            return
        if not client.bucket.take():
            client.rate_strikes += 1
            client.send_message(views.error_message("rate_limited", "slow down"))
            if client.rate_strikes > self.limits.message_burst:
                client.close(CLOSE_POLICY, "too many messages")
            return
        message = _parse(raw)
        if message is None:
            client.send_message(views.error_message("bad_message",
                                                    "send a JSON object with a type"))
            return
        kind = message.get("type")
        if kind == "ping":
            client.send_message({"type": "pong"})
            return
        action = _ACTIONS[client.role].get(kind) if isinstance(kind, str) else None
        if action is None:
            client.send_message(views.error_message("bad_message", f"unknown type {kind!r}"))
            return
        try:
            if client.role is Role.INSTRUCTOR:
                await self.run_to_completion(action, self, client, message)
            else:
                await action(self, client, message)
        except Rejected as rejected:
            client.send_message(views.error_message(rejected.code, rejected.message))
        except StorageError as exc:
            client.send_message(views.error_message("storage", f"not saved: {exc}"))

    async def run_to_completion(self, action: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run an instructor action where a disconnect cannot cut it in half.

        Quart cancels a socket's or a request's handler when its client goes: an
        action cancelled between its write and its broadcast would leave memory,
        disk and clients disagreeing. The action runs shielded in the room's
        nursery; the caller waits for its outcome, and only the wait is cancelled.
        """
        assert self._nursery is not None
        done = trio.Event()
        result: list[outcome.Outcome[T]] = []

        async def complete() -> None:
            with trio.CancelScope(shield=True):
                result.append(await outcome.acapture(action, *args))
                done.set()

        self._nursery.start_soon(complete)
        await done.wait()
        return result[0].unwrap()

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
        if game.record(submission):
            # Until it is committed, no snapshot or /api/me may show it as received.
            self.uncommitted.add(submission)
            try:
                await self.saver.save(partial(db.insert_submissions, run_id=self.run_id,
                                         rows=[submission]))
            except StorageError:
                missed = game.retract(submission)
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

    # ---- instructor actions -----------------------------------------------------------------
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
        one and stay on its reveal, show the leaderboard, open the next, or end."""
        async with self._command(pressed_at):
            step = self.game.next_step()
            if step is Step.CLOSE:
                await self._close_locked()
            elif step is Step.LEADERBOARD:
                await self._leaderboard_locked()
            elif step is Step.OPEN:
                following = self.game.next_question_idx()
                assert following is not None
                await self._open_locked(following, None)
            elif step is Step.END:
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
            db.new_run, sid=self.session_id, quiz_json=_json_of(quiz), now=self.clock()))
        self.timer.cancel()
        self.game = Game(quiz, run_seed(self.session_id, self.run_id))
        self.pending = None
        self._kick_students(lambda student_id: True, reason)

    async def _forget_close_switch(self, quiz: Quiz) -> None:
        """A new quiz brings its own close-when-all-answered setting; the dashboard's
        switch may override it again."""
        await self.saver.save(partial(db.delete_meta, key=self._close_when_all_key))
        self.close_when_all_answered = quiz.close_when_all_answered

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
            if answer is None or answer.status != "submitted" or answer in self.uncommitted:
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
                                         quiz_json=_json_of(quiz)))
                self.pending = quiz
                self._to_instructors(self._pending_warning())
                return True
            else:
                await self.saver.save(partial(db.set_run_quiz, run_id=self.run_id,
                                         quiz_json=_json_of(quiz)))
                await self._forget_close_switch(quiz)
                self.game.quiz = quiz
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
        self._to_instructors(views.with_top(views.between_message(next_idx), "top5", self.game))
        self.pacing.now()

    async def _open_locked(self, idx: int, time_limit: int | None) -> None:
        opening = self.game.open_question(idx, self.clock(), time_limit)
        present = self.game.mark_present([s for s, _ in self.audience.connected_students()])
        await self._save_transition(
            partial(db.save_opening, run_id=self.run_id, o=opening),
            partial(db.save_presence, run_id=self.run_id, question_idx=idx, student_ids=present))
        await self.timer.start(self._nursery_or_fail(), opening)
        self._broadcast_state()
        opened = views.encode(views.question_open_message(self.game, idx, self.clock()))
        self._to_students(lambda student_id: opened)
        self._to_instructors(opened)
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
        self.game.finish()
        await self._save_transition(partial(db.finish_run, run_id=self.run_id, now=self.clock()))
        self._broadcast_state()
        self._to_students(views.ended_for_students(self.game).for_student)
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

    # ---- the question timer -------------------------------------------------------------------
    # ---- students over HTTP -------------------------------------------------------------------
    async def join(self, student_id: str, name: str) -> Participant:
        """First claim wins; a second claim is audited and raises DuplicateStudentId."""
        # A reset may start a new run while this join commits: it belongs to this one.
        now, game, run_id = self.clock(), self.game, self.run_id
        try:
            missed = game.join(student_id, name, secrets.token_urlsafe(12), now)
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
        return participant

    async def record_event(self, student_id: str, kind: str, question_idx: int | None) -> None:
        """Telemetry counts only while a question is open: a phone put away in the lobby
        or during a reveal is not a student looking something up."""
        now, game = self.clock(), self.game
        if game.state is not State.QUESTION_OPEN:
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
            self._kick_students(lambda sid: sid == student_id, "removed")
            self.pacing.mark("lobby", "presence", "projector", "histogram", "leaderboard",
                       "lobby_count")
            return True

    def is_current(self, student_id: str, cookie_id: str, run_id: int) -> bool:
        participant = self.game.participants.get(student_id)
        return (run_id == self.run_id and participant is not None
                and secrets.compare_digest(participant.cookie_id, cookie_id))

    # ---- fan-out ------------------------------------------------------------------------------
    def _to_students(self, text_for: Callable[[str], str]) -> None:
        self.audience.to_students(text_for, self.game.participants)

    def _to_instructors(self, message: dict[str, Any] | str) -> None:
        self.audience.to_instructors(message)

    def _broadcast_state(self, *, to_students: bool = False) -> None:
        """The new state to the dashboards and screens. Students learn it from the event
        that follows (a question, a reveal, the end): a second message each would
        double the cost of every fan-out."""
        text = views.encode(views.state_message(self.game))
        if to_students:
            self._to_students(lambda student_id: text)
        self._to_instructors(text)
        self.audience.to_projectors(text)

    def _kick_students(self, which: Callable[[str], bool], reason: str) -> None:
        """Log these students out: ``reason`` (``reset``, ``new_quiz``, ``removed``) and the
        quiz's title let the phone say what happened."""
        reset = views.encode({"type": "session_reset", "reason": reason,
                              "title": self.game.quiz.title})
        self.audience.kick(which, reset)

    # ---- coalesced views ----------------------------------------------------------------------
    def _room_info(self) -> dict[str, Any]:
        return views.room_info_message(self.game, session_id=self.session_id,
                                       join_url=self.join_url, qr_url=self._qr_url,
                                       live_answers=self.live_answers,
                                       close_when_all_answered=self.close_when_all_answered,
                                       projector_language=self.projector_language)

    def projector_state(self) -> dict[str, Any]:
        return views.projector_state_message(self.game, session_id=self.session_id,
                                             join_url=self.join_url, qr_url=self._qr_url,
                                             live_answers=self.live_answers, now=self.clock(),
                                             language=self.projector_language
                                             or self.game.quiz.language)



def _json_of(quiz: Quiz) -> str:
    return json.dumps(quiz.to_dict())


def _quiz_of(quiz_json: str) -> Quiz:
    return quiz_from_dict(json.loads(quiz_json))


def _parse(raw: str | bytes) -> dict[str, Any] | None:
    try:
        message = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return message if isinstance(message, dict) else None


def _switch(setter: Callable[..., Awaitable[None]]
            ) -> Callable[[Room, Client, dict[str, Any]], Any]:
    """An instructor message ``{type, on, from?}`` that turns a room setting on or off."""
    async def action(room: Room, client: Client, message: dict[str, Any]) -> None:
        on = message.get("on")
        if not isinstance(on, bool):
            raise Rejected("bad_message", "on must be true or false")
        await setter(room, on, pressed_at=message.get("from"))
    return action


def _pressed(method: Callable[..., Awaitable[None]]
             ) -> Callable[[Room, Client, dict[str, Any]], Awaitable[None]]:
    """An instructor message ``{type, from?}`` that runs ``method`` at the stage it names."""
    return lambda room, client, message: method(room, pressed_at=message.get("from"))


async def _projector_language_action(room: Room, client: Client, message: dict[str, Any]) -> None:
    language = message.get("language")
    if language is not None and not is_language_tag(language):
        raise Rejected("bad_message", "language must be a language tag such as 'de' or null")
    await room.set_projector_language(language, pressed_at=message.get("from"))


_ACTIONS: dict[Role, dict[str, Callable[[Room, Client, dict[str, Any]], Any]]] = {
    Role.STUDENT: {"submit": Room._submit},
    Role.INSTRUCTOR: {
        "open_question": Room._open_action,
        "close_question": _pressed(Room.close_question),
        "next": _pressed(Room.advance),
        "show_leaderboard": _pressed(Room.show_leaderboard),
        "end_session": _pressed(Room.end_session),
        "reset": _pressed(Room.reset),
        "projector_live_answers": _switch(Room.set_live_answers),
        "close_when_all_answered": _switch(Room.set_close_when_all_answered),
        "projector_language": _projector_language_action,
    },
    Role.PROJECTOR: {},
}


@asynccontextmanager
async def open_room(store: Store, quiz: Quiz | None, *, session_id: str,
                    limits: Limits | None = None,
                    clock: Callable[[], int] = wall_clock_ms) -> AsyncIterator[Room]:
    """The session ``session_id`` rebuilt from ``store``, live for the block.

    ``quiz`` is the one the start was given (None: none, the demo for a new
    session); a run that has begun keeps its own (``store.open_session``). An open
    question resumes with the time it had left when the server stopped (or closes
    at once if it had none left). The room's timer, view
    refresher and instructor actions end with the block, and what the disk
    refused is tried once more; sockets are the web layer's.
    """
    record, opened = db.open_session(store.conn, session_id,
                                     _json_of(quiz) if quiz else None, clock(),
                                     default=_json_of(demo_quiz()))
    room = Room(store, record, session_id=session_id, limits=limits or Limits(), clock=clock,
                opened=opened)
    try:
        async with trio.open_nursery() as nursery:
            room._nursery = nursery
            for coalescer in room.pacing.coalescers:
                nursery.start_soon(coalescer.run)
            await room._resume_open_question()
            nursery.start_soon(room.heartbeat.run)
            try:
                yield room
                # A clean stop notes its own time (a cancelled one has lost its store's
                # committer too, and relies on the last heartbeat).
                await room.heartbeat.note_alive()
            finally:
                nursery.cancel_scope.cancel()
    finally:
        with trio.CancelScope(shield=True):
            await room.saver.flush_unsaved()

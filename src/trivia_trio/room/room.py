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

import contextlib
import hashlib
import json
import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import outcome
import trio

from ..config import Limits
from ..core import qr, views
from ..core.deltas import TableChanges
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
from .clients import Client, Role
from .coalesce import Coalescer
from .connection import Connection

log = logging.getLogger(__name__)
T = TypeVar("T")

CLOSE_RESET = 4002
CLOSE_REPLACED = 4000
CLOSE_POLICY = 1008
TELEMETRY_KINDS = ("blur", "visibility_hidden")
ALIVE_EVERY_S = 1.0


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class _Live:
    sockets: list[Client] = field(default_factory=list)
    last_seen_ms: int = 0


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
        self._students: dict[str, _Live] = {}
        self._instructors: set[Client] = set()
        self._projectors: set[Client] = set()
        self._lock = trio.Lock()  # one instructor action at a time, timer included
        self._timer: trio.CancelScope | None = None
        # Cheap views follow answers closely; per-student tables refresh slower, and
        # the lobby count, which goes to every phone, slowest of all.
        self._coalescers = (
            Coalescer(("histogram", "projector"), self._redraw,
                      lambda: 1 / limits.view_updates_per_second),
            Coalescer(("lobby", "presence", "leaderboard", "room_info"), self._redraw,
                      self._table_interval),
            Coalescer(("lobby_count",), self._redraw, self._lobby_count_interval),
        )
        # The dashboards' big tables go out as changes (see deltas.py); _mark touches
        # them, so they exist before anything is marked.
        self._presence_sent = TableChanges("student_id")
        self._presence_context: tuple[Any, ...] | None = None  # question, orphans, last sent
        self._scores_sent = TableChanges("student_id")
        # By view name: their changes build on the message before, so none is replaced.
        self._tables = {"presence": self._presence_sent, "leaderboard": self._scores_sent}
        self.set_join_url(self.join_url)
        self._connections = 0
        self.uncommitted: set[Submission] = set()
        self._unsaved: list[Callable[[Any], Any]] = []  # changes the disk refused, in order
        self._replaying = 0  # refused changes being written again right now
        self._clearing: set[str] = set()  # students whose removal is being committed
        self._transitions = 0
        self._nursery: trio.Nursery | None = None
        self.storage_ok = True
        self._storage_warning: dict[str, Any] = {}

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
        self._mark("projector", "room_info")

    @property
    def _alive_key(self) -> str:
        return f"session:{self.session_id}:alive_at"

    async def _resume_open_question(self) -> None:
        """After a restart: an open question gets the time it had left when the server
        stopped (the time no server ran is not counted), or closes if it had none."""
        idx = self.game.current_idx
        if self.game.state is State.QUESTION_OPEN and idx is not None:
            opening = self.game.openings[idx]
            alive_at = int(db.get_meta(self.store.conn, self._alive_key) or 0)
            stopped_at = max(alive_at, opening.opened_at)
            left_at_stop = opening.remaining_ms(stopped_at)
            downtime = self.clock() - stopped_at
            if downtime > 0 and (left_at_stop is None or left_at_stop > 0):
                # The clock starts that much later; answers already given keep their times.
                opening.opened_at += downtime
                await self._persist(partial(db.save_opening, run_id=self.run_id, o=opening))
            remaining = opening.remaining_ms(self.clock())
            if remaining is None or remaining > 0:
                await self._start_timer(opening)
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
        if role is Role.STUDENT:
            assert student_id is not None
            live = self._students.setdefault(student_id, _Live())
            # Sockets already closing still count until their handler ends: skip them,
            # or a burst of opens would evict the same socket again and keep them all.
            open_ = [other for other in live.sockets if not other.closing]
            for oldest in open_[:max(0, len(open_) + 1 - self.limits.sockets_per_student)]:
                oldest.close(CLOSE_REPLACED, "opened elsewhere")
            live.sockets.append(client)
            live.last_seen_ms = self.clock()
            self._mark("presence", only=student_id)
            self._student_snapshot(client)
        elif role is Role.INSTRUCTOR:
            self._instructors.add(client)
            self._instructor_snapshot(client)
            # Its snapshot is newer than what the others were last sent: all start afresh.
            for table in self._tables.values():
                table.forget()
            self._mark("presence", "leaderboard")
        else:
            self._projectors.add(client)
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
            await self._persist(partial(db.save_presence, run_id=self.run_id,
                                        question_idx=idx, student_ids=new))

    def _connected_students(self) -> list[str]:
        return [s for s, live in self._students.items() if live.sockets]

    def _disconnect(self, client: Client) -> None:
        if client.role is Role.STUDENT:
            live = self._students.get(client.student_id or "")
            if live is not None and client in live.sockets:
                live.sockets.remove(client)
                live.last_seen_ms = self.clock()
                self._mark("presence", only=client.student_id)
        else:
            self._instructors.discard(client)
            self._projectors.discard(client)

    def _student_snapshot(self, client: Client) -> None:
        assert client.student_id is not None
        for text in views.student_snapshot(self.game, client.student_id, self.clock(),
                                           self.uncommitted):
            client.send(text)

    def _instructor_snapshot(self, client: Client) -> None:
        for message in views.instructor_snapshot(self.game, self.clock(), self._room_info(),
                                                 self._presence()):
            client.send_message(message)
        if not self.storage_ok:
            client.send_message(self._storage_warning)
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
        live = self._students.get(student_id or "")
        if live is not None:
            live.last_seen_ms = self.clock()
        if student_id is not None:
            self._mark("presence", only=student_id)

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
                await self._save(partial(db.insert_submissions, run_id=self.run_id,
                                         rows=[submission]))
            except StorageError:
                missed = game.retract(submission)
                if missed is not None:
                    await self._persist(partial(db.insert_submissions, run_id=self.run_id,
                                                rows=[missed]))
                raise Rejected("storage", "your answer could not be saved; try again") from None
            finally:
                self.uncommitted.discard(submission)
                # Answered and scored, or not after all.
                self._mark("presence", "leaderboard", only=client.student_id)
            self._mark("histogram", "projector")
        else:
            # A repeat of an answer that may still be committing: wait for its group.
            await self._save(_nothing)
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
            self._views_now()

    async def _new_run_locked(self, quiz: Quiz, reason: str) -> None:
        if quiz is not self.game.quiz:
            await self._forget_close_switch(quiz)
        self.run_id = await self._save(partial(
            db.new_run, sid=self.session_id, quiz_json=_json_of(quiz), now=self.clock()))
        self._cancel_timer()
        self.game = Game(quiz, run_seed(self.session_id, self.run_id))
        self.pending = None
        self._kick_students(lambda student_id: True, reason)

    async def _forget_close_switch(self, quiz: Quiz) -> None:
        """A new quiz brings its own close-when-all-answered setting; the dashboard's
        switch may override it again."""
        await self._save(partial(db.delete_meta, key=self._close_when_all_key))
        self.close_when_all_answered = quiz.close_when_all_answered

    async def set_close_when_all_answered(self, on: bool, *, pressed_at: object = None) -> None:
        async with self._command(pressed_at):
            await self._save(partial(db.set_meta, key=self._close_when_all_key,
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
        for student_id, live in self._students.items():
            if not live.sockets or student_id not in self.game.participants:
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
            await self._save(partial(db.delete_meta, key=key) if language is None
                             else partial(db.set_meta, key=key, value=language))
            self.projector_language = language
            self._to_instructors(self._room_info())
            self._views_now()

    async def set_live_answers(self, on: bool, *, pressed_at: object = None) -> None:
        async with self._command(pressed_at):
            await self._save(partial(db.save_live_answers, sid=self.session_id, on=on))
            self.live_answers = on
            self._to_instructors(self._room_info())
            self._views_now()

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
                await self._save(partial(db.set_pending_quiz, sid=self.session_id,
                                         quiz_json=_json_of(quiz)))
                self.pending = quiz
                self._to_instructors(self._pending_warning())
                return True
            else:
                await self._save(partial(db.set_run_quiz, run_id=self.run_id,
                                         quiz_json=_json_of(quiz)))
                await self._forget_close_switch(quiz)
                self.game.quiz = quiz
            self._broadcast_state(to_students=True)  # a new title for the lobby
            self._to_instructors(self._room_info())
            self._views_now()
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
        self._views_now()

    async def _open_locked(self, idx: int, time_limit: int | None) -> None:
        opening = self.game.open_question(idx, self.clock(), time_limit)
        present = self.game.mark_present(self._connected_students())
        await self._save_transition(
            partial(db.save_opening, run_id=self.run_id, o=opening),
            partial(db.save_presence, run_id=self.run_id, question_idx=idx, student_ids=present))
        await self._start_timer(opening)
        self._broadcast_state()
        opened = views.encode(views.question_open_message(self.game, idx, self.clock()))
        self._to_students(lambda student_id: opened)
        self._to_instructors(opened)
        self._views_now()

    async def _close_locked(self) -> None:
        idx = self.game.current_idx
        missed = self.game.close_question(self.clock())
        if missed is None or idx is None:
            return
        self._cancel_timer()
        await self._save_transition(
            partial(db.save_opening, run_id=self.run_id, o=self.game.openings[idx]),
            partial(db.insert_submissions, run_id=self.run_id, rows=missed))
        self._broadcast_state()
        self._to_students(views.closed_for_students(self.game, idx).for_student)
        self._to_instructors(views.instructor_closed_message(self.game, idx))
        self._mark("leaderboard")
        self._views_now()

    async def _end_locked(self) -> None:
        if self.game.state is State.FINISHED:
            return
        await self._close_locked()
        self.game.finish()
        await self._save_transition(partial(db.finish_run, run_id=self.run_id, now=self.clock()))
        self._broadcast_state()
        self._to_students(views.ended_for_students(self.game).for_student)
        self._to_instructors(views.with_top({"type": "session_ended"}, "final_top5", self.game))
        self._mark("leaderboard")
        self._views_now()

    async def _save_transition(self, *changes: Callable[[Any], None]) -> None:
        """Record ``changes`` and the session's new state in one transaction.

        A state refused by the disk and written again later must not overwrite a
        newer one written meanwhile: only the latest transition's state is written.
        """
        self._transitions += 1
        state, idx, number = self.game.state.value, self.game.current_idx, self._transitions

        def apply(conn: Any) -> None:
            for change in changes:
                change(conn)
            if number == self._transitions:
                db.save_state(conn, self.session_id, state, idx)

        await self._persist(apply)

    async def _save(self, change: Callable[[Any], T], *, keep_if_refused: bool = False) -> T:
        """Write ``change`` and return its result once committed: the one way the room
        writes, so that what the disk refused earlier goes in first, in order, in the
        same transaction.

        Raises StorageError if the disk refuses. The change is then lost unless
        ``keep_if_refused`` (memory has already moved on): it is then written
        again, in order, ahead of the next write of any kind.
        """
        # Take the refused changes: no other write may repeat them meanwhile.
        earlier, self._unsaved = self._unsaved, []
        self._replaying += len(earlier)

        def apply_in_order(conn: Any) -> T:
            for refused in earlier:
                refused(conn)
            return change(conn)

        try:
            result = await self.store.write(apply_in_order)
        except StorageError as exc:
            self._unsaved[:0] = [*earlier, change] if keep_if_refused else earlier
            self._storage_failed(exc)
            raise
        finally:
            self._replaying -= len(earlier)
        self._storage_recovered()
        return result

    async def _persist(self, change: Callable[[Any], None]) -> None:
        """Record a change memory has already made. If the disk refuses, the class goes
        on from memory and the instructor is warned; the change is written with the
        next write (every such change is safe to repeat)."""
        with contextlib.suppress(StorageError):
            await self._save(change, keep_if_refused=True)

    async def flush_unsaved(self) -> None:
        """At shutdown: one last try to write what the disk refused."""
        if self._unsaved:
            try:
                await self._save(_nothing)
            except StorageError:
                log.error("%d changes could not be saved before stopping", len(self._unsaved))

    def _storage_failed(self, exc: StorageError) -> None:
        log.error("storage: %s", exc)
        # Warn once per outage (and on every instructor connect meanwhile): a class of
        # failing answers must not become a burst that overflows the instructor's outbox.
        self._storage_warning = {"type": "warning", "code": "storage",
                                 "message": f"Answers cannot be saved right now ({exc}). "
                                            "Free disk space or check the data folder."}
        if self.storage_ok:
            self.storage_ok = False
            self._to_instructors(self._storage_warning)

    def _storage_recovered(self) -> None:
        """Say "Saving works again" only once nothing refused is left to write."""
        if not self.storage_ok and not self._unsaved and not self._replaying:
            self.storage_ok = True
            self._to_instructors({"type": "warning", "code": "storage_ok",
                                  "message": "Saving works again."})

    # ---- the question timer -------------------------------------------------------------------
    async def _note_alive(self) -> None:
        """Record that the server is running now, so a restart knows when it stopped."""
        # A beat the disk refused is not retried: the next one replaces it.
        with contextlib.suppress(StorageError):
            await self._save(partial(db.set_meta, key=self._alive_key, value=str(self.clock())))

    async def _heartbeat(self) -> None:
        """While a question is open, note every second that the server still runs: after
        a crash its clock loses at most that second."""
        while True:
            await trio.sleep(ALIVE_EVERY_S)
            if self.game.state is State.QUESTION_OPEN:
                await self._note_alive()

    async def _start_timer(self, opening: Opening) -> None:
        """Close ``opening`` at its deadline; one with no clock stays open until closed."""
        self._cancel_timer()
        if opening.deadline is None:
            return
        assert self._nursery is not None
        self._timer = await self._nursery.start(self._run_timer, opening)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    async def _run_timer(self, opening: Opening,
                         task_status: trio.TaskStatus[trio.CancelScope]) -> None:
        """Close ``opening`` when its time is up, unless someone closed it first.

        Only the wait is cancellable: once the time is up the close runs to the
        end, so a button pressed at the same moment cannot cut it in half.
        """
        with trio.CancelScope() as waiting:
            task_status.started(waiting)
            await trio.sleep((opening.remaining_ms(self.clock()) or 0) / 1000)
        if waiting.cancelled_caught:
            return
        async with self._lock:
            if self.game.state is State.QUESTION_OPEN and \
                    self.game.openings.get(opening.question_idx) is opening:
                await self._close_locked()

    # ---- students over HTTP -------------------------------------------------------------------
    async def join(self, student_id: str, name: str) -> Participant:
        """First claim wins; a second claim is audited and raises DuplicateStudentId."""
        # A reset may start a new run while this join commits: it belongs to this one.
        now, game, run_id = self.clock(), self.game, self.run_id
        try:
            missed = game.join(student_id, name, secrets.token_urlsafe(12), now)
        except DuplicateStudentId:
            game.record_event(student_id, "duplicate_join", now)
            self._mark("presence", only=student_id)  # or the orphans' list, sent anyway
            await self._persist(partial(db.save_event, run_id=run_id,
                                        student_id=student_id, question_idx=None,
                                        kind="duplicate_join", ts=now,
                                        detail={"name": name}))
            raise
        participant = game.participants[student_id]

        def save_join(conn: Any) -> None:
            db.save_participant(conn, run_id, participant)
            db.insert_submissions(conn, run_id, missed)

        try:
            await self._save(save_join)
        except StorageError:
            game.remove(student_id)
            # A whole table sent meanwhile may have shown the student.
            self._mark("lobby", "presence", "leaderboard", "lobby_count")
            raise
        if game is not self.game:
            raise Rejected("quiz_reset", "the quiz was just reset: join again")
        self._mark("lobby", "projector", "histogram", "lobby_count")
        self._mark("presence", "leaderboard", only=student_id)
        return participant

    async def record_event(self, student_id: str, kind: str, question_idx: int | None) -> None:
        """Telemetry counts only while a question is open: a phone put away in the lobby
        or during a reveal is not a student looking something up."""
        now, game = self.clock(), self.game
        if game.state is not State.QUESTION_OPEN:
            self._seen(student_id)
            return
        await self._save(partial(db.save_event, run_id=self.run_id, student_id=student_id,
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
                await self._save(partial(db.delete_participant, run_id=self.run_id,
                                         student_id=student_id))
            finally:
                self._clearing.discard(student_id)
            self.game.remove(student_id)
            self._kick_students(lambda sid: sid == student_id, "removed")
            self._mark("lobby", "presence", "projector", "histogram", "leaderboard",
                       "lobby_count")
            return True

    def is_current(self, student_id: str, cookie_id: str, run_id: int) -> bool:
        participant = self.game.participants.get(student_id)
        return (run_id == self.run_id and participant is not None
                and secrets.compare_digest(participant.cookie_id, cookie_id))

    # ---- fan-out ------------------------------------------------------------------------------
    def _to_students(self, text_for: Callable[[str], str]) -> None:
        for student_id, live in self._students.items():
            if live.sockets:
                text = text_for(student_id) if student_id in self.game.participants else None
                for client in live.sockets:
                    if text is not None:
                        client.send(text)

    def _to_instructors(self, message: dict[str, Any] | str) -> None:
        text = message if isinstance(message, str) else views.encode(message)
        for client in self._instructors:
            client.send(text)

    def _broadcast_state(self, *, to_students: bool = False) -> None:
        """The new state to the dashboards and screens. Students learn it from the event
        that follows (a question, a reveal, the end): a second message each would
        double the cost of every fan-out."""
        text = views.encode(views.state_message(self.game))
        if to_students:
            self._to_students(lambda student_id: text)
        self._to_instructors(text)
        for client in self._projectors:
            client.send(text)

    def _kick_students(self, which: Callable[[str], bool], reason: str) -> None:
        """Log these students out: ``reason`` (``reset``, ``new_quiz``, ``removed``) and the
        quiz's title let the phone say what happened."""
        reset = views.encode({"type": "session_reset", "reason": reason,
                              "title": self.game.quiz.title})
        for student_id in [s for s in self._students if which(s)]:
            for client in self._students.pop(student_id).sockets:
                client.send(reset)
                client.close(CLOSE_RESET, "session reset")

    # ---- coalesced views ----------------------------------------------------------------------
    def _mark(self, *names: str, only: str | None = None) -> None:
        """Have ``names`` redrawn. ``only``: in the per-student tables among them, only
        that student's row changed (or is new). The hot paths (an answer, a message,
        a socket) say so, and a refresh then builds the rows named since the one
        before, not the whole class's."""
        for name, table in self._tables.items():
            if name in names:
                table.touch(only)
        for coalescer in self._coalescers:
            coalescer.mark(*(n for n in names if n in coalescer.names))

    def _views_now(self) -> None:
        """After a state change: redraw every view at once, not at the next tick."""
        for table in self._tables.values():
            table.touch()
        for coalescer in self._coalescers:
            coalescer.flush_now(*coalescer.names)

    def _table_interval(self) -> float:
        """Per-student tables cost O(class size) to encode: refresh big classes slower."""
        return max(1 / self.limits.table_updates_per_second, len(self.game.participants) / 2000)

    def _lobby_count_interval(self) -> float:
        """Every waiting phone gets the count: at most about 1,000 of them a second."""
        return max(1.0, len(self.game.participants) / 1000)

    def _redraw(self, dirty: set[str]) -> None:
        game, idx = self.game, self.game.current_idx
        if self._instructors:
            drawn = {
                "room_info": self._room_info,
                "lobby": lambda: views.lobby_count_message(game),
                "presence": self._presence_view,
                "histogram": lambda: idx is not None and views.live_histogram_message(game, idx),
                "leaderboard": self._leaderboard_view,
            }
            for kind in dirty & drawn.keys():
                message = drawn[kind]()
                if message:
                    text = views.encode(message)
                    for client in self._instructors:
                        if kind in self._tables:
                            client.send(text)
                        else:
                            client.send_view(kind, text)
        if self._projectors and dirty & {"projector", "histogram"}:
            text = views.encode(self.projector_state())
            for client in self._projectors:
                client.send_view("projector", text)
        if "lobby_count" in dirty and game.state is State.LOBBY:
            text = views.encode(views.lobby_count_message(game))
            self._to_students(lambda student_id: text)

    def _presence_rows(self, student_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Everyone's presence rows, or only those of ``student_ids`` who take part."""
        chosen = views.participants(self.game, student_ids)
        presence = {p.student_id: views.Presence(len(live.sockets), live.last_seen_ms)
                    for p in chosen if (live := self._students.get(p.student_id))}
        return views.presence_rows(self.game, presence, chosen)

    def _presence(self) -> dict[str, Any]:
        return views.presence_update_message(self.game, self._presence_rows())

    def _presence_view(self) -> dict[str, Any] | None:
        """The presence table for the dashboards: whole, or what changed (None: nothing)."""
        game, table = self.game, self._presence_sent
        context = (game.current_idx, views.orphan_duplicate_joins(game))
        if table.needs_whole:
            rows = self._presence_rows()
            table.sent_whole(rows)
            self._presence_context = context
            return views.presence_update_message(game, rows)
        if self._presence_context is not None and context[0] != self._presence_context[0]:
            table.assume("answered_current", False)
        changed, removed = table.refresh(self._presence_rows)
        if not changed and not removed and context == self._presence_context:
            return None
        self._presence_context = context
        return views.presence_changes_message(game, changed, removed)

    def _leaderboard_view(self) -> dict[str, Any] | None:
        """The leaderboard for the dashboards: whole, or the new scores (None: none)."""
        table = self._scores_sent
        if table.needs_whole:
            table.sent_whole(views.scores(self.game))
            return views.full_leaderboard_message(self.game)
        changed, removed = table.refresh(partial(views.scores, self.game))
        return views.leaderboard_changes_message(changed, removed) if changed or removed \
            else None

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



def _nothing(conn: Any) -> None:
    """A write of nothing: waits for the writes queued before it (and replays refusals)."""


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
            for coalescer in room._coalescers:
                nursery.start_soon(coalescer.run)
            await room._resume_open_question()
            nursery.start_soon(room._heartbeat)
            try:
                yield room
                # A clean stop notes its own time (a cancelled one has lost its store's
                # committer too, and relies on the last heartbeat).
                await room._note_alive()
            finally:
                nursery.cancel_scope.cancel()
    finally:
        with trio.CancelScope(shield=True):
            await room.flush_unsaved()

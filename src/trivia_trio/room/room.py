"""One session's live side: the room that the sockets and routes talk to.

The room turns what clients do into rule changes (``core/game``), durable
writes and messages. It is composed of parts with one job each: who is
connected and the fan-out (``audience``), every write behind what the disk
refused (``persist``), the question's deadline and the heartbeat a restart
reads (``clock``), the dashboards' coalesced views (``pacing``). What the
teacher's commands do is ``flow``, what students do is ``students``; the
room keeps the connections, the dispatch of messages, and the session's
set-up and resumption.

It owns a nursery holding its question timer, its view refresher and the
instructor actions in progress (which a disconnect cannot cancel); each
socket's sender task belongs to that socket's handler, which the room can
cancel (``Client.drop``). Messages students wait on (a question opening,
closing, the end) are encoded once and put straight into every socket's
bounded outbox; the instructor's and projector's views are redrawn at a pace
(``pacing``), so 2,000 answers are a few messages, not 2,000.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, TypeVar

import outcome
import trio

from ..config import Limits
from ..core import dashboard_views, projector_views, qr, views
from ..core.game import Game
from ..core.quiz import Quiz, quiz_from_dict
from ..core.record import Rejected, State, Submission, run_seed
from ..store import database as db
from ..store.committer import Store
from ..store.database import Opened, StorageError
from ..store.quiz_files import demo_quiz
from .audience import Audience
from .class_list import ClassList
from .clients import Client, Role
from .clock import Heartbeat, QuestionTimer
from .connection import Connection
from .flow import INSTRUCTOR_ACTIONS, Flow, quiz_json
from .paced import INSTRUCTOR_ACTIONS as PACED_INSTRUCTOR_ACTIONS
from .paced import LIVE_ONLY, PacedSide, StoredPace, read_pace, set_pace
from .paced import STUDENT_ACTIONS as PACED_STUDENT_ACTIONS
from .pacing import ViewPacing
from .persist import Saver
from .students import STUDENT_ACTIONS, StudentSide
from .switches import SWITCH_ACTIONS, Switches

log = logging.getLogger(__name__)
T = TypeVar("T")

CLOSE_POLICY = 1008
TELEMETRY_KINDS = ("blur", "visibility_hidden")


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class Room(Flow, Switches, StudentSide):
    """The live session. Create it with ``open_room``."""

    def __init__(self, store: Store, record: db.Record, *, session_id: str,
                 limits: Limits, clock: Callable[[], int], opened: Opened = Opened.RESUMED
                 ) -> None:
        self.store = store
        self.session_id = session_id
        self.limits = limits
        self.clock = clock
        self.run_id = record.run_id
        self.class_list = ClassList(store)  # who may join: read once, kept until edited
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
        # The dashboard's Lock joining: kept across restarts and runs until switched off.
        self.joining_locked = db.get_meta(store.conn, self._joining_locked_key) == "1"
        self.game = Game.restore(quiz, record.participants, record.openings, record.submissions,
                                 record.events, State(record.state), record.current_question_idx,
                                 seed=run_seed(session_id, record.run_id),
                                 present=record.present)
        self.game.hidden = db.load_hidden_entries(store.conn, self.run_id)
        self.game.leaderboard_switch = db.get_meta(store.conn, self._leaderboard_key)
        self.game.phones_switch = db.get_meta(store.conn, self._phones_key)
        self.join_url = "/"
        # The dashboard's projector link: the web app adds the key that pairs the room's
        # big screen (web/doors.is_room_projector).
        self.projector_url = "/projector"
        self._lock = trio.Lock()  # one instructor action at a time, timer included
        self.audience = Audience(limits.sockets_per_student, clock)
        self.saver = Saver(store, self.audience.to_instructors)
        self.timer = QuestionTimer(clock, self._time_up)
        self.heartbeat = Heartbeat(self.saver, f"session:{session_id}:alive_at", clock,
                                   self._clock_running)
        self.pacing = ViewPacing(limits, self.audience, lambda: self.game, self._room_info,
                                 self.projector_state, self._phones_wait,
                                 lambda: self.paced is not None)
        self.set_join_url(self.join_url)
        self._connections = 0
        self.uncommitted: set[Submission] = set()
        self._clearing: set[str] = set()  # students whose removal is being committed
        self._nursery: trio.Nursery | None = None
        # The run's student-paced side; None while it is live (room/paced.py).
        self.paced: PacedSide | None = None
        # Read here like the rest of the record: the room is being built, nothing runs yet.
        self.hold_pace(read_pace(store.conn, self.run_id, self.game.quiz, self.heartbeat.key))

    # ---- set-up ------------------------------------------------------------------------
    def set_join_url(self, url: str) -> None:
        """The address students join at, and its QR code as an image the pages load once.

        The picture's address names its content, so browsers may keep it for good and
        the projector's frames carry a short link instead of six kilobytes of SVG."""
        self.join_url = url
        self.join_qr_svg = qr.svg(url)
        self._qr_url = f"/join-qr.svg?v={hashlib.sha256(self.join_qr_svg).hexdigest()[:16]}"
        self.pacing.mark("projector", "room_info")

    def hold_pace(self, kept: StoredPace) -> None:
        """The run (or its quiz, or its pace) changed to ``kept`` (``paced.read_pace``, read
        in the change's transaction): hold a student-paced side while it is student-paced,
        its clocks in the room's nursery, its grid on the dashboards (``to_dashboards``)."""
        if self.paced is not None:
            self.paced.stop()
            self.paced = None
        self.game.paced_standings = None  # a live run's standings follow its leaderboard
        if kept.pace.pace == "student":
            self.paced = PacedSide(self, kept)
            if self._nursery is not None:
                self._nursery.start_soon(self.paced.run_tasks)
            self.paced.screens.to_dashboards()

    def _phones_wait(self) -> bool:
        """Whether the phones wait in the lobby (and are sent its count): never in a
        student-paced run, where each is on a question of its own from the join."""
        return self.paced is None and self.game.state is State.LOBBY

    def _clock_running(self) -> bool:
        """Whether a question's clock runs: the heartbeat notes the server is alive."""
        if self.paced is not None:
            return any(True for _ in self.paced.run.open_turns())
        return self.game.state is State.QUESTION_OPEN

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
                      connection: Connection | None = None, *,
                      big_screen: bool = True,
                      accepts: frozenset[str] = frozenset()) -> AsyncIterator[Client]:
        """Register a socket for the block's lifetime; its snapshot is queued at once.
        ``connection``: the socket's own, to write to directly (see clients.py).
        ``big_screen``: a projector is the room's (it makes buttons-only phones show only
        buttons) unless the web layer found it is anyone's copy of the public page.
        ``accepts``: the newer forms of messages it takes."""
        client = Client(role, student_id, self.limits, connection,
                        big_screen=big_screen and role is Role.PROJECTOR, accepts=accepts)
        self.audience.add(client)
        if role is Role.STUDENT:
            assert student_id is not None
            self.pacing.mark("presence", only=student_id)
            self._student_snapshot(client)
        elif role is Role.INSTRUCTOR:
            self._instructor_snapshot(client)
            self.pacing.start_afresh()
        else:
            client.send_message(self._state_message())
            client.send_message(self.projector_state())
            if client.big_screen and len(self.audience.big_screens) == 1 and \
                    self.game.phones == "buttons":
                self.refresh_phones()  # the big screen shows the question now
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
                                        question_idx=idx, asking=self.game.openings[idx].asking,
                                        student_ids=new))

    def _disconnect(self, client: Client) -> None:
        if self.audience.remove(client):
            self.pacing.mark("presence", only=client.student_id)
        elif client.big_screen and not self.audience.big_screens and \
                self.game.phones == "buttons":
            self.refresh_phones()  # no big screen left: the phones show the question

    def _student_snapshot(self, client: Client) -> None:
        assert client.student_id is not None
        for text in (views.student_snapshot(self.game, client.student_id, self.clock(),
                                            self.uncommitted,
                                            projector_open=bool(self.audience.big_screens))
                     if self.paced is None
                     else self.paced.snapshot(client.student_id)):
            client.send(text)

    def _instructor_snapshot(self, client: Client) -> None:
        for message in dashboard_views.instructor_snapshot(
                self.game, self.clock(), self._room_info(), self.pacing.presence()):
            client.send_message(message)
        if not self.saver.ok:
            client.send_message(self.saver.warning)
        if self.pending is not None:
            client.send_message(self._pending_warning())
        if self.paced is not None:
            client.send_message(self._state_message())  # the state again, with the pace
            client.send_message(self.paced.screens.instructor_snapshot())

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
        actions = _ACTIONS if self.paced is None else _PACED_ACTIONS
        action = actions[client.role].get(kind) if isinstance(kind, str) else None
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

    # ---- fan-out ------------------------------------------------------------------------------
    def _to_students(self, text_for: Callable[[str], str]) -> None:
        self.audience.to_students(text_for, self.game.participants)

    def _to_instructors(self, message: dict[str, Any] | str) -> None:
        self.audience.to_instructors(message)

    def _broadcast_state(self, *, to_students: bool = False) -> None:
        """The new state to the dashboards and screens. Students learn it from the event
        that follows (a question, a reveal, the end): a second message each would
        double the cost of every fan-out."""
        text = views.encode(self._state_message())
        if to_students:
            self._to_students(lambda student_id: text)
        self._to_instructors(text)
        self.audience.to_projectors(text)

    def me(self, student_id: str) -> dict[str, Any]:
        """``GET /api/me``: what the student has on record (not what is still committing)."""
        if self.paced is not None:
            return self.paced.me(student_id)
        return views.me_payload(self.game, student_id, self.uncommitted)

    def _state_message(self) -> dict[str, Any]:
        """``state``, with ``pace: "student"`` in a student-paced run (absent: live)."""
        message = views.state_message(self.game)
        return message if self.paced is None else self.paced.state_message()

    def _kick_students(self, which: Callable[[str], bool], reason: str) -> None:
        """Log these students out: ``reason`` (``reset``, ``new_quiz``, ``removed``) and the
        quiz's title let the phone say what happened."""
        reset = views.encode({"type": "session_reset", "reason": reason,
                              "title": self.game.quiz.title})
        self.audience.kick(which, reset)

    # ---- coalesced views ----------------------------------------------------------------------
    def _room_info(self) -> dict[str, Any]:
        return dashboard_views.room_info_message(self.game, session_id=self.session_id,
                                       join_url=self.join_url, qr_url=self._qr_url,
                                       live_answers=self.live_answers,
                                       close_when_all_answered=self.close_when_all_answered,
                                       projector_language=self.projector_language,
                                       joining_locked=self.joining_locked,
                                       projector_url=self.projector_url)

    def projector_state(self) -> dict[str, Any]:
        state = projector_views.projector_state_message(self.game, session_id=self.session_id,
                                              join_url=self.join_url, qr_url=self._qr_url,
                                              live_answers=self.live_answers, now=self.clock(),
                                              language=self.projector_language
                                              or self.game.quiz.language)
        if self.paced is None:
            return state
        return state | self.paced.screens.projector_additions(state)



def _quiz_of(quiz_json: str) -> Quiz:
    return quiz_from_dict(json.loads(quiz_json))


def _parse(raw: str | bytes) -> dict[str, Any] | None:
    try:
        message = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return message if isinstance(message, dict) else None


_ACTIONS: dict[Role, dict[str, Callable[[Room, Client, dict[str, Any]], Any]]] = {
    Role.STUDENT: STUDENT_ACTIONS,
    Role.INSTRUCTOR: INSTRUCTOR_ACTIONS | SWITCH_ACTIONS | {"set_pace": set_pace},
    Role.PROJECTOR: {},
}
# A student-paced run: the students' own Next, the teacher's accommodations, and none of
# the commands that open or close a question for everyone.
_PACED_ACTIONS: dict[Role, dict[str, Callable[[Room, Client, dict[str, Any]], Any]]] = {
    Role.STUDENT: PACED_STUDENT_ACTIONS,
    Role.INSTRUCTOR: {name: action for name, action in _ACTIONS[Role.INSTRUCTOR].items()
                      if name not in LIVE_ONLY} | PACED_INSTRUCTOR_ACTIONS,
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
                                     quiz_json(quiz) if quiz else None, clock(),
                                     default=quiz_json(demo_quiz()))
    room = Room(store, record, session_id=session_id, limits=limits or Limits(), clock=clock,
                opened=opened)
    try:
        async with trio.open_nursery() as nursery:
            room._nursery = nursery
            for coalescer in room.pacing.coalescers:
                nursery.start_soon(coalescer.run)
            await room._resume_open_question()
            if room.paced is not None:
                await nursery.start(room.paced.run_tasks)
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

"""The room's switches, as the dashboard turns them: close when all have answered, the
big screen's language and live answers, joining locked, the leaderboard, what the
phones show, and a word cloud's hidden entries.

Each is kept across restarts (a meta row or the session's record) and told to the
dashboards at once. ``Switches`` is mixed into ``Room``; its commands hold the lock
and are refused when pressed at a stage that has passed, as ``flow.Flow``'s do.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from functools import partial
from typing import Any

import trio

from ..core import results, views
from ..core.game import Game
from ..core.phones import PHONES
from ..core.quiz import Quiz, is_language_tag
from ..core.record import Rejected, State
from ..core.standings import LEADERBOARDS
from ..store import database as db
from ..store.database import StorageError
from .audience import Audience
from .clients import Client
from .pacing import ViewPacing
from .persist import Saver


class Switches:
    """The dashboard's switches of the room (see the module's docstring)."""

    game: Game
    session_id: str
    run_id: int
    audience: Audience
    saver: Saver
    pacing: ViewPacing
    close_when_all_answered: bool
    projector_language: str | None
    live_answers: bool
    joining_locked: bool
    uncommitted: set[Any]
    paced: Any  # room/paced.py's PacedSide while the run is student-paced
    _lock: trio.Lock
    _nursery: trio.Nursery | None
    # Flow's: the lock for one command, and the close it makes; Room's: a phone's snapshot.
    _command: Callable[[object], AbstractAsyncContextManager[None]]
    _close_locked: Callable[[], Awaitable[None]]
    _student_snapshot: Callable[[Client], None]

    # ---- where each switch is kept (a meta row of the session) ------------------------
    @property
    def _close_when_all_key(self) -> str:
        return f"session:{self.session_id}:close_when_all_answered"

    @property
    def _joining_locked_key(self) -> str:
        return f"session:{self.session_id}:joining_locked"

    @property
    def _leaderboard_key(self) -> str:
        return f"session:{self.session_id}:leaderboard"

    @property
    def _phones_key(self) -> str:
        return f"session:{self.session_id}:phones"

    @property
    def _projector_language_key(self) -> str:
        return f"session:{self.session_id}:projector_language"

    # ---- the switches -----------------------------------------------------------------
    @property
    def _quiz_switch_keys(self) -> tuple[str, ...]:
        """The switches a new quiz forgets (``_switches_follow``): their rows are deleted
        in the new quiz's own save."""
        return (self._close_when_all_key, self._leaderboard_key, self._phones_key)

    def _switches_follow(self, quiz: Quiz) -> None:
        """A new quiz brings its own close-when-all-answered, leaderboard and phones
        settings; the dashboard's switches may override them again."""
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

    def refresh_phones(self) -> None:
        """What the phones show changed (phones.py: the switch, or the first projector
        opened, or the last closed) while a question they answer by buttons is open:
        each phone gets its snapshot again, its answer's ack included."""
        idx, game = self.game.current_idx, self.game
        if self.paced is not None or game.state is not State.QUESTION_OPEN or idx is None \
                or not game.kind(idx).buttons_suffice:
            return
        for student_id, live in self.audience.connected_students():
            if student_id in game.participants:
                for client in live.sockets:
                    self._student_snapshot(client)

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


def _switch(setter: Callable[..., Awaitable[None]]
            ) -> Callable[[Switches, Client, dict[str, Any]], Any]:
    """An instructor message ``{type, on, from?}`` that turns a room setting on or off."""
    async def action(room: Switches, client: Client, message: dict[str, Any]) -> None:
        on = message.get("on")
        if not isinstance(on, bool):
            raise Rejected("bad_message", "on must be true or false")
        await setter(room, on, pressed_at=message.get("from"))
    return action


async def _hide_entry_action(room: Switches, client: Client, message: dict[str, Any]) -> None:
    idx, hidden = message.get("question_idx"), message.get("hidden", True)
    if isinstance(idx, bool) or not isinstance(idx, int):
        raise Rejected("bad_question", "question_idx must be a whole number")
    if not isinstance(hidden, bool):
        raise Rejected("bad_message", "hidden must be true or false")
    await room.hide_entry(idx, message.get("answer"), hidden)


async def _leaderboard_action(room: Switches, client: Client, message: dict[str, Any]) -> None:
    mode = message.get("mode")
    if mode is not None and mode not in LEADERBOARDS:
        raise Rejected("bad_message", f"mode must be one of {', '.join(LEADERBOARDS)} or null")
    await room.set_leaderboard(mode, pressed_at=message.get("from"))


async def _phones_action(room: Switches, client: Client, message: dict[str, Any]) -> None:
    mode = message.get("mode")
    if mode is not None and mode not in PHONES:
        raise Rejected("bad_message", f"mode must be one of {', '.join(PHONES)} or null")
    await room.set_phones(mode, pressed_at=message.get("from"))


async def _projector_language_action(room: Switches, client: Client,
                                     message: dict[str, Any]) -> None:
    language = message.get("language")
    if language is not None and not is_language_tag(language):
        raise Rejected("bad_message", "language must be a language tag such as 'de' or null")
    await room.set_projector_language(language, pressed_at=message.get("from"))


SWITCH_ACTIONS: dict[str, Callable[[Any, Client, dict[str, Any]], Any]] = {
    "projector_live_answers": _switch(Switches.set_live_answers),
    "close_when_all_answered": _switch(Switches.set_close_when_all_answered),
    "projector_language": _projector_language_action,
    "lock_joining": _switch(Switches.set_joining_locked),
    "hide_answer": _hide_entry_action,
    "leaderboard_mode": _leaderboard_action,
    "phones_mode": _phones_action,
}

"""The dashboards' and big screens' views, redrawn at a pace a big class can afford.

A view is marked dirty and redrawn at most so often (``coalesce.py``): cheap views
follow answers closely, the per-student tables refresh slower as the class grows,
and the lobby count, which goes to every phone, slowest of all. The two big tables
(presence, leaderboard) go out as changes (``core/deltas.py``); each change builds
on the message before, so none is replaced in an outbox.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from ..config import Limits
from ..core import dashboard_views, views
from ..core.dashboard_views import PRESENCE_SPARSE
from ..core.deltas import TableChanges
from ..core.game import Game
from ..core.paced_grid_rows import GRID_ROWS
from .audience import Audience
from .coalesce import Coalescer


class ViewPacing:
    def __init__(self, limits: Limits, audience: Audience, game: Callable[[], Game],
                 room_info: Callable[[], dict[str, Any]],
                 projector_state: Callable[[], dict[str, Any]],
                 phones_wait: Callable[[], bool],
                 scores_in_grid: Callable[[], bool] = lambda: False) -> None:
        """``scores_in_grid``: whether the dashboards that take the progress grid by
        position (``paced_grid_rows``) have every score there, in their grid's rows: they
        are not sent the leaderboard's changes too."""
        self.limits = limits
        self._scores_in_grid = scores_in_grid
        self.audience = audience
        self._game = game
        self._room_info = room_info
        self._projector_state = projector_state
        self._phones_wait = phones_wait
        self.coalescers = (
            Coalescer(("histogram", "projector"), self._redraw,
                      lambda: 1 / limits.view_updates_per_second),
            Coalescer(("lobby", "presence", "leaderboard", "room_info"), self._redraw,
                      self._table_interval),
            Coalescer(("lobby_count",), self._redraw, self._lobby_count_interval),
        )
        self._presence_sent = TableChanges("student_id")
        self._presence_context: tuple[Any, ...] | None = None  # question, orphans, last sent
        self._scores_sent = TableChanges("student_id")
        # By view name: their changes build on the message before, so none is replaced.
        self.tables = {"presence": self._presence_sent, "leaderboard": self._scores_sent}

    def mark(self, *names: str, only: str | None = None) -> None:
        """Have ``names`` redrawn. ``only``: in the per-student tables among them, only
        that student's row changed (or is new). The hot paths (an answer, a message,
        a socket) say so, and a refresh then builds the rows named since the one
        before, not the whole class's."""
        for name, table in self.tables.items():
            if name in names:
                table.touch(only)
        for coalescer in self.coalescers:
            coalescer.mark(*(n for n in names if n in coalescer.names))

    def now(self) -> None:
        """After a state change: redraw every view at once, not at the next tick."""
        for table in self.tables.values():
            table.touch()
        for coalescer in self.coalescers:
            coalescer.flush_now(*coalescer.names)

    def start_afresh(self) -> None:
        """A dashboard got a whole snapshot, newer than what the others were last sent."""
        for table in self.tables.values():
            table.forget()
        self.mark("presence", "leaderboard")

    def _table_interval(self) -> float:
        """Per-student tables cost O(class size) to encode: refresh big classes slower."""
        return max(1 / self.limits.table_updates_per_second,
                   len(self._game().participants) / 2000)

    def _lobby_count_interval(self) -> float:
        """Every waiting phone gets the count: at most about 1,000 of them a second."""
        return max(1.0, len(self._game().participants) / 1000)

    def _redraw(self, dirty: set[str]) -> None:
        game, idx, audience = self._game(), self._game().current_idx, self.audience
        if audience.instructors:
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
                    self._to_instructors(kind, message)
        if audience.projectors and dirty & {"projector", "histogram"}:
            text = views.encode(self._projector_state())
            for client in audience.projectors:
                client.send_view("projector", text)
        if "lobby_count" in dirty and self._phones_wait():
            text = views.encode(views.lobby_count_message(game))
            audience.to_students(lambda student_id: text, game.participants)

    def _to_instructors(self, kind: str, message: dict[str, Any]) -> None:
        """``message`` to every dashboard, in the form each takes (``Client.accepts``),
        each form encoded once."""
        texts: dict[bool, str] = {}  # by whether the rows go sparse
        skip_scores = message["type"] == "leaderboard_changes" and self._scores_in_grid()
        for client in self.audience.instructors:
            if skip_scores and GRID_ROWS in client.accepts:
                continue
            sparse = kind == "presence" and PRESENCE_SPARSE in client.accepts
            if sparse not in texts:
                texts[sparse] = views.encode(dashboard_views.sparse_presence(message)
                                             if sparse else message)
            if kind in self.tables:
                client.send(texts[sparse])
            else:
                client.send_view(kind, texts[sparse])

    def presence_rows(self, student_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Everyone's presence rows, or only those of ``student_ids`` who take part."""
        game = self._game()
        chosen = dashboard_views.participants(game, student_ids)
        presence = {p.student_id: dashboard_views.Presence(len(live.sockets), live.last_seen_ms)
                    for p in chosen if (live := self.audience.students.get(p.student_id))}
        return dashboard_views.presence_rows(game, presence, chosen)

    def presence(self) -> dict[str, Any]:
        return dashboard_views.presence_update_message(self._game(), self.presence_rows())

    def _presence_view(self) -> dict[str, Any] | None:
        """The presence table for the dashboards: whole, or what changed (None: nothing)."""
        game, table = self._game(), self._presence_sent
        context = (game.current_idx, dashboard_views.orphan_duplicate_joins(game))
        if table.needs_whole:
            rows = self.presence_rows()
            table.sent_whole(rows)
            self._presence_context = context
            return dashboard_views.presence_update_message(game, rows)
        if self._presence_context is not None and context[0] != self._presence_context[0]:
            table.assume("answered_current", False)
        changed, removed = table.refresh(self.presence_rows)
        if not changed and not removed and context == self._presence_context:
            return None
        self._presence_context = context
        return dashboard_views.presence_changes_message(game, changed, removed)

    def _leaderboard_view(self) -> dict[str, Any] | None:
        """The leaderboard for the dashboards: whole, or the new scores (None: none)."""
        game, table = self._game(), self._scores_sent
        if not table.needs_whole and self._scores_in_grid() and \
                all(GRID_ROWS in client.accepts for client in self.audience.instructors):
            return None  # no dashboard takes the changes: not even built (touched rows wait)
        if table.needs_whole:
            table.sent_whole(dashboard_views.scores(game))
            return dashboard_views.full_leaderboard_message(game)
        changed, removed = table.refresh(partial(dashboard_views.scores, game))
        return dashboard_views.leaderboard_changes_message(changed, removed) if changed or removed \
            else None

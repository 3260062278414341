"""A table kept in step on the dashboard by its changes, not by resending it whole.

A class of 1,000 makes a presence table of some 220 KB; resent at every
refresh it cost the dashboard megabytes per question and the server the
encoding. Instead the dashboard gets the whole table once, then, at each
refresh, only the fields that changed since the previous one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Row = dict[str, Any]


class TableChanges:
    """The rows last sent, by ``key``: what changed since, field by field.

    Every dashboard sees every refresh, so one record of what was sent serves
    them all. A dashboard that connects gets the whole table, and so must the
    others right after (``forget``): a change it saw in its snapshot may be
    undone before the next refresh, which would then, from the old record,
    look like no change at all.
    """

    def __init__(self, key: str) -> None:
        self.key = key
        self._sent: dict[Any, Row] | None = None

    def forget(self) -> None:
        """The next refresh sends the whole table."""
        self._sent = None

    @property
    def needs_whole(self) -> bool:
        return self._sent is None

    def sent_whole(self, rows: Iterable[Row]) -> None:
        self._sent = {row[self.key]: row for row in rows}

    def assume(self, field: str, value: Any) -> None:
        """The pages set ``field`` to ``value`` in every row by themselves (a new
        question clears ``answered_current``): no need to send it row by row."""
        if self._sent is not None:
            for row in self._sent.values():
                row[field] = value

    def changes(self, rows: Iterable[Row]) -> tuple[list[Row], list[Any]]:
        """The rows that are new or changed since the last refresh (a changed row
        carries its key and its changed fields only), and the keys of rows gone.
        They become the record of what was sent."""
        assert self._sent is not None, "send the whole table first"
        before, now, changed = self._sent, {}, []
        for row in rows:
            key = row[self.key]
            now[key] = row
            old = before.get(key)
            if old is None:
                changed.append(row)
            elif old != row:
                changed.append({self.key: key} | {
                    field: value for field, value in row.items() if old.get(field) != value})
        removed = [key for key in before if key not in now]
        self._sent = now
        return changed, removed

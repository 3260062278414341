"""A table kept in step on the dashboard by its changes, not by resending it whole.

A class of 1,000 makes a presence table of some 220 KB; resent at every
refresh it cost the dashboard megabytes per question and the server the
encoding. Instead the dashboard gets the whole table once, then, at each
refresh, only the fields that changed since the previous one.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

Row = dict[str, Any]


class TableChanges:
    """The rows last sent, by ``key``: what changed since, field by field.

    Every dashboard sees every refresh, so one record of what was sent serves
    them all. A dashboard that connects gets the whole table, and so must the
    others right after (``forget``): a change it saw in its snapshot may be
    undone before the next refresh, which would then, from the old record,
    look like no change at all.

    Between refreshes the owner says which rows it changed (``touch``): a
    refresh then builds and compares those rows only, not the whole table.
    """

    def __init__(self, key: str, lists: tuple[str, ...] = ()) -> None:
        """``lists``: list fields whose change goes out as ``<field>_changed``, the items
        that changed by their index (``{"3": "right"}``), not as the whole list."""
        self.key = key
        self.lists = lists
        self._sent: dict[Any, Row] | None = None
        self._touched: set[Any] | None = None  # None: any row may have changed

    def forget(self) -> None:
        """The next refresh sends the whole table."""
        self._sent = None

    def touch(self, key: Any = None) -> None:
        """Row ``key`` changed or is new; without one, any row may have, or gone."""
        if key is None:
            self._touched = None
        elif self._touched is not None:
            self._touched.add(key)

    @property
    def needs_whole(self) -> bool:
        return self._sent is None

    @property
    def sent(self) -> dict[Any, Row]:
        """Every row as last sent, by key (whole, whatever went as changes)."""
        assert self._sent is not None, "send the whole table first"
        return self._sent

    def sent_whole(self, rows: Iterable[Row]) -> None:
        self._sent = {row[self.key]: row for row in rows}
        self._touched = set()

    def assume(self, field: str, value: Any) -> None:
        """The pages set ``field`` to ``value`` in every row by themselves (a new
        question clears ``answered_current``): no need to send it row by row."""
        if self._sent is not None:
            for row in self._sent.values():
                row[field] = value

    def refresh(self, rows_of: Callable[[Collection[Any] | None], Iterable[Row]]
                ) -> tuple[list[Row], list[Any]]:
        """What changed since the last refresh (see ``changes``), from the rows touched
        since: ``rows_of(keys)`` builds those rows, ``rows_of(None)`` every row."""
        assert self._sent is not None, "send the whole table first"
        touched, self._touched = self._touched, set()
        if touched is None:
            return self.changes(rows_of(None))
        return self._compare(self._sent, rows_of(touched), self._sent), []

    def changes(self, rows: Iterable[Row]) -> tuple[list[Row], list[Any]]:
        """The rows that are new or changed since the last refresh (a changed row
        carries its key and its changed fields only), and the keys of rows gone.
        They become the record of what was sent."""
        assert self._sent is not None, "send the whole table first"
        before, now = self._sent, {}
        changed = self._compare(before, rows, now)
        removed = [key for key in before if key not in now]
        self._sent = now
        return changed, removed

    def _compare(self, before: dict[Any, Row], rows: Iterable[Row],
                 record: dict[Any, Row]) -> list[Row]:
        changed = []
        for row in rows:
            key = row[self.key]
            old = before.get(key)
            record[key] = row
            if old is None:
                changed.append(row)
            elif old != row:
                change = {self.key: key}
                for field, value in row.items():
                    sent = old.get(field)
                    if sent == value:
                        continue
                    if field in self.lists and isinstance(sent, list) \
                            and len(sent) == len(value):
                        change[f"{field}_changed"] = {
                            str(idx): item for idx, (was, item)
                            in enumerate(zip(sent, value, strict=True)) if was != item}
                    else:
                        change[field] = value
                changed.append(change)
        return changed

"""The class list the current run takes its students from, kept in memory.

Every phone's ``/api/join``, ``/api/join/check`` and ``/api/roster`` needs it: a
class of 30 joining at once must not open 90 database connections for a list
that has not changed. It is read once per run and kept until the teacher edits a
class (or picks another), which ``forget``s it; the next ask reads it again.
"""

from __future__ import annotations

from ..store import roster
from ..store.committer import Store
from ..store.roster import RunClass


class ClassList:
    """The current run's ``RunClass`` (None: anyone may join), by run id."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._kept: tuple[int, RunClass | None] | None = None
        # Counts the edits: a read that an edit overtook is used once, never kept.
        self._edits = 0

    async def of_run(self, run_id: int) -> RunClass | None:
        if self._kept is not None and self._kept[0] == run_id:
            return self._kept[1]
        edits = self._edits
        used = await self._store.read(lambda conn: roster.run_class(conn, run_id))
        if edits == self._edits:
            self._kept = (run_id, used)
        return used

    def forget(self) -> None:
        """A class was edited (or the run's class changed): read the list again when asked."""
        self._edits += 1
        self._kept = None

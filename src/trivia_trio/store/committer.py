"""The group committer: every write to the database goes through ``Store.write``.

Every write a client is told about is committed (WAL, ``synchronous=FULL``)
before ``write`` returns. Writes queue up while the previous group commits and
then go in together as one transaction, each inside its own savepoint: 2,000
answers arriving at once cost a few commits, not 2,000, and one bad write cannot
spoil its neighbours.
"""

from __future__ import annotations

import logging
import math
import queue
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import outcome
import trio

from .database import StorageError, connect

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class _Write:
    apply: Callable[[sqlite3.Connection], Any]
    done: trio.Event = field(default_factory=trio.Event)
    result: Any = None
    error: BaseException | None = None


class Store:
    """Owns the connection; ``write`` is the only way to change the database.

    Writes are serialised through one task, so the connection is used by one
    thread at a time. Writes raise StorageError when their group's commit
    failed (disk full, read-only file): the caller must not acknowledge them.
    """

    MAX_GROUP = 2000

    def __init__(self, conn: sqlite3.Connection, path: Path, *, use_thread: bool = True) -> None:
        self.conn = conn
        self.path = path
        self._use_thread = use_thread
        self._send, self._receive = trio.open_memory_channel[_Write](math.inf)
        self.commits = 0  # how many transactions were committed: group commit at work

    async def write(self, apply: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``apply`` in a transaction with whatever else is waiting; return once durable."""
        item = _Write(apply)
        # The queue is unbounded on purpose: callers are bounded (one message
        # in flight per socket), and refusing a write here would lose an answer.
        self._send.send_nowait(item)
        await item.done.wait()
        if item.error is not None:
            raise item.error
        result: T = item.result
        return result

    async def read(self, query: Callable[[sqlite3.Connection], T]) -> T:
        """Run a read (exports) on a connection of its own in a thread.

        WAL lets it see the last commit without holding up the writers, so a
        large export never delays an answer's acknowledgement.
        """
        def run_query() -> T:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            conn.row_factory = sqlite3.Row
            try:
                return query(conn)
            finally:
                conn.close()

        if not self._use_thread:
            return run_query()
        return await trio.to_thread.run_sync(run_query)

    async def run_committer(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED
                            ) -> None:
        """Commit queued writes until the queue is closed (``open_store`` does on exit).

        Shielded: a shutdown that cancels everything else still lets the writes
        queued before it, and those made while the room winds down, commit.
        """
        task_status.started()
        with trio.CancelScope(shield=True):
            if not self._use_thread:
                await self._commit_until_closed(None)
                return
            with _CommitThread(self._commit_group) as thread:
                await self._commit_until_closed(thread)

    async def _commit_until_closed(self, thread: _CommitThread | None) -> None:
        async for first in self._receive:
            # Let every task that is ready to write queue up behind the first.
            await trio.lowlevel.checkpoint()
            group = [first]
            while len(group) < self.MAX_GROUP:
                try:
                    group.append(self._receive.receive_nowait())
                except trio.WouldBlock:
                    break
            if thread is not None:
                await thread.commit(group)
            else:
                self._commit_group(group)
            for item in group:
                item.done.set()

    def _commit_group(self, group: list[_Write]) -> None:
        conn = self.conn
        # Outside a transaction a savepoint begins one, and its release commits it. Each
        # write of a group has a savepoint of its own, to undo it alone if it fails; a
        # write alone has the group's: two statements fewer for most commits.
        alone = len(group) == 1
        try:
            if conn.in_transaction:  # "writes" would nest in it and commit nothing
                raise sqlite3.OperationalError("a transaction was left open")
            conn.execute("SAVEPOINT writes")
            for n, item in enumerate(group):
                savepoint = "writes" if alone else f"w{n}"
                if not alone:
                    conn.execute(f"SAVEPOINT {savepoint}")
                try:
                    item.result = item.apply(conn)
                except sqlite3.DatabaseError as exc:
                    if not conn.in_transaction:
                        raise  # sqlite rolled the whole group back (disk full, I/O error)
                    conn.execute(f"ROLLBACK TO {savepoint}")
                    item.error = StorageError(str(exc))
                except Exception as exc:  # a bug in one write: its caller raises it, not us
                    conn.execute(f"ROLLBACK TO {savepoint}")
                    item.error = exc
                if not alone:
                    conn.execute(f"RELEASE {savepoint}")
            conn.execute("RELEASE writes")
            if conn.in_transaction:
                raise sqlite3.OperationalError("the writes did not commit")
            self.commits += 1
        except sqlite3.Error as exc:
            log.error("commit of %d writes failed: %s", len(group), exc)
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    log.exception("rollback failed")
            for item in group:
                item.result, item.error = None, StorageError(f"not saved: {exc}")


class _CommitThread:
    """The one thread that commits, for as long as the committer runs: the disk's
    waits happen there, not in the event loop.

    A group goes to it through a queue, and its outcome comes back by waking the
    committer: about half the CPU of ``trio.to_thread.run_sync``, which takes a
    pooled thread, copies the context and builds an outcome every call, at a
    commit every few milliseconds in a busy class.
    """

    def __init__(self, commit_group: Callable[[list[_Write]], None]) -> None:
        self._commit_group = commit_group
        self._groups: queue.SimpleQueue[tuple[list[_Write], Callable[[Any], None]] | None] = \
            queue.SimpleQueue()
        self._token = trio.lowlevel.current_trio_token()
        self._thread = threading.Thread(target=self._serve, name="commits", daemon=True)

    def __enter__(self) -> _CommitThread:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._groups.put(None)
        self._thread.join()

    def _serve(self) -> None:
        while (job := self._groups.get()) is not None:
            group, wake = job
            self._token.run_sync_soon(wake, outcome.capture(self._commit_group, group))

    @trio.lowlevel.enable_ki_protection
    async def commit(self, group: list[_Write]) -> None:
        """Commit ``group`` in the thread; not cancellable (the committer is shielded),
        nor interrupted by Ctrl-C between handing it over and waiting for the thread."""
        task = trio.lowlevel.current_task()
        self._groups.put((group, partial(trio.lowlevel.reschedule, task)))
        await trio.lowlevel.wait_task_rescheduled(lambda _: trio.lowlevel.Abort.FAILED)


@asynccontextmanager
async def open_store(path: Path, *, use_thread: bool = True) -> AsyncIterator[Store]:
    """Open the database at ``path`` and commit writes until the block exits.

    The store owns its connection and closes it on exit, after the writes
    already queued have been committed or failed.
    """
    conn = connect(path)
    store = Store(conn, path, use_thread=use_thread)
    try:
        async with trio.open_nursery() as nursery:
            await nursery.start(store.run_committer)
            try:
                yield store
            finally:
                store._send.close()
    finally:
        conn.close()

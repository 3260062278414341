"""The progress grid by position (``paced_grid_rows``) for a dashboard that accepts it: a
scripted student-paced class on virtual time, folded as the page folds it, comes out as
the server's own grid, in a fraction of the bytes the changes as objects take; a
dashboard that does not accept it gets the grid as before."""

from __future__ import annotations

import json
import random
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing

from trivia_trio.core import dashboard_views, paced_views
from trivia_trio.core.dashboard_views import PRESENCE_SPARSE
from trivia_trio.core.paced_grid_rows import CELL_LETTERS, GRID_ROWS, GridRows
from trivia_trio.room import paced_screens
from trivia_trio.room.paced_screens import header_interval, refresh_interval
from trivia_trio.room.room import Client, Role

from .test_paced_room import PACED, paced_room, send
from .test_room import drain, next_of

WORDS = {letter: word for word, letter in CELL_LETTERS.items()}
BY_POSITION = frozenset({GRID_ROWS})


class PageGrid:
    """The grid as static/paced-grid.js keeps it, from what its socket got."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.positions: list[str] = []
        self.counts: list[list[Any]] = []
        self.summary: dict[str, int] = {}
        self.bytes = 0
        self.types: list[str] = []

    def read(self, client: Client) -> None:
        while True:
            try:
                text = client.receive_nowait()
            except trio.WouldBlock:
                return
            assert isinstance(text, str)
            message = json.loads(text)
            if message["type"] in ("paced_grid", "paced_grid_rows", "paced_grid_changes",
                                   "leaderboard_changes"):
                self.bytes += len(text.encode())
                self.types.append(message["type"])
            if message["type"] == "paced_grid":
                self.rows = {row["student_id"]: row for row in message["rows"]}
                self.positions = [row["student_id"] for row in message["rows"]]
                self.counts = [[q["reached"], q["answered"], q["right"], q["share_right"]]
                               for q in message["questions"]]
                self.summary = message["summary"]
            elif message["type"] == "paced_grid_rows":
                self.fold(message)

    def fold(self, message: dict[str, Any]) -> None:
        for sid, name, letters, score, tenths, running, *rare in message.get("added", []):
            self.positions.append(sid)
            self.rows[sid] = {"student_id": sid, "name": name,
                              "cells": [WORDS[c] for c in letters], "finished": False,
                              "extra_time": 1.0, "no_speed_penalty": False}
            self._set(self.rows[sid], score, tenths, running, rare)
        for place, first, letters, score, tenths, running, *rare in message.get("rows", []):
            row = self.rows[self.positions[place]]
            for n, letter in enumerate(letters):
                row["cells"][first + n] = WORDS[letter]
            self._set(row, score, tenths, running, rare)
        self.counts = message.get("counts", self.counts)
        self.summary = message.get("summary", self.summary)

    @staticmethod
    def _set(row: dict[str, Any], score: float, tenths: int, running: int,
             rare: list[Any]) -> None:
        row |= {"score": score, "time_used_ms": tenths * 100, "running": running,
                "reached": sum(word != "not_reached" for word in row["cells"])}
        if rare:
            row |= dict(zip(("finished", "extra_time", "no_speed_penalty"), rare, strict=True))


async def test_a_paced_class_folded_from_rows_by_position_is_the_servers_grid_in_a_third(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    students = [f"s{i:02}" for i in range(30)]
    pick = random.Random(7)
    async with paced_room(tmp_path) as room:
        page, old = PageGrid(), PageGrid()
        async with room.connect(Role.INSTRUCTOR, accepts=BY_POSITION) as teacher, \
                room.connect(Role.INSTRUCTOR) as older, AsyncExitStack() as stack:

            async def read_both() -> None:
                while True:
                    page.read(teacher)
                    old.read(older)
                    await trio.sleep(0.05)

            async def go_through(sid: str) -> None:
                await trio.sleep(pick.uniform(0, 3))
                await room.join(sid, sid.upper())
                phone = await stack.enter_async_context(room.connect(Role.STUDENT, sid))
                for _ in range(3):
                    opened = await next_of(phone, "question_open")
                    await trio.sleep(pick.uniform(1, 12))
                    if pick.random() < 0.8:
                        await send(room, phone, type="submit",
                                   question_idx=opened["question_idx"],
                                   answer=pick.choice("AB"))
                        await trio.sleep(pick.uniform(0.3, 1.5))
                    await send(room, phone, type="next", question_idx=opened["question_idx"])

            async with trio.open_nursery() as nursery:
                nursery.start_soon(read_both)
                async with trio.open_nursery() as class_:
                    for sid in students:
                        class_.start_soon(go_through, sid)
                await trio.sleep(5)  # the last redraw
                page.read(teacher)
                old.read(older)
                nursery.cancel_scope.cancel()
            now = room.clock()
            truth = paced_views.grid_rows(room.paced.run)
            assert len(truth) == 30
            for row in truth:
                shown = page.rows[row["student_id"]]
                exact = [k for k in row if k not in ("open_since", "time_used_ms")]
                assert {k: shown[k] for k in exact} == {k: row[k] for k in exact}
                assert shown["time_used_ms"] == row["time_used_ms"] // 100 * 100  # tenths
                assert shown["running"] == 0  # everyone finished
            header = paced_views.grid_header(room.paced.run)
            assert page.counts == [[q["reached"], q["answered"], q["right"], q["share_right"]]
                                   for q in header["questions"]]
            assert page.summary == header["summary"] == {"finished": 30, "working": 0,
                                                          "not_started": 0}
            assert now > 0
            assert "paced_grid_rows" in page.types and "paced_grid_changes" not in page.types
            # The scores are in the grid's rows: no leaderboard_changes besides.
            assert "leaderboard_changes" not in page.types
            assert "paced_grid_changes" in old.types and "leaderboard_changes" in old.types
            assert page.bytes * 3 <= old.bytes, (page.bytes, old.bytes)


def test_a_change_carries_its_changed_cells_and_rare_fields_only_when_they_moved() -> None:
    header = {"questions": [{"reached": 1, "answered": 0, "right": 0, "share_right": None}],
              "summary": {"finished": 0, "working": 1, "not_started": 0}, "ends_at": None,
              "ended": False}
    row = {"student_id": "ana", "name": "Ana", "cells": ["working", "not_reached", "not_reached"],
           "reached": 1, "finished": False, "score": 0.0, "time_used_ms": 0, "open_since": 1000,
           "extra_time": 1.0, "no_speed_penalty": False}
    positions = GridRows()
    positions.whole([row], header)
    assert positions.message([], {"ana": row}, header, 2000) is None  # nothing moved
    now = row | {"cells": ["right", "working", "not_reached"], "reached": 2, "score": 0.9,
                 "time_used_ms": 4000, "open_since": 5000}
    change = {"student_id": "ana", "cells_changed": {"0": "right", "1": "working"},
              "reached": 2, "score": 0.9, "time_used_ms": 4000, "open_since": 5000}
    assert positions.message([change], {"ana": now}, header, 5250) == {
        "type": "paced_grid_rows", "rows": [[0, 0, "RO", 0.9, 42, 1]]}
    done = now | {"extra_time": 2.0}
    message = positions.message([{"student_id": "ana", "extra_time": 2.0}], {"ana": done},
                                header | {"summary": {"finished": 1, "working": 0,
                                                      "not_started": 0}}, 6000)
    assert message == {"type": "paced_grid_rows",
                       "rows": [[0, 0, "", 0.9, 50, 1, False, 2.0, False]],
                       "summary": {"finished": 1, "working": 0, "not_started": 0}}
    ben = row | {"student_id": "ben", "name": "Ben", "open_since": None}
    assert positions.message([ben], {"ana": done, "ben": ben}, header, 6000)["added"] == [
        ["ben", "Ben", "O..", 0.0, 0, 0]]  # its rare fields at their start: left out


async def test_the_whole_grid_says_how_long_each_open_question_has_run(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with paced_room(tmp_path) as room:
        await room.join("ana", "Ana")
        await trio.sleep(7)
        async with room.connect(Role.INSTRUCTOR, accepts=BY_POSITION) as teacher:
            (row,) = (await next_of(teacher, "paced_grid"))["rows"]
            assert row["open_for_ms"] == 7000
            drain(teacher)


async def test_a_removed_student_sends_the_grid_whole_to_a_dashboard_that_takes_positions(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    async with paced_room(tmp_path, PACED) as room:
        for sid in ("ana", "ben", "cem"):
            await room.join(sid, sid.title())
        async with room.connect(Role.INSTRUCTOR, accepts=BY_POSITION) as teacher:
            await trio.sleep(5)
            drain(teacher)
            assert await room.clear_student("ana")
            grid = await next_of(teacher, "paced_grid")
            assert [row["student_id"] for row in grid["rows"]] == ["ben", "cem"]


async def test_a_dashboard_that_takes_sparse_presence_gets_new_rows_without_their_zeros(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    sparse_please = frozenset({PRESENCE_SPARSE})
    async with paced_room(tmp_path) as room, \
            room.connect(Role.INSTRUCTOR, accepts=sparse_please) as page, \
            room.connect(Role.INSTRUCTOR) as older:
        await trio.sleep(5)
        drain(page)
        drain(older)
        await room.join("ana", "Ana")
        sparse = await next_of(page, "presence_changes")
        plain = await next_of(older, "presence_changes")
        (row,) = sparse["rows"]
        assert set(row) == {"student_id", "name", "joined_at"}
        assert plain["rows"][0] == row | dashboard_views.STARTING_VALUES
        async with room.connect(Role.STUDENT, "ana"):
            (change,) = (await next_of(page, "presence_changes"))["rows"]
            assert change == {"student_id": "ana", "connected": True}  # "now": no time
        left = room.clock()
        (gone,) = (await next_of(page, "presence_changes"))["rows"]
        # Back to a starting value, and said so, with the time the page shows now.
        assert gone == {"student_id": "ana", "connected": False, "last_seen_ms": left}


async def test_a_big_class_rebuilds_the_header_less_often_than_its_rows_and_shows_the_last(
        tmp_path: Path, autojump_clock: trio.testing.MockClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-question counts scan the whole class: at 1,000 students they are rebuilt
    every 5 s, the rows every second; the last change still reaches both screens."""
    assert header_interval(30) == refresh_interval(30) == 0.5
    assert (header_interval(1000), refresh_interval(1000)) == (5.0, 1.0)
    assert header_interval(3000) == 10.0
    monkeypatch.setattr(paced_screens, "header_interval", lambda students: 5.0)
    async with paced_room(tmp_path) as room:
        for sid in ("ana", "ben", "cem"):
            await room.join(sid, sid.title())
        async with room.connect(Role.INSTRUCTOR, accepts=BY_POSITION) as teacher, \
                room.connect(Role.PROJECTOR) as screen, \
                room.connect(Role.STUDENT, "ana") as ana:
            await trio.sleep(6)
            drain(teacher)
            drain(screen)
            builds: list[int] = []
            real = paced_views.question_columns
            monkeypatch.setattr(paced_views, "question_columns",
                                lambda run: builds.append(1) or real(run))
            await send(room, ana, type="submit", question_idx=0, answer="B")
            await trio.sleep(1.1)
            await send(room, ana, type="next", question_idx=0)
            await trio.sleep(12)
            grid = [m for m in drain(teacher) if m["type"] == "paced_grid_rows"]
            assert sum("rows" in m for m in grid) == 2  # the answer, then the Next
            assert len(builds) <= 3  # at most one per 5 s, not one per refresh
            assert [m["counts"] for m in grid if "counts" in m][-1][0][1] == 1  # answered
            shown = [m for m in drain(screen) if m["type"] == "projector_state"]
            assert shown[-1]["progress"]["questions"][0]["answered"] == 1
            assert (shown[-1]["progress"]["working"], shown[-1]["progress"]["not_started"]) \
                == (1, 2)

"""A data file written by the version before each asking was kept reads as it did there.

``data/before_askings_kept.sql`` is such a file, dumped: two runs of a class whose
questions were asked again, the second left open in the middle of an asking. Opened
by this version (its keys and presence gain the asking, its runs their own class
lists), every export says what that version's said, the room goes on where it
stopped, and the live room and the exports agree at every step, restarts included.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path
from typing import Any

import trio
import trio.testing

from trivia_trio.core import results
from trivia_trio.core.record import State
from trivia_trio.room.room import Role, Room
from trivia_trio.store import exports

from .test_reask import csv_rows, submit
from .test_room import room_at

DUMP = Path(__file__).parent / "data" / "before_askings_kept.sql"
# What that version's exports said (gradebook.csv; export.csv's kept rows).
GRADEBOOKS = {
    1: [["s1", "Ann", "3.00", "3", "3", "1.00", "1.00", "1.00", "Q1"],
        ["s2", "Bob", "2.00", "2", "2", "1.00", "1.00", "", ""],
        ["s3", "Cy", "0.00", "0", "1", "", "0.00", "-", ""],
        ["s4", "Dee D", "-", "-", "-", "-", "-", "-", ""]],
    2: [["s1", "Ann", "1.00", "1", "1", "1.00", "", "", ""],
        ["s2", "Bob", "1.00", "1", "1", "1.00", "", "", "Q1"],
        ["g9", "Guest", "0.00", "0", "0", "", "", "", ""],
        ["s3", "Cy C", "-", "-", "-", "", "", "", ""],
        ["s4", "Dee D", "-", "-", "-", "", "", "", ""]],
}
KEPT = {
    1: [("s1", "0", "B", "right", "2"), ("s1", "1", "A", "right", "1"),
        ("s1", "2", "B", "right", "1"), ("s2", "0", "B", "right", "1"),
        ("s2", "1", "A", "right", "1"), ("s2", "2", "", "no_answer", "1"),
        ("s3", "0", "", "no_answer", "2"), ("s3", "1", "B", "wrong", "1"),
        ("s3", "2", "", "not_present", "1")],
    2: [("s1", "0", "B", "right", "1"), ("s2", "0", "B", "right", "2")],
}


def words(grid: results.RunResults) -> dict[tuple[str, int], Any]:
    """Each student × question's word and the answer that counts (answer, asking, points)."""
    return {(student_id, idx): (grid.result(student_id, idx), None if kept is None else
                                (kept.answer, kept.asking, kept.points))
            for student_id in grid.students for idx in grid.asked
            for kept in [grid.kept.get(idx, {}).get(student_id)]}


def live_is_recorded(room: Room) -> dict[tuple[str, int], Any]:
    """The live room's words, which must be the exports' (read from the disk)."""
    live = words(room.game.run_results())
    assert live == words(exports.load_run(room.store.conn, room.run_id).results())
    return live


async def test_a_data_file_from_before_each_asking_was_kept_reads_and_goes_on_as_it_did(
        tmp_path: Path, autojump_clock: trio.testing.MockClock) -> None:
    old = sqlite3.connect(tmp_path / "room.sqlite3")
    old.executescript(DUMP.read_text(encoding="utf-8"))
    old.close()
    async with room_at(tmp_path) as room:
        conn = room.store.conn
        for run_id in (1, 2):
            gradebook = list(csv.reader(io.StringIO(exports.gradebook_csv(conn, run_id))))
            assert gradebook[1:] == GRADEBOOKS[run_id]
            kept = csv_rows(exports.results_csv(conn, run_id))
            assert [(r["student_id"], r["question_idx"], r["answer"], r["result"], r["asking"])
                    for r in kept if r["status"] != "total"] == KEPT[run_id]
            assert {r["earlier_answers"] for r in kept} == {""}  # that version kept none
        assert (room.run_id, room.game.state, room.game.current_idx) == (
            2, State.QUESTION_OPEN, 0)
        assert room.game.openings[0].asking == 2
        before = live_is_recorded(room)
        assert before[("g9", 0)] == (None, None)  # no word yet: asked again, still open

        await room.join("g8", "Late")
        async with room.connect(Role.STUDENT, "g9") as g9, \
                room.connect(Role.STUDENT, "g8") as g8:
            assert (await submit(room, g9, 0, "A"))["type"] == "submit_ack"
            await room.close_question()
            closed = live_is_recorded(room)
            assert closed[("g9", 0)][0] is results.Result.WRONG
            assert closed[("g8", 0)] == (results.Result.NO_ANSWER, (None, 2, 0))
            await room.open_question(0)  # a third asking
            assert (await submit(room, g8, 0, "B"))["type"] == "submit_ack"
            third = live_is_recorded(room)
    async with room_at(tmp_path) as room:  # a restart in the middle of the third asking
        assert live_is_recorded(room) == third
        await room.close_question()
        await room.end_session()
        ended = live_is_recorded(room)
        assert ended[("g8", 0)][0] is results.Result.RIGHT
        assert ended[("s2", 0)] == (results.Result.RIGHT, ("B", 2, 20))
    async with room_at(tmp_path) as room:
        assert live_is_recorded(room) == ended

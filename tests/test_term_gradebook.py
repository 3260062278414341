"""The gradebook across runs, over a real server: a row per student of any ticked run, a
score and % right per run from the results model, ``-`` for a run the student did not
join, the totals; the CSV and the .xlsx hold the same values."""

from __future__ import annotations

import trio

from trivia_trio.core.spreadsheet import XLSX_TYPE
from trivia_trio.web.server import ServerInfo

from .conftest import get, instructor_cookie
from .test_exports import BUDGET_S, download, play, reset
from .test_spreadsheets import assert_same_table, csv_rows, sheet_rows

# THREE_QUESTIONS' right answers are B, A, B.
TERM = [
    [("s1", "Ann", ["B", "A", "B"]), ("s2", "Bob", ["C", None, "A"])],
    [("s1", "Ann", ["B", "B", "B"])],  # Bob is away
    [("s1", "Ann", ["A", "A", "B"]), ("s2", "Bob", ["B", "A", "B"]),
     ("s3", "Cy", ["B", None, None])],
]


async def three_runs(server: ServerInfo) -> list[int]:
    run_ids = []
    for number, plan in enumerate(TERM):
        if number:
            await reset(server)
        await play(server, plan)
        run_ids.append(server.room.run_id)
    return run_ids


async def test_three_runs_make_one_gradebook_with_not_present_and_totals(
        server: ServerInfo) -> None:
    with trio.fail_after(BUDGET_S * 3):
        run_ids = await three_runs(server)
        teacher = await instructor_cookie(server)
        query = "?runs=" + ",".join(map(str, run_ids))
        table = csv_rows(await download(server, "/api/instructor/runs/gradebook.csv" + query,
                                        teacher))
        reply = await get(server, "/api/instructor/runs/gradebook.xlsx" + query, teacher)
    assert reply.status == 200 and reply.header("content-type") == XLSX_TYPE
    header, *rows = table
    assert header[:2] == ["student_id", "name"] and header[-3:] == [
        "total_score", "percent_right", "runs_joined"]
    assert [h.rpartition(": ")[2] for h in header[2:-3]] == ["score", "% right"] * 3
    assert all(h.startswith("Three questions (") for h in header[2:-3])
    # Three runs of one quiz in one minute: each column still says which run it is.
    assert len(set(header)) == len(header)
    assert header[4] == header[2].replace(")", f", run {run_ids[1]})")
    by_id = {row[0]: row[2:] for row in rows}
    assert list(by_id) == ["s1", "s2", "s3"]
    # Ann: 3 right, then 2 of 3 right, then 2 of 3 right: 7 of 9 over the term.
    ann = by_id["s1"]
    assert [ann[1], ann[3], ann[5]] == ["100.0", "66.7", "66.7"]
    assert ann[-2:] == ["77.8", "3"]
    assert float(ann[-3]) == round(sum(float(ann[i]) for i in (0, 2, 4)), 2)
    # Bob was not there for the second run: "-", as a run's gradebook says not present.
    bob = by_id["s2"]
    assert bob[2:4] == ["-", "-"] and bob[1] == "0.0" and bob[5] == "100.0"
    assert bob[-2:] == ["50.0", "2"]  # 3 right of 6 scored (his no answer counts)
    assert by_id["s3"][:4] == ["-", "-", "-", "-"] and by_id["s3"][-1] == "1"
    sheet, cells = sheet_rows(reply.body)
    assert_same_table(table, cells)
    assert sheet.freeze_panes == "A2"


async def test_a_term_gradebook_of_one_run_holds_that_runs_totals(server: ServerInfo) -> None:
    with trio.fail_after(BUDGET_S):
        await play(server, TERM[0])
        teacher = await instructor_cookie(server)
        run = server.room.run_id
        term = csv_rows(await download(server, f"/api/instructor/runs/gradebook.csv?runs={run}",
                                       teacher))
        one = csv_rows(await download(server, f"/api/instructor/gradebook.csv?run={run}",
                                      teacher))
    assert [row[2] for row in term[1:]] == [row[2] for row in one[1:]]  # total_score


async def test_runs_that_are_not_a_list_of_this_sessions_runs_are_refused(
        server: ServerInfo) -> None:
    with trio.fail_after(BUDGET_S):
        teacher = await instructor_cookie(server)
        for query, status in (("", 400), ("?runs=", 400), ("?runs=1,x", 400),
                              ("?runs=-1", 400), ("?runs=" + ",".join(["1"] * 201), 400),
                              ("?runs=999", 404)):
            for suffix in ("csv", "xlsx"):
                reply = await get(server, f"/api/instructor/runs/gradebook.{suffix}{query}",
                                  teacher)
                assert reply.status == status, (query, reply.text)
            assert (await get(server, f"/api/instructor/runs/gradebook.csv{query}")).status \
                == 403

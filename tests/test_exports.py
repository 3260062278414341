"""Results out and runs archived, over a real server and checked against the sqlite file.

Every export is opened the way a spreadsheet user's script would open it
(``csv.DictReader`` over the body decoded as ``utf-8-sig``) and compared with
the rows in the database, read here with plain sqlite3.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import sqlite3
from contextlib import AsyncExitStack
from pathlib import Path
from statistics import median
from typing import Any

import trio

from trivia_trio.config import Settings
from trivia_trio.core.formats import csv_format
from trivia_trio.core.kinds import KINDS
from trivia_trio.core.spreadsheet import XLSX_TYPE
from trivia_trio.store.quiz_files import load_quiz
from trivia_trio.tools.http_client import request
from trivia_trio.web.server import ServerInfo, serve

from .conftest import THREE_QUESTIONS, connect, get, instructor_cookie, join, make_settings

BUDGET_S = 30
EXPORTS = ("/api/instructor/export.csv", "/api/instructor/gradebook.csv",
           "/api/instructor/export.json")
INSTRUCTOR_GETS = (*EXPORTS, "/api/instructor/runs", "/api/instructor/item_analysis")
FORMULA_NAMES = ("=1+1", "+cmd", "-2", "@SUM(A1)")
QUESTION_TEXTS = [q["text"] for q in THREE_QUESTIONS["questions"]]  # type: ignore[attr-defined]


def answer_text(idx: int, letter: str | None) -> str:
    """How an export words a choice: the letter and the option's text."""
    if letter is None:
        return ""
    options = THREE_QUESTIONS["questions"][idx]["options"]  # type: ignore[index]
    return f"{letter}: {options['ABCD'.index(letter)]}"

Plan = list[tuple[str, str, list[Any]]]  # student_id, name, answer per question asked


async def play(server: ServerInfo, plan: Plan) -> None:
    """Students join and answer as planned (None lets the time pass), one question after
    another opened with ``next``; then the instructor ends the quiz."""
    teacher = await instructor_cookie(server)
    cookies = {student_id: await join(server, student_id, name) for student_id, name, _ in plan}
    async with connect(server, "/ws/instructor", teacher) as instructor, \
            AsyncExitStack() as stack:
        students = {student_id: await stack.enter_async_context(
            connect(server, "/ws/student", cookie)) for student_id, cookie in cookies.items()}
        for idx in range(len(plan[0][2])):
            if idx:
                await instructor.send({"type": "close_question"})
            await instructor.send({"type": "next"})
            for student_id, _, answers in plan:
                await students[student_id].until("question_open", question_idx=idx)
                if answers[idx] is not None:
                    await students[student_id].request(
                        {"type": "submit", "question_idx": idx, "answer": answers[idx]},
                        "submit_ack")
        await instructor.send({"type": "end_session"})
        await instructor.until("session_ended")


async def reset(server: ServerInfo) -> None:
    """A new run of the same quiz, as the dashboard's Reset button starts it."""
    async with connect(server, "/ws/instructor", await instructor_cookie(server)) as instructor:
        await instructor.send({"type": "reset"})
        await instructor.until("state", state="lobby")


def rows_of(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(codecs.BOM_UTF8) and not body[3:].startswith(codecs.BOM_UTF8)
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def neutral(text: str) -> str:
    """What a typed cell must look like in a CSV: never a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def database(settings: Settings, sql: str, *args: Any) -> list[sqlite3.Row]:
    with sqlite3.connect(settings.db_path) as db:
        db.row_factory = sqlite3.Row
        return db.execute(sql, args).fetchall()


async def download(server: ServerInfo, path: str, cookie: str) -> bytes:
    response = await get(server, path, cookie)
    assert response.status == 200, response.text
    assert (response.header("content-disposition") or "").startswith("attachment; filename=")
    return response.body


MIXED_CLASS: Plan = [("s1", "Ann", ["B", "A", "B"]), ("s2", "Bob", ["C", None, "A"]),
                     ("s3", "Cy", [None, None, None])]


async def test_the_results_csv_is_one_row_per_student_and_question_then_totals(
        server: ServerInfo, settings: Settings) -> None:
    with trio.fail_after(BUDGET_S):
        await play(server, MIXED_CLASS)
        teacher = await instructor_cookie(server)
        response = await get(server, "/api/instructor/export.csv", teacher)
        assert response.header("content-type") == "text/csv; charset=utf-8"
        rows = rows_of(response.body)
    run_id = server.room.run_id
    names = {r["student_id"]: r["name"] for r in database(
        settings, "SELECT * FROM participants WHERE run_id = ?", run_id)}
    stored = database(settings, "SELECT * FROM submissions WHERE run_id = ?", run_id)
    answers = [row for row in rows if row["question_idx"] != "total"]
    totals = [row for row in rows if row["question_idx"] == "total"]
    assert rows == answers + totals  # totals come last
    assert len(stored) == 9
    expected = [{"student_id": s["student_id"], "name": names[s["student_id"]],
                 "question_idx": str(s["question_idx"]), "answer": s["answer"] or "",
                 "answer_text": answer_text(s["question_idx"], s["answer"]),
                 "correct": str(s["correct"]),
                 "elapsed_ms": "" if s["elapsed_ms"] is None else str(s["elapsed_ms"]),
                 "score": f"{s['score']:.2f}", "status": s["status"],
                 "result": result_of(s), "question": str(s["question_idx"] + 1),
                 "question_text": QUESTION_TEXTS[s["question_idx"]],
                 "asking": str(s["asking"]), "order_position": "", "opened_at": "",
                 "earlier_answers": ""}
                for s in stored]
    key = lambda row: (row["student_id"], int(row["question_idx"]))  # noqa: E731
    assert sorted(answers, key=key) == sorted(expected, key=key)
    # v1's columns where v1 had them; every later one after them.
    assert list(rows[0]) == ["student_id", "name", "question_idx", "answer", "correct",
                             "elapsed_ms", "score", "status", "answer_text", "result",
                             "question", "question_text", "asking", "order_position",
                             "opened_at", "earlier_answers"]
    assert [row["status"] for row in answers if row["student_id"] == "s2"] == [
        "submitted", "missed", "submitted"]
    for total in totals:
        mine = [s for s in stored if s["student_id"] == total["student_id"]]
        assert total["score"] == f"{sum(s['score'] for s in mine):.2f}"
        assert int(total["correct"]) == sum(s["correct"] for s in mine)
    assert [row["student_id"] for row in totals] == ["s1", "s2", "s3"]


def result_of(stored: sqlite3.Row) -> str:
    """The word for a stored row of a class whose phones stayed connected throughout."""
    if stored["status"] == "missed":
        return "no_answer"
    return "right" if stored["correct"] else "wrong"


async def test_the_gradebook_is_one_row_per_student_and_its_totals_add_up(
        server: ServerInfo, settings: Settings) -> None:
    with trio.fail_after(BUDGET_S):
        await play(server, MIXED_CLASS)
        body = await download(server, "/api/instructor/gradebook.csv",
                              await instructor_cookie(server))
    rows = rows_of(body)
    header = next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    questions = ["Q1: 2 + 2?", "Q2: The sky is blue.", "Q3: Largest planet?"]
    assert header == ["student_id", "name", "total_score", "correct", "answered", *questions,
                      "kept_from_asked_again"]
    stored = database(settings, "SELECT * FROM submissions WHERE run_id = ?",
                      server.room.run_id)
    assert [row["student_id"] for row in rows] == ["s1", "s2", "s3"]
    for row in rows:
        mine = {s["question_idx"]: s for s in stored if s["student_id"] == row["student_id"]}
        # A wrong answer scores 0.00; a question left unanswered is an empty cell.
        assert [row[q] for q in questions] == [
            f"{mine[i]['score']:.2f}" if mine[i]["status"] == "submitted" else ""
            for i in range(3)]
        assert row["total_score"] == f"{sum(float(row[q] or 0) for q in questions):.2f}"
        assert int(row["correct"]) == sum(s["correct"] for s in mine.values())
        assert int(row["answered"]) == sum(s["status"] == "submitted" for s in mine.values())
    assert (rows[0]["correct"], rows[1]["answered"], rows[2]["total_score"]) == ("3", "2", "0.00")


async def test_a_question_not_asked_is_blank_in_the_gradebook(server: ServerInfo) -> None:
    with trio.fail_after(BUDGET_S):
        await play(server, [("s1", "Ann", ["B"])])
        rows = rows_of(await download(server, "/api/instructor/gradebook.csv",
                                      await instructor_cookie(server)))
    assert rows[0]["Q1: 2 + 2?"] != "" and rows[0]["Q2: The sky is blue."] == ""
    assert rows[0]["Q3: Largest planet?"] == ""


async def test_the_json_export_holds_the_whole_run(
        server: ServerInfo, settings: Settings) -> None:
    with trio.fail_after(BUDGET_S):
        await play(server, MIXED_CLASS)
        response = await get(server, "/api/instructor/export.json",
                             await instructor_cookie(server))
    assert response.status == 200
    assert response.header("content-type") == "application/json; charset=utf-8"
    assert not response.body.startswith(codecs.BOM_UTF8)
    document = response.json()
    run_id = server.room.run_id
    (run,) = database(settings, "SELECT * FROM runs WHERE run_id = ?", run_id)
    assert document["run"] == {"run_id": run_id, "session_id": run["sid"],
                               "started_at": run["started_at"],
                               "finished_at": run["finished_at"], "pace": "live"}
    assert run["finished_at"] >= run["started_at"]
    assert document["quiz"] == json.loads(run["quiz_json"])
    assert document["quiz"]["questions"][0]["text"] == QUESTION_TEXTS[0]
    assert document["openings"] == [dict(r) for r in database(
        settings, "SELECT question_idx, opened_at, time_limit, closed_at, asking "
        "FROM question_events "
        "WHERE run_id = ? ORDER BY question_idx", run_id)]
    people = database(settings, "SELECT student_id, name, joined_at FROM participants "
                      "WHERE run_id = ?", run_id)
    assert [{k: p[k] for k in ("student_id", "name", "joined_at")}
            for p in document["participants"]] == [dict(p) for p in people]
    assert [p["total_score"] for p in document["participants"]][2] == 0
    stored = database(settings, "SELECT student_id, question_idx, answer, submitted_at, "
                      "elapsed_ms, score, correct, status, asking FROM submissions "
                      "WHERE run_id = ?",
                      run_id)
    key = lambda row: (row["student_id"], row["question_idx"])  # noqa: E731
    assert sorted(document["submissions"], key=key) == sorted(
        ({**dict(s), "answer_text": answer_text(s["question_idx"], s["answer"]),
          "correct": bool(s["correct"]), "result": result_of(s)} for s in stored), key=key)
    assert "cookie_id" not in response.text


async def test_a_reset_keeps_the_old_run_and_its_exports_do_not_change(
        server: ServerInfo, settings: Settings) -> None:
    with trio.fail_after(BUDGET_S):
        teacher = await instructor_cookie(server)
        await play(server, MIXED_CLASS[:2])
        old = server.room.run_id
        before = {path: await download(server, f"{path}?run={old}", teacher) for path in EXPORTS}
        for path in EXPORTS:  # the current run is the default
            assert await download(server, path, teacher) == before[path]
        await reset(server)
        assert server.room.run_id != old
        await play(server, [("s1", "Ann again", ["A"])])
        after = {path: await download(server, f"{path}?run={old}", teacher) for path in EXPORTS}
        current = rows_of(await download(server, "/api/instructor/gradebook.csv", teacher))
    assert after == before
    assert len(database(settings, "SELECT * FROM submissions WHERE run_id = ?", old)) == 6
    assert [(row["name"], row["answered"]) for row in current] == [("Ann again", "1")]
    assert [row["student_id"] for row in rows_of(before[EXPORTS[1]])] == ["s1", "s2"]


async def test_an_unknown_run_is_404(server: ServerInfo) -> None:
    with trio.fail_after(BUDGET_S):
        teacher = await instructor_cookie(server)
        for path in EXPORTS:
            for run in ("999", "abc", "-1", "1.0", "%C2%B2", "9" * 40):
                response = await get(server, f"{path}?run={run}", teacher)
                assert response.status == 404, (path, run)
                assert response.json()["code"] == "unknown_run"


async def test_formula_looking_names_are_neutralised_in_both_csvs(server: ServerInfo) -> None:
    plan: Plan = [(f"id{i}", name, ["B"]) for i, name in enumerate(FORMULA_NAMES)]
    plan.append(("=HYPERLINK(1)", "Plain", ["A"]))
    with trio.fail_after(BUDGET_S):
        await play(server, plan)
        teacher = await instructor_cookie(server)
        results = rows_of(await download(server, "/api/instructor/export.csv", teacher))
        gradebook = rows_of(await download(server, "/api/instructor/gradebook.csv", teacher))
        archive = (await get(server, "/api/instructor/export.json", teacher)).json()
    typed = [(student_id, name) for student_id, name, _ in plan]
    expected = [(neutral(student_id), neutral(name)) for student_id, name in typed]
    assert expected[-1] == ("'=HYPERLINK(1)", "Plain")
    for rows in (gradebook, [r for r in results if r["question_idx"] == "total"],
                 [r for r in results if r["question_idx"] == "0"]):
        assert [(row["student_id"], row["name"]) for row in rows] == expected
        assert all(value[:1] not in "=+-@\t\r" for row in rows for value in row.values()
                   if value and not value[:1].isdigit())
    assert [(p["student_id"], p["name"]) for p in archive["participants"]] == typed


async def test_the_runs_list_and_item_analysis_compare_two_classes(
        server: ServerInfo, settings: Settings) -> None:
    first_class: Plan = [("s1", "Ann", ["B", "A"]), ("s2", "Bob", ["C", "A"]),
                         ("s3", "Cy", [None, "B"])]
    second_class: Plan = [("s4", "Dee", ["B", "B"]), ("s5", "Eve", ["B", None])]
    with trio.fail_after(BUDGET_S):
        teacher = await instructor_cookie(server)
        first = server.room.run_id
        await play(server, first_class)
        await reset(server)
        second = server.room.run_id
        await play(server, second_class)
        listed = (await get(server, "/api/instructor/runs", teacher)).json()["runs"]
        analysis = (await get(server, "/api/instructor/item_analysis", teacher)).json()

    stored = {run["run_id"]: run for run in database(settings, "SELECT * FROM runs")}
    assert [run["run_id"] for run in listed] == [first, second]
    assert [run["current"] for run in listed] == [False, True]
    for run in listed:
        row = stored[run["run_id"]]
        assert (run["started_at"], run["finished_at"]) == (row["started_at"], row["finished_at"])
        assert run["title"] == "Three questions"
        assert (run["questions"], run["questions_asked"]) == (3, 2)
        totals = [t for (t,) in database(
            settings, "SELECT COALESCE(SUM(s.score), 0) FROM participants p LEFT JOIN "
            "submissions s USING (run_id, student_id) WHERE p.run_id = ? GROUP BY p.student_id",
            run["run_id"])]
        assert run["students"] == len(totals)
        assert run["average_score"] == round(sum(totals) / len(totals), 2)
    assert [run["students"] for run in listed] == [3, 2]

    assert [run["run_id"] for run in analysis["runs"]] == [first, second]
    texts = [q["text"] for q in analysis["questions"]]
    assert texts == ["The sky is blue.", "2 + 2?"]  # 2 of 5 right, then 3 of 5; Q3 never asked
    for question in analysis["questions"]:
        idx = QUESTION_TEXTS.index(question["text"])
        for run, cell in zip(analysis["runs"], question["runs"], strict=True):
            rows = database(settings, "SELECT * FROM submissions WHERE run_id = ? "
                            "AND question_idx = ?", run["run_id"], idx)
            answered = [r["elapsed_ms"] for r in rows if r["status"] == "submitted"]
            assert cell.pop("results")["answered"] == len(answered)
            assert cell == {"run_id": run["run_id"], "responses": len(rows),
                            "correct": sum(r["correct"] for r in rows),
                            "share_correct": round(sum(r["correct"] for r in rows) / len(rows), 4),
                            "median_ms": round(median(answered))}
    assert [[cell["share_correct"] for cell in q["runs"]] for q in analysis["questions"]] == [
        [round(2 / 3, 4), 0.0], [round(1 / 3, 4), 1.0]]
    assert [q["share_correct"] for q in analysis["questions"]] == [0.4, 0.6]


async def test_the_item_analysis_compares_runs_of_one_version_never_an_edited_one(
        server: ServerInfo) -> None:
    """An edited quiz keeps its title, yet its runs are a table of their own, named by
    version: the item analysis groups runs by what was asked, not by what it is called."""
    edited = json.loads(json.dumps(THREE_QUESTIONS))
    edited["questions"][0]["text"] = "Two plus two?"
    library = "/api/instructor/library"
    with trio.fail_after(BUDGET_S):
        teacher = await instructor_cookie(server)
        [entry] = (await get(server, library, teacher)).json()["quizzes"]
        first = server.room.run_id
        await play(server, [("s1", "Ann", ["B"]), ("s2", "Bob", ["C"])])
        saved = await request("PUT", f"{server.url}{library}/{entry['quiz_id']}",
                              json={"quiz": edited}, headers={"Cookie": teacher})
        assert saved.status == 200, saved.text
        ran = await request("POST", f"{server.url}{library}/{entry['quiz_id']}/run",
                            headers={"Cookie": teacher})
        assert ran.status == 200, ran.text
        second = server.room.run_id
        await play(server, [("s3", "Cy", ["B"])])
        await reset(server)
        third = server.room.run_id
        await play(server, [("s4", "Dee", ["A"])])
        analysis = (await get(server, "/api/instructor/item_analysis", teacher)).json()

    assert len({first, second, third}) == 3
    tables = [(g["title"], g["library_quiz_id"], g["version"], [r["run_id"] for r in g["runs"]],
               [q["text"] for q in g["questions"]]) for g in analysis["quizzes"]]
    assert tables == [
        ("Three questions", entry["quiz_id"], 2, [second, third], ["Two plus two?"]),
        ("Three questions", entry["quiz_id"], 1, [first], ["2 + 2?"]),
    ]
    assert [[c["share_correct"] for c in q["runs"]] for q in analysis["questions"]] == [
        [1.0, 0.0]]


async def test_the_csv_template_downloads_and_loads_as_a_quiz(server: ServerInfo) -> None:
    with trio.fail_after(BUDGET_S):
        response = await get(server, "/quiz-template.csv")
    assert response.status == 200
    assert response.header("content-type") == "text/csv; charset=utf-8"
    assert response.header("content-disposition") == 'attachment; filename="quiz-template.csv"'
    # The byte-order mark is what tells Excel the file is UTF-8.
    assert response.body == codecs.BOM_UTF8 + csv_format.template().encode()
    quiz = load_quiz(response.body, filename="template.csv")
    assert [q.kind.name for q in quiz.questions] == list(KINDS)
    assert rows_of(response.body)[0]["question"] == quiz.questions[0].text


async def test_every_instructor_route_needs_the_instructor_cookie(server: ServerInfo) -> None:
    with trio.fail_after(BUDGET_S):
        student = await join(server, "s1", "Ann")
        for path in INSTRUCTOR_GETS:
            for cookie in (None, student, "tt_instructor=forged"):
                response = await get(server, path, cookie)
                assert response.status == 403, (path, cookie)
                assert "Ann" not in response.text
            assert (await get(server, path + "?run=1", None)).status == 403


async def test_a_negative_number_answer_is_a_number_in_the_csv_and_typed_text_stays_guarded(
        nursery: trio.Nursery, tmp_path: Path) -> None:
    """The formula guard is for text people typed: a number the server validated is
    written as that number, so a spreadsheet can add it up."""
    path = tmp_path / "numbers.json"
    path.write_text(json.dumps({"title": "Numbers", "questions": [
        {"kind": "number", "text": "Coldest?", "correct": -5},
        {"kind": "text", "text": "Sum?", "accept": ["1"]}]}))
    server = await nursery.start(lambda task_status: serve(
        make_settings(tmp_path / "data", path), task_status=task_status))
    plan: Plan = [("s1", "Ann", [-5, "-2+3"]), ("s2", "Bob", [-2.5, "=1+1"]),
                  ("s3", "Cy", [7, "1"])]
    with trio.fail_after(BUDGET_S):
        await play(server, plan)
        teacher = await instructor_cookie(server)
        rows = rows_of(await download(server, "/api/instructor/export.csv", teacher))
    cells = {(row["student_id"], row["question_idx"]): (row["answer"], row["answer_text"])
             for row in rows if row["question_idx"] != "total"}
    assert cells == {("s1", "0"): ("-5", "-5"), ("s2", "0"): ("-2.5", "-2.5"),
                     ("s3", "0"): ("7", "7"), ("s1", "1"): ("'-2+3", "'-2+3"),
                     ("s2", "1"): ("'=1+1", "'=1+1"), ("s3", "1"): ("1", "1")}


# Every download route of the exports: its file name after "<session>-" and its type.
EXPORT_ROUTES = {
    "/api/instructor/export.csv": ("run{run}-results.csv", "text/csv; charset=utf-8"),
    "/api/instructor/gradebook.csv": ("run{run}-gradebook.csv", "text/csv; charset=utf-8"),
    "/api/instructor/export.xlsx": ("run{run}-results.xlsx", XLSX_TYPE),
    "/api/instructor/gradebook.xlsx": ("run{run}-gradebook.xlsx", XLSX_TYPE),
    "/api/instructor/export.json": ("run{run}-run.json", "application/json; charset=utf-8"),
    "/api/instructor/runs/gradebook.csv": ("gradebook-1-runs.csv", "text/csv; charset=utf-8"),
    "/api/instructor/runs/gradebook.xlsx": ("gradebook-1-runs.xlsx", XLSX_TYPE),
}


async def test_every_export_route_answers_as_it_always_has(server: ServerInfo) -> None:
    """The seven download routes: the teacher's file, its name and type; nobody else's;
    a run of another session is unknown, and a bad list of runs is refused."""
    teacher = await instructor_cookie(server)
    await play(server, [("s1", "Ann", ["B", "A", "B"])])
    room = server.room
    for path, (name, content_type) in EXPORT_ROUTES.items():
        query = f"?runs={room.run_id}" if "/runs/" in path else f"?run={room.run_id}"
        response = await get(server, path + query, teacher)
        assert (response.status, response.header("content-type")) == (200, content_type), path
        assert response.header("content-disposition") == (
            f'attachment; filename="{room.session_id}-{name.format(run=room.run_id)}"')
        assert (await get(server, path + query)).status == 403, path  # no instructor cookie
        missing = "?runs=999" if "/runs/" in path else "?run=999"
        refused = await get(server, path + missing, teacher)
        assert (refused.status, refused.json()["code"]) == (404, "unknown_run"), path
    for path in [p for p in EXPORT_ROUTES if "/runs/" in p]:
        refused = await get(server, path + "?runs=1,x", teacher)
        assert (refused.status, refused.json()["code"]) == (400, "bad_runs"), path
    for path in [p for p in EXPORT_ROUTES if "/runs/" not in p]:  # no ?run: the current one
        response = await get(server, path, teacher)
        assert response.status == 200 and f"-run{room.run_id}-" in response.header(
            "content-disposition"), path

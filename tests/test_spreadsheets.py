"""Spreadsheets in and out (.xlsx): every export read back with openpyxl holds the CSV's
values as real cells; quizzes come in from our columns in a sheet and from Kahoot's
template; a spreadsheet that unpacks beyond its bounds is refused; and openpyxl is
imported only when a spreadsheet is read or written, never when the server starts."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import trio

from trivia_trio.core.formats import csv_format, xlsx_format
from trivia_trio.core.quiz import QuizError
from trivia_trio.core.spreadsheet import XLSX_TYPE, workbook
from trivia_trio.store.quiz_files import demo_quiz, load_quiz
from trivia_trio.web.server import ServerInfo

from .conftest import ServerProcess, get, instructor_cookie
from .test_exports import BUDGET_S, MIXED_CLASS, download, play

XLSX_EXPORTS = (("/api/instructor/export.csv", "/api/instructor/export.xlsx"),
                ("/api/instructor/gradebook.csv", "/api/instructor/gradebook.xlsx"))


def sheet_rows(body: bytes) -> tuple[Any, list[list[Any]]]:
    sheet = openpyxl.load_workbook(io.BytesIO(body)).worksheets[0]
    return sheet, [list(row) for row in sheet.iter_rows(values_only=True)]


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def same_value(text: str, cell: Any) -> bool:
    """A spreadsheet cell holds what the CSV field says: a number as that number, text
    as that text, an empty field as an empty cell."""
    if cell is None:
        return text == ""
    if isinstance(cell, bool) or not isinstance(cell, int | float):
        return str(cell) == text
    return float(text) == cell


def assert_same_table(csv_table: list[list[str]], cells: list[list[Any]]) -> None:
    assert len(csv_table) == len(cells)
    for fields, row in zip(csv_table, cells, strict=True):
        row = row + [None] * (len(fields) - len(row))
        assert len(row) == len(fields), (fields, row)
        for text, cell in zip(fields, row, strict=True):
            assert same_value(text, cell), (text, cell, fields)


# ---- exports ------------------------------------------------------------------------------
async def test_every_run_export_as_xlsx_holds_the_csvs_values_as_real_cells(
        server: ServerInfo) -> None:
    plan = [*MIXED_CLASS, ("=1+1", "@Eve", ["A", "B", None])]
    with trio.fail_after(BUDGET_S):
        await play(server, plan)
        teacher = await instructor_cookie(server)
        for csv_path, xlsx_path in XLSX_EXPORTS:
            response = await get(server, xlsx_path, teacher)
            assert response.status == 200, response.text
            assert response.header("content-type") == XLSX_TYPE
            assert response.header("content-disposition").endswith('.xlsx"')
            sheet, cells = sheet_rows(response.body)
            assert_same_table(csv_rows(await download(server, csv_path, teacher)), cells)
            assert sheet.freeze_panes == "A2"
            assert sheet.column_dimensions["B"].width >= 6
            # Scores are numbers a spreadsheet adds up, not text.
            score = cells[0].index("total_score" if "gradebook" in xlsx_path else "score")
            assert all(isinstance(row[score], float | int) for row in cells[1:])
            # A name that looks like a formula stays text, guarded as in the CSV.
            assert "'=1+1" in [row[0] for row in cells]
            assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


async def test_an_xlsx_of_another_run_is_404_like_the_csv(server: ServerInfo) -> None:
    with trio.fail_after(BUDGET_S):
        teacher = await instructor_cookie(server)
        for path in ("/api/instructor/export.xlsx", "/api/instructor/gradebook.xlsx"):
            assert (await get(server, path + "?run=999", teacher)).status == 404
            assert (await get(server, path, None)).status == 403


def test_the_quiz_as_xlsx_holds_the_csv_columns_and_reads_back_to_the_same_quiz() -> None:
    quiz = demo_quiz()
    raw = xlsx_format.dump(quiz)
    _, cells = sheet_rows(raw)
    assert_same_table(csv_rows(csv_format.dump(quiz).encode()), cells)
    again = load_quiz(raw, filename="Demo.xlsx")
    assert [q.to_dict() for q in again.questions] == [q.to_dict() for q in quiz.questions]
    assert again.title == "Demo"


def test_dates_are_dates_and_typed_text_is_never_a_formula() -> None:
    when = datetime(2026, 12, 7, 9, 30)
    sheet, cells = sheet_rows(workbook([("Runs", [["run", "started", "note"],
                                                  [1, when, "=SUM(A1:A9)"]])]))
    assert cells[1] == [1, when, "=SUM(A1:A9)"]
    assert sheet["B2"].is_date and sheet["C2"].data_type == "s"


# ---- quizzes in -----------------------------------------------------------------------------
def xlsx_of(rows: list[list[Any]], *, title_rows: int = 0) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_our_csv_columns_in_a_sheet_make_a_quiz_numbers_and_all() -> None:
    raw = xlsx_of([["question", "kind", "A", "B", "C", "correct", "tolerance", "time_limit"],
                   ["2 + 2?", "", "3", "4", "5", "B", None, 20],
                   ["Pi to two places?", "number", None, None, None, 3.14, 0.01, None],
                   [],
                   ["Is water wet?", "truefalse", None, None, None, True, None, 15]])
    quiz = load_quiz(raw, filename="Sums.xlsx")
    assert quiz.title == "Sums"
    assert [q.to_dict() for q in quiz.questions] == [
        {"text": "2 + 2?", "options": ["3", "4", "5"], "correct": "B",
         "time_limit": 20},
        {"text": "Pi to two places?", "kind": "number", "correct": 3.14, "tolerance": 0.01},
        {"text": "Is water wet?", "kind": "truefalse", "correct": True, "time_limit": 15}]


def test_a_sheet_with_a_bad_row_names_it_by_its_row() -> None:
    raw = xlsx_of([["question", "A", "B", "correct"], ["Fine?", "yes", "no", "A"],
                   ["Broken?", "yes", "no", "Z"]])
    with pytest.raises(QuizError, match=r"question 2 \(row 3\)"):
        load_quiz(raw, filename="broken.xlsx")


KAHOOT_HEADER = ["Question - max 120 characters", "Answer 1 - max 75 characters",
                 "Answer 2 - max 75 characters", "Answer 3 - max 75 characters",
                 "Answer 4 - max 75 characters",
                 "Time limit (sec) – 5, 10, 20, 30, 60, 90, 120, or 240 secs",
                 "Correct answer(s) - choose at least one"]


def kahoot_template(questions: list[list[Any]]) -> bytes:
    """A sheet laid out as Kahoot's quiz spreadsheet template: a title and instructions
    above, the header in row 8 from column B, each question numbered in column A."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet["B2"] = "Quiz template"
    sheet["B3"] = ("Add questions, at least two answer alternatives, time limit and"
                   " choose correct answers (at least one). Have fun creating your"
                   " awesome quiz!")
    sheet["B4"] = "Remember: questions can have a maximum of 120 characters and answers"
    sheet["B5"] = "can have 75 characters max. Text will turn red in Excel or Google Docs"
    sheet["B6"] = "if you exceed this limit. If several answers are correct, separate them"
    sheet["B7"] = "with a comma."
    for column, text in enumerate(KAHOOT_HEADER, 2):
        sheet.cell(row=8, column=column, value=text)
    for number, row in enumerate(questions, 1):
        sheet.cell(row=8 + number, column=1, value=number)
        for column, value in enumerate(row, 2):
            sheet.cell(row=8 + number, column=column, value=value)
    for number in range(len(questions) + 1, len(questions) + 20):  # the template's numbering
        sheet.cell(row=8 + number, column=1, value=number)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_kahoot_template_imports_as_it_is_and_says_which_rows_it_skipped() -> None:
    raw = kahoot_template([
        ["Capital of France?", "Lyon", "Paris", "Nice", "Lille", 20, 2],
        ["Prime numbers?", "2", "4", "7", "9", 30, "1,3"],
        ["Sun is a star?", True, False, None, None, 10, "1"],  # as Excel keeps them
        [None, "orphan answer", "another", None, None, 20, 1],
        ["Nobody said which is right", "a", "b", None, None, 20, None],
        ["Correct answer is empty", "a", "b", None, None, 20, "4"],
        ["Gap between answers", "a", None, "c", None, 60, "3"],
    ])
    quiz = load_quiz(raw, filename="My kahoot.xlsx")
    assert quiz.title == "My kahoot"
    assert [q.to_dict() for q in quiz.questions] == [
        {"text": "Capital of France?",
         "options": ["Lyon", "Paris", "Nice", "Lille"], "correct": "B", "time_limit": 20},
        # Several right answers: any one of them is right, as Kahoot scores it.
        {"text": "Prime numbers?", "options": ["2", "4", "7", "9"], "correct": "AC",
         "time_limit": 30},
        {"text": "Sun is a star?", "options": ["True", "False"],
         "correct": "A", "time_limit": 10},
        {"text": "Gap between answers", "options": ["a", "c"],
         "correct": "B", "time_limit": 60}]
    assert list(quiz.skipped) == [
        "row 12: no question text",
        "row 13: no correct answer (write its number, such as 2 or 1,3)",
        "row 14: correct answer 4 is empty or not one of answers 1 to 4"]


def test_a_kahoot_time_limit_we_cannot_use_is_named_by_its_row() -> None:
    raw = kahoot_template([["Too slow?", "a", "b", None, None, 100000, 1]])
    with pytest.raises(QuizError, match=r"question 1 \(row 9\)"):
        load_quiz(raw, filename="slow.xlsx")


# ---- bounds ---------------------------------------------------------------------------------
def zip_of(entries: Iterator[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(("raw", "words"), [
    (zip_of(iter([("xl/worksheets/sheet1.xml", b"\0" * (200 * 2**20))])), "unpacks to 200 MB"),
    (zip_of((f"xl/{n}.xml", b"") for n in range(500)), "holds 500 files"),
    (b"PK\x03\x04 not really a zip", "not a readable"),
    (b"question,correct\nA?,A\n", "not an .xlsx"),
])
def test_a_spreadsheet_beyond_its_bounds_is_refused_before_it_is_read(
        raw: bytes, words: str) -> None:
    assert len(raw) < 2**20
    with pytest.raises(QuizError, match=words):
        load_quiz(raw, filename="bomb.xlsx")


# ---- start-up -------------------------------------------------------------------------------
async def test_starting_the_server_does_not_import_openpyxl_and_a_download_does(
        tmp_path: Path, quiz_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPROFILEIMPORTTIME", "1")  # each import, as the server makes it
    process = ServerProcess(tmp_path / "data", quiz_path)
    await trio.to_thread.run_sync(process.start)
    try:
        with trio.fail_after(BUDGET_S):
            teacher = await instructor_cookie(process)  # type: ignore[arg-type]
            assert (await get(process, "/instructor", teacher)).status == 200  # type: ignore[arg-type]
            assert any("trivia_trio.web.app" in line for line in process.output)
            assert not [line for line in process.output if "openpyxl" in line]
            reply = await get(process, "/api/instructor/gradebook.xlsx", teacher)  # type: ignore[arg-type]
            assert reply.status == 200
            assert [line for line in process.output if "| openpyxl" in line]
    finally:
        await trio.to_thread.run_sync(process.stop)

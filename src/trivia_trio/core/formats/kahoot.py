"""Kahoot's quiz spreadsheet template: a few rows of title and instructions, then a header
row (``Question - max 120 characters``, ``Answer 1 - max 75 characters`` … ``Answer 4``,
``Time limit (sec) – 5, 10, …``, ``Correct answer(s) - choose at least one``), then one
question per row.

Columns are found by how their header starts, wherever the header row is. Each
row is a choice question; several right answers (``1,3``) make a choice with
several right letters, any one of them right, as Kahoot scores it. A row that
cannot be a question is skipped, and the import says which and why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..kinds import LETTERS
from ..spreadsheet import Cell, text
from .parsed import Parsed

ANSWERS = 4
# How each header cell starts, lower-cased: the column's name here.
HEADER_STARTS = (("question", "question"), ("answer 1", "1"), ("answer 2", "2"),
                 ("answer 3", "3"), ("answer 4", "4"), ("time limit", "time_limit"),
                 ("correct answer", "correct"))
NUMBER = re.compile(r"\d+")


def header_row(rows: Sequence[Sequence[Cell]]) -> tuple[int, dict[str, int]] | None:
    """(index of the header row, column name -> position), if the sheet is Kahoot's."""
    for index, row in enumerate(rows):
        columns: dict[str, int] = {}
        for position, cell in enumerate(row):
            words = " ".join(text(cell).lower().split())
            for start, name in HEADER_STARTS:
                if words.startswith(start) and name not in columns:
                    columns[name] = position
                    break
        if {"question", "1", "2", "correct"} <= columns.keys():
            return index, columns
    return None


def parse_rows(rows: Sequence[Sequence[Cell]], *, title: str) -> Parsed | None:
    """The quiz in a sheet laid out as Kahoot's template; None if it is not."""
    found = header_row(rows)
    if found is None:
        return None
    start, columns = found
    questions, labels, skipped = [], [], []
    for index in range(start + 1, len(rows)):
        row = rows[index]

        def cell(name: str, row: Sequence[Cell] = row) -> str:
            position = columns.get(name)
            return text(row[position]) if position is not None and position < len(row) else ""

        where = f"row {index + 1}"
        answers = [cell(str(n)) for n in range(1, ANSWERS + 1)]
        question_text, correct_cell = cell("question"), cell("correct")
        if not question_text and not any(answers):
            continue  # a blank or numbered-only row, as the template has below its questions
        numbers = sorted({int(n) for n in NUMBER.findall(correct_cell)})
        filled = [n for n in range(1, ANSWERS + 1) if answers[n - 1]]
        if not question_text:
            skipped.append(f"{where}: no question text")
            continue
        if not numbers:
            skipped.append(f"{where}: no correct answer (write its number, such as 2 or 1,3)")
            continue
        wrong = [n for n in numbers if n not in filled]
        if wrong:
            skipped.append(f"{where}: correct answer {', '.join(map(str, wrong))} is empty or"
                           f" not one of answers 1 to {ANSWERS}")
            continue
        # Empty answers between filled ones close up; the right ones follow their text.
        letters = "".join(LETTERS[filled.index(n)] for n in numbers)
        question: dict[str, object] = {"text": question_text, "kind": "choice",
                                       "options": [answers[n - 1] for n in filled],
                                       "correct": letters}
        limit = cell("time_limit")
        if limit:
            question["time_limit"] = int(limit) if limit.isdigit() else limit
        questions.append(question)
        labels.append(f"question {len(questions)} ({where})")
    return Parsed({"title": title, "questions": questions}, tuple(skipped), labels=labels)

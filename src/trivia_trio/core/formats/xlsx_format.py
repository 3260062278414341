"""Quizzes in a spreadsheet (.xlsx): our CSV columns in the first sheet (the CSV format's
own reading, row by row), or Kahoot's quiz template (``kahoot``).

Unlike the text formats it reads bytes: ``parse(raw, title=...)``. Reading is
bounded before the workbook is opened (``spreadsheet.check``).
"""

from __future__ import annotations

from ..quiz import Quiz, QuizError
from ..spreadsheet import SheetError, first_sheet, text, workbook
from . import csv_format, kahoot
from .parsed import Parsed

SUFFIX = ".xlsx"


def parse(raw: bytes, *, title: str = "Untitled quiz") -> Parsed:
    try:
        rows = first_sheet(raw)
    except SheetError as exc:
        raise QuizError([str(exc)]) from None
    from_kahoot = kahoot.parse_rows(rows, title=title)
    if from_kahoot is not None:
        return from_kahoot
    return csv_format.parse_rows(
        ((number, [text(cell) for cell in row]) for number, row in enumerate(rows, 1)),
        title=title, where="row")


def dump(quiz: Quiz) -> bytes:
    """The quiz as the CSV's columns in one sheet named by its title; numbers are numbers."""
    return workbook([(quiz.title, csv_format.table(quiz))])

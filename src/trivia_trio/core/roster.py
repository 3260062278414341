"""A class list (roster): who may join a run, by student id, with the name they confirm
and what the teacher grants them.

Read from a CSV file or the first sheet of an .xlsx, under a header naming
``student_id`` and ``name`` (optional ``extra_time``: 1, 1.5 or 2, and
``no_speed_penalty``: yes/true/1). The CSV is read as a quiz CSV is (its
delimiter, quoting and byte-order mark: ``csv_format``). A row that cannot be
used is skipped and said why, as the quiz importers do.

Each student's accommodation is the student-paced run's own ``Accommodation``:
plain data a paced run reads as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from .formats import csv_format
from .paced import EXTRA_TIME, Accommodation
from .plain_text import clean_label
from .quiz import QuizError
from .spreadsheet import SheetError, first_sheet, text

NAME_MAX_CHARS = 64
MAX_STUDENTS = 2000
REQUIRED = ("student_id", "name")
TRUE = {"yes", "true", "1", "x", "y"}
FALSE = {"", "no", "false", "0", "n"}


class RosterError(ValueError):
    """A class list that cannot be read at all; the message says why."""


@dataclass(frozen=True)
class Student:
    student_id: str
    name: str
    accommodation: Accommodation = Accommodation()

    def to_dict(self) -> dict[str, Any]:
        return {"student_id": self.student_id, "name": self.name,
                **self.accommodation.to_dict()}


def student_from(raw: dict[str, Any]) -> Student:
    """A student from the dashboard's JSON or a row's cells; ValueError says what is wrong."""
    student_id = clean_label(raw.get("student_id"), "student id", NAME_MAX_CHARS)
    name = clean_label(raw.get("name"), "name", NAME_MAX_CHARS)
    extra = raw.get("extra_time", 1.0)
    if isinstance(extra, str):
        extra = extra.strip().lstrip("x×").replace(",", ".") or "1"
        try:
            extra = float(extra)
        except ValueError:
            raise ValueError(f"extra_time {raw['extra_time']!r} is not a number") from None
    if isinstance(extra, bool) or extra not in EXTRA_TIME:
        raise ValueError(f"extra_time must be one of {', '.join(f'{e:g}' for e in EXTRA_TIME)}")
    penalty = raw.get("no_speed_penalty", False)
    if isinstance(penalty, str):
        word = penalty.strip().lower()
        if word not in TRUE | FALSE:
            raise ValueError(f"no_speed_penalty {penalty!r} is not yes or no")
        penalty = word in TRUE
    if not isinstance(penalty, bool):
        raise ValueError("no_speed_penalty must be true or false")
    return Student(student_id, name, Accommodation(float(extra), penalty))


def parse(raw: bytes, filename: str) -> tuple[list[Student], list[str]]:
    """(the students, the rows skipped and why) of a class list file."""
    if PurePath(filename).suffix.lower() == ".xlsx":
        try:
            sheet = first_sheet(raw)
        except SheetError as exc:
            raise RosterError(str(exc)) from None
        rows: Iterable[tuple[int, list[str]]] = (
            (number, [text(cell) for cell in row]) for number, row in enumerate(sheet, 1))
        where = "row"
    else:
        try:
            rows = list(csv_format.table_rows(raw.decode("utf-8-sig")))
        except UnicodeDecodeError as exc:
            raise RosterError(f"not UTF-8 text (byte {exc.start})") from None
        except QuizError as exc:
            raise RosterError("; ".join(exc.problems)) from None
        where = "line"
    return read_rows(rows, where)


def read_rows(rows: Iterable[tuple[int, list[str]]], where: str
              ) -> tuple[list[Student], list[str]]:
    rows = ((line, cells) for line, cells in rows if any(cells))
    header_line, header = next(rows, (1, []))
    columns = ["_".join(cell.lower().split()) for cell in header]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise RosterError(f"{where} {header_line}: the header lacks {', '.join(missing)}"
                          " (expected student_id, name, and optionally extra_time,"
                          " no_speed_penalty)")
    students: dict[str, Student] = {}
    skipped: list[str] = []
    for line, cells in rows:
        if len(students) == MAX_STUDENTS:
            raise RosterError(f"more than {MAX_STUDENTS:,} students")
        row = dict(zip(columns, cells, strict=False))
        try:
            student = student_from({k: v for k, v in row.items() if v or k in REQUIRED})
        except ValueError as exc:
            skipped.append(f"{where} {line}: {exc}")
            continue
        if student.student_id in students:
            skipped.append(f"{where} {line}: student id {student.student_id!r} is listed"
                           " already")
            continue
        students[student.student_id] = student
    return list(students.values()), skipped

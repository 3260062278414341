"""Spreadsheet CSV: one question per row under a ``question,A,B,C,D,correct`` header.

Written for what spreadsheets really save: a byte-order mark, ``;`` as the
delimiter in locales where ``,`` is the decimal mark (and Excel's ``sep=;``
hint line), quoted cells holding commas, quotes and line breaks, Windows line
endings, blank rows and trailing empty columns.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

from ..quiz import LETTERS, Quiz, QuizError

COLUMNS = ("question", "A", "B", "C", "D", "correct", "time_limit", "explanation")
REQUIRED_COLUMNS = ("question", "A", "B", "correct")
OPTION_COLUMNS = tuple(letter.lower() for letter in LETTERS)
KNOWN_COLUMNS = frozenset(column.lower() for column in COLUMNS)
SEP_HINT = re.compile(r"^sep=(.)$", re.IGNORECASE)


def looks_like(text: str) -> bool:
    header = _first_line(text)
    cells = {_column_name(cell.strip('" ')) for cell in re.split(r"[,;]", header)}
    return {"question", "correct"} <= cells


def parse(text: str, *, title: str = "Untitled quiz") -> tuple[dict[str, Any], tuple[str, ...]]:
    """Read the rows into a quiz object titled ``title`` (a CSV file carries no title).

    Raises QuizError listing every row that cannot be read, each named by its
    line number; what the values mean is left to quiz_from_dict.
    """
    text = text.lstrip("\ufeff")
    first_line = _first_line(text)
    hint = SEP_HINT.match(first_line.strip())
    delimiter = hint.group(1) if hint else _sniff_delimiter(first_line)
    rows = ((line, cells) for line, cells in _rows(text, delimiter) if any(cells))
    if hint:
        next(rows)
    problems: list[str] = []
    skipped: list[str] = []
    header_line, header = next(rows, (1, []))
    columns = _read_header(header_line, header, problems, skipped)
    if problems:
        raise QuizError(problems)
    questions = [_question(line, cells, columns, problems) for line, cells in rows]
    if problems:
        raise QuizError(problems)
    return {"title": title, "questions": questions}, tuple(skipped)


def dump(quiz: Quiz) -> str:
    """Every question as a row under the full header; the quiz title is not kept."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for question in quiz.questions:
        options = list(question.options) + [""] * (len(LETTERS) - len(question.options))
        time_limit = "" if question.time_limit is None else question.time_limit
        writer.writerow(
            [question.text, *options, question.correct, time_limit, question.explanation]
        )
    return out.getvalue()


def _first_line(text: str) -> str:
    return next((line for line in text.lstrip("\ufeff").splitlines() if line.strip()), "")


def _sniff_delimiter(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


def _column_name(cell: str) -> str:
    return "_".join(cell.strip().lower().split())


def _rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number where the row starts, stripped cells); a quoted cell may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    try:
        for cells in reader:
            yield line, [cell.replace("\r\n", "\n").strip() for cell in cells]
            line = reader.line_num + 1
    except csv.Error as exc:  # e.g. a cell over the csv module's 128 KiB limit
        raise QuizError([f"line {line}: {exc}"]) from None


def _read_header(
    line: int, header: list[str], problems: list[str], skipped: list[str]
) -> list[str]:
    """The column name of each position; problems for missing or repeated columns."""
    columns = [_column_name(cell) for cell in header]
    missing = [name for name in REQUIRED_COLUMNS if name.lower() not in columns]
    if missing:
        problems.append(
            f"line {line}: the header lacks {', '.join(missing)}"
            f" (expected {','.join(COLUMNS)}; C, D, time_limit and explanation are optional)"
        )
    for name in sorted({name for name in columns if name and columns.count(name) > 1}):
        problems.append(f"line {line}: column {name} appears more than once")
    for cell, name in zip(header, columns, strict=True):
        if name and name not in KNOWN_COLUMNS:
            skipped.append(f"line {line}: column {cell!r} is not used")
    return columns


def _question(
    line: int, cells: list[str], columns: list[str], problems: list[str]
) -> dict[str, Any]:
    extra = [cell for cell in cells[len(columns) :] if cell]
    if extra:
        problems.append(
            f"line {line}: {len(extra)} more cell(s) than the header has columns"
            " (is there an unquoted delimiter in a cell?)"
        )
    row = dict(zip(columns, cells, strict=False))
    question: dict[str, Any] = {
        "text": row.get("question", ""),
        "options": _options(line, row, problems),
        "correct": row.get("correct", ""),
    }
    if row.get("explanation"):
        question["explanation"] = row["explanation"]
    if row.get("time_limit"):
        question["time_limit"] = _time_limit(line, row["time_limit"], problems)
    return question


def _options(line: int, row: dict[str, str], problems: list[str]) -> list[str]:
    """Options A.. up to the last filled one; an empty one before it is a gap."""
    options = [row.get(column, "") for column in OPTION_COLUMNS]
    while options and not options[-1]:
        options.pop()
    gaps = [LETTERS[i] for i, option in enumerate(options) if not option]
    if gaps:
        problems.append(
            f"line {line}: option {', '.join(gaps)} is empty but a later option is not;"
            " fill the options from A without gaps"
        )
    return options


def _time_limit(line: int, cell: str, problems: list[str]) -> int | None:
    try:
        return int(cell)
    except ValueError:
        problems.append(f"line {line}: time_limit {cell!r} is not a whole number of seconds")
        return None

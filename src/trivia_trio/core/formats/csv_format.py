"""Spreadsheet CSV: one question per row under a ``question,kind,A,...,F,correct`` header.

``kind`` (empty or absent: ``choice``, so older files keep working) says how
the other cells read: option letters in ``correct`` for choice and multi,
``true``/``false`` for truefalse, accepted answers separated by ``|`` for
text, a number and a ``tolerance`` for number, the items in A.. in the right
order for order, no ``correct`` for poll and slide.

Written for what spreadsheets really save: a byte-order mark, ``;`` as the
delimiter in locales where ``,`` is the decimal mark (and Excel's ``sep=;``
hint line), quoted cells holding commas, quotes and line breaks, Windows line
endings, blank rows and trailing empty columns.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

from ..kinds import DEFAULT_KIND, KINDS, LETTERS
from ..quiz import Quiz, QuizError, quiz_from_dict
from .parsed import Parsed

COLUMNS = ("question", "kind", "A", "B", "C", "D", "E", "F", "correct", "tolerance",
           "time_limit", "explanation", "image")
# Read when present; the template leaves them out to stay narrow.
EXTRA_COLUMNS = ("min", "max", "step", "scoring", "exact")
# Each kind's own fields that no column above holds: one column each, at the end, in the
# order the kinds are registered, so a new kind brings its columns without a change here.
KIND_COLUMNS = tuple(dict.fromkeys(
    name for kind in KINDS.values() for name in kind.file_fields
    if name not in COLUMNS + EXTRA_COLUMNS))
# Every question's points (0, 1 or 2; empty: 1), after the kinds' columns.
POINTS_COLUMNS = ("points",)
REQUIRED_COLUMNS = ("question", "correct")
OPTION_COLUMNS = tuple(letter.lower() for letter in LETTERS)
KNOWN_COLUMNS = frozenset(column.lower() for column in
                          COLUMNS + EXTRA_COLUMNS + KIND_COLUMNS + POINTS_COLUMNS)
SEP_HINT = re.compile(r"^sep=(.)$", re.IGNORECASE)
ACCEPT_SEPARATOR = "|"
TRUTH = {"true": True, "t": True, "yes": True, "false": False, "f": False, "no": False}
TEMPLATE_NOTE = "(kind is choice when empty; see the template for every kind)"


def looks_like(text: str) -> bool:
    header = _first_line(text)
    cells = {_column_name(cell.strip('" ')) for cell in re.split(r"[,;]", header)}
    return {"question", "correct"} <= cells


def parse(text: str, *, title: str = "Untitled quiz") -> Parsed:
    """Read the rows into a quiz object titled ``title`` (a CSV file carries no title).

    Each row is question N counted from 1, named with the line it starts on. A
    header the rows cannot be read under raises QuizError at once.
    """
    return parse_rows(table_rows(text), title=title)


def table_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """A spreadsheet's CSV as (line where the row starts, stripped cells), blank rows and
    Excel's ``sep=`` hint left out, the delimiter found from the hint or the header."""
    text = text.lstrip("\ufeff")
    first_line = _first_line(text)
    hint = SEP_HINT.match(first_line.strip())
    delimiter = hint.group(1) if hint else _sniff_delimiter(first_line)
    rows = ((line, cells) for line, cells in _rows(text, delimiter) if any(cells))
    if hint:
        next(rows)
    return rows


def parse_rows(rows: Iterable[tuple[int, list[str]]], *, title: str,
               where: str = "line") -> Parsed:
    """The quiz in ``(line or row number, cells as text)`` rows under our header, from a
    CSV file or a spreadsheet's sheet (``where`` names the place: line or row)."""
    rows = ((line, cells) for line, cells in rows if any(cells))
    problems: list[str] = []
    skipped: list[str] = []
    header_line, header = next(rows, (1, []))
    columns = _read_header(f"{where} {header_line}", header, problems, skipped)
    if problems:
        raise QuizError(problems)
    questions, labels, notes = [], [], []
    for number, (line, cells) in enumerate(rows, 1):
        found: list[str] = []
        questions.append(_question(cells, columns, found))
        labels.append(f"question {number} ({where} {line})")
        notes.append(found)
    return Parsed({"title": title, "questions": questions}, tuple(skipped), labels=labels,
                  question_problems=notes)


def dump(quiz: Quiz) -> str:
    """Every question as a row under the full header; the quiz title is not kept."""
    out = io.StringIO()
    csv.writer(out).writerows(table(quiz))
    return out.getvalue()


def table(quiz: Quiz) -> list[list[Any]]:
    """The header, then every question as a row of cells: numbers as numbers, the rest
    as text (a spreadsheet's cells, a CSV's fields)."""
    rows: list[list[Any]] = [list(COLUMNS + EXTRA_COLUMNS + KIND_COLUMNS + POINTS_COLUMNS)]
    for question in quiz.questions:
        fields = question.kind.to_dict()
        option_field = question.kind.option_field
        options = list(fields.get(option_field) or []) if option_field else []
        correct = fields.get("correct", "")
        if question.kind.name == "text":
            correct = ACCEPT_SEPARATOR.join(fields["accept"])
        elif isinstance(correct, bool):
            correct = str(correct).lower()
        time_limit = "" if question.time_limit is None else question.time_limit
        extras = [fields.get(name, "") for name in EXTRA_COLUMNS + KIND_COLUMNS]
        rows.append(
            [question.text, question.kind.name, *options, *[""] * (len(LETTERS) - len(options)),
             correct, fields.get("tolerance", ""), time_limit, question.explanation,
             question.image or "",
             *("" if e is None else str(e).lower() if isinstance(e, bool) else e
               for e in extras),
             "" if question.points == 1 else question.points]
        )
    return rows


def template() -> str:
    """The CSV template teachers start from: each kind's sample question (``Kind.sample``)
    in the order the kinds are registered, so a new kind brings its own row. Its columns
    are the narrow header and the fields a sample gives beyond it."""
    questions = [{"kind": name} | dict(kind.sample) for name, kind in KINDS.items()]
    rows = table(quiz_from_dict({"title": "Template", "questions": questions}))
    given = {field for question in questions for field in question}
    kept = [index for index, column in enumerate(rows[0])
            if column in COLUMNS or column in given]
    out = io.StringIO()
    csv.writer(out).writerows([[row[index] for index in kept] for row in rows])
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
    line: str, header: list[str], problems: list[str], skipped: list[str]
) -> list[str]:
    """The column name of each position; problems for missing or repeated columns."""
    columns = [_column_name(cell) for cell in header]
    missing = [name for name in REQUIRED_COLUMNS if name.lower() not in columns]
    if missing:
        problems.append(
            f"{line}: the header lacks {', '.join(missing)}"
            f" (expected {','.join(COLUMNS)}; only question and correct are required)"
        )
    for name in sorted({name for name in columns if name and columns.count(name) > 1}):
        problems.append(f"{line}: column {name} appears more than once")
    for cell, name in zip(header, columns, strict=True):
        if name and name not in KNOWN_COLUMNS:
            skipped.append(f"{line}: column {cell!r} is not used")
    return columns


def _question(cells: list[str], columns: list[str], problems: list[str]) -> dict[str, Any]:
    """One row as a quiz-file question of its kind; what the values mean is left to the kind."""
    extra = [cell for cell in cells[len(columns) :] if cell]
    if extra:
        problems.append(
            f"{len(extra)} more cell(s) than the header has columns"
            " (is there an unquoted delimiter in a cell?)"
        )
    row = dict(zip(columns, cells, strict=False))
    kind = "".join(c for c in row.get("kind", "").lower() if c.isalpha()) or DEFAULT_KIND
    question: dict[str, Any] = {"text": row.get("question", ""), "kind": kind}
    options = _options(row)
    correct = row.get("correct", "")
    kind_class = KINDS.get(kind)
    option_field = kind_class.option_field if kind_class else "options"
    if option_field and (options or kind_class):
        question[option_field] = options
    elif options:  # the kind takes none: its own check names them
        question["options"] = options
    if kind == "truefalse":
        question["correct"] = TRUTH.get(correct.lower(), correct)
    elif kind == "text":
        question["accept"] = [a.strip() for a in correct.split(ACCEPT_SEPARATOR) if a.strip()]
        if row.get("exact"):
            question["exact"] = TRUTH.get(row["exact"].lower(), row["exact"])
    elif kind == "number":
        for name in ("correct", "tolerance", "min", "max", "step"):
            if row.get(name):
                question[name] = _number(row[name])
    elif correct:
        question["correct"] = correct
    if row.get("scoring"):
        question["scoring"] = row["scoring"].lower()
    for name in KIND_COLUMNS:
        if row.get(name):
            question[name] = _number(row[name])
    for name in ("explanation", "image"):
        if row.get(name):
            question[name] = row[name]
    if row.get("time_limit"):
        question["time_limit"] = _number(row["time_limit"])
    if row.get("points"):
        question["points"] = _number(row["points"])
    return question


def _options(row: dict[str, str]) -> list[str]:
    """Options A.. up to the last filled one (the kind names an empty one before it)."""
    options = [row.get(column, "") for column in OPTION_COLUMNS]
    while options and not options[-1]:
        options.pop()
    return options


def _number(cell: str) -> float | int | str:
    """A number as a spreadsheet writes it (``3,5`` in a comma locale); else the cell as is,
    for the validator to name."""
    text = cell.replace(",", ".") if "." not in cell else cell
    for read in (int, float):
        try:
            return read(text)
        except ValueError:
            continue
    return cell

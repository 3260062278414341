"""Spreadsheets (.xlsx) in and out: rows of cells to a workbook's bytes, and back.

openpyxl is imported inside these functions, when a spreadsheet is read or
written, never when the server starts (tests/test_spreadsheets.py checks it).

Written workbooks have real cells: numbers as numbers, dates as dates, text as
text (a cell starting with ``=`` stays text, never a formula), a frozen header
row and columns as wide as what they hold.

Reading is bounded before openpyxl sees a byte: an .xlsx is a zip, so the
files it lists, the size of that list and the uncompressed size of every file
are checked first (``zipfile`` never unpacks more than a file declares), then
the first sheet's rows and columns as they are read.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from .bundle import UNREADABLE, ZIP_MAGIC, directory_size

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ENTRIES = 200
MAX_DIRECTORY_BYTES = MAX_ENTRIES * 1024
MAX_UNPACKED_BYTES = 30 * 2**20
MAX_ROWS = 5000
MAX_COLUMNS = 64
MIN_WIDTH, MAX_WIDTH = 6, 60
# What XML 1.0 cannot hold (openpyxl refuses a cell with one): control characters.
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

Cell = str | int | float | datetime | date | None


class SheetError(ValueError):
    """A spreadsheet that cannot be read; the message says why in plain words."""


def is_xlsx(raw: bytes) -> bool:
    return raw.startswith(ZIP_MAGIC)


def workbook(sheets: Sequence[tuple[str, Iterable[Sequence[Cell]]]]) -> bytes:
    """An .xlsx of ``(sheet title, rows)``, each sheet's first row its frozen header."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(sheet_title(title))
        widths: dict[int, int] = {}
        for row in rows:
            sheet.append([_clean(value) for value in row])
            for column, cell in enumerate(sheet[sheet.max_row], 1):
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text that starts with "=" is not a formula
                elif isinstance(cell.value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
                widths[column] = max(widths.get(column, 0), _width(cell.value))
        sheet.freeze_panes = "A2"
        for column, width in widths.items():
            sheet.column_dimensions[get_column_letter(column)].width = \
                min(MAX_WIDTH, max(MIN_WIDTH, width + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_title(title: str) -> str:
    """A title Excel accepts: at most 31 characters, none of ``[]:*?/\\``."""
    return re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet"


def _clean(value: Cell) -> Cell:
    """An empty string is an empty cell; a control character is dropped."""
    return (ILLEGAL.sub("", value) or None) if isinstance(value, str) else value


def _width(value: Cell) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime | date):
        return 16
    return max(len(line) for line in str(value).splitlines() or [""])


def check(raw: bytes) -> None:
    """Raise SheetError unless ``raw`` is a zip whose unpacked files stay within bounds."""
    if not is_xlsx(raw):
        raise SheetError("not an .xlsx spreadsheet (an .xls from before 2007? save it as"
                         " .xlsx or CSV)")
    try:
        entries, listed = directory_size(raw)
    except ValueError as exc:
        raise SheetError(str(exc)) from None
    if entries > MAX_ENTRIES or listed > MAX_DIRECTORY_BYTES:
        raise SheetError(f"the spreadsheet holds {entries:,} files; at most {MAX_ENTRIES}")
    try:
        infos = zipfile.ZipFile(io.BytesIO(raw)).infolist()
    except UNREADABLE as exc:
        raise SheetError(f"not a readable .xlsx file ({exc})") from None
    unpacked = sum(info.file_size for info in infos)
    if len(infos) > MAX_ENTRIES or unpacked > MAX_UNPACKED_BYTES:
        raise SheetError(f"the spreadsheet unpacks to {unpacked / 2**20:.0f} MB; at most"
                         f" {MAX_UNPACKED_BYTES // 2**20} MB")


def first_sheet(raw: bytes) -> list[list[Cell]]:
    """The first sheet's rows as values (a formula's last computed value), trailing empty
    cells dropped; raises SheetError for anything unreadable or over the bounds."""
    check(raw)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise SheetError(f"not a readable .xlsx file ({type(exc).__name__}: {exc})") from None
    try:
        if not book.worksheets:
            raise SheetError("the spreadsheet has no sheet")
        rows: list[list[Cell]] = []
        for row in book.worksheets[0].iter_rows(values_only=True):
            if len(rows) == MAX_ROWS:
                raise SheetError(f"the sheet has more than {MAX_ROWS:,} rows")
            cells = list(row)
            while cells and cells[-1] in (None, ""):
                cells.pop()
            if len(cells) > MAX_COLUMNS:
                raise SheetError(f"row {len(rows) + 1} has more than {MAX_COLUMNS} columns")
            rows.append(cells)
        return rows
    except SheetError:
        raise
    except Exception as exc:
        raise SheetError(f"not a readable .xlsx file ({type(exc).__name__}: {exc})") from None
    finally:
        book.close()


def text(value: Cell) -> str:
    """A cell as the text a CSV would hold: ``3`` for a whole number, ``True`` for the
    TRUE that Excel makes of a typed "True" (every reader of yes/no words ignores case)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()

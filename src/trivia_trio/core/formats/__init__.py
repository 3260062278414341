"""Quiz file formats: each turns text into the PROTOCOL.md quiz object and back.

Every format module offers ``parse(text, *, title) -> Parsed``,
``dump(quiz) -> text`` and ``looks_like(text) -> bool``. ``title`` is used
when the file carries none; ``Parsed.skipped`` tells the instructor what the
file held that a live quiz cannot ask. A parser reads past what it finds
wrong and hands it over in ``Parsed`` (raising QuizError only when nothing
further can be read), so the teacher sees every problem in one pass, each
named as the file names the question: ``question 3 (line 19): ...``. What
the values mean is checked by ``quiz_from_dict`` and the question's kind.
"""

from __future__ import annotations

from pathlib import PurePath
from types import ModuleType

from ..quiz import QuizError
from . import aiken, csv_format, gift, json_format
from .parsed import Parsed

FORMAT_BY_SUFFIX: dict[str, ModuleType] = {
    ".json": json_format,
    ".csv": csv_format,
    ".gift": gift,
    ".aiken": aiken,
}
# Most specific first: a CSV header or an ANSWER: line is hard to mistake.
SNIFFING_ORDER = (json_format, csv_format, aiken, gift)


def parse(text: str, filename: str) -> Parsed:
    """Parse ``text`` by the format its name or content shows.

    The file name's stem is the title when the format carries none.
    """
    name = PurePath(filename)
    module = format_for(name.suffix.lower(), text)
    return module.parse(text, title=name.stem or "Untitled quiz")


def format_for(suffix: str, text: str) -> ModuleType:
    """The format module for a file name suffix, else the one the content looks like.

    ``.txt`` is Aiken unless the content is plainly GIFT: Moodle saves both as ``.txt``.
    """
    if suffix in FORMAT_BY_SUFFIX:
        return FORMAT_BY_SUFFIX[suffix]
    if suffix == ".txt":
        return gift if gift.looks_like(text) and not aiken.looks_like(text) else aiken
    for module in SNIFFING_ORDER:
        if module.looks_like(text):
            return module
    raise QuizError(
        [
            "not a quiz file this server reads: expected JSON, CSV with a"
            " question,A,B,...,correct header, Moodle GIFT or Aiken"
        ]
    )

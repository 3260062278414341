"""Quiz files: read one from a path or an upload, in any format, pictures and all.

The parsing and checking are ``core``'s; this module does the reading: the file,
the pictures beside it, or the bundle it came in.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePath

from ..core import formats
from ..core.bundle import BundleError, is_bundle, open_bundle
from ..core.formats import xlsx_format
from ..core.pictures import Pictures
from ..core.quiz import QUIZ_MAX_BYTES, Quiz, QuizError, in_file_order
from .media import PicturesBeside


def load_quiz(source: Path | str | bytes, *, filename: str | None = None,
              held: Callable[[str], bool] | None = None) -> Quiz:
    """Load a quiz from a path or from raw bytes (an upload) in any supported format,
    or from a quiz bundle (a .zip with quiz.json and its pictures).

    The format is chosen by the file name's suffix when there is one, else by
    the content. Pictures are read from beside the quiz file or from the
    bundle; an upload that is not a bundle cannot bring any, but may name pictures the
    library already ``held`` by their media names. Raises QuizError
    (naming the file) for anything unusable, including a file that cannot be read.
    """
    pictures: Pictures
    if isinstance(source, bytes):
        raw, name = source, filename or "upload"
        pictures = Pictures(held)
    else:
        path = Path(source)
        name = filename or str(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise QuizError([exc.strerror or str(exc)], source=name) from exc
        pictures = PicturesBeside(path.parent)
    format_name = name
    # A spreadsheet is a zip too: read as one, never as a bundle.
    sheet = PurePath(name).suffix.lower() == xlsx_format.SUFFIX
    if (sheet or not is_bundle(raw)) and len(raw) > QUIZ_MAX_BYTES:
        raise QuizError([f"the file is {len(raw) / 2**20:.1f} MB; a quiz file can be at most"
                         f" {QUIZ_MAX_BYTES // 2**20} MB (pictures come in a .zip bundle)"],
                        source=name)
    if sheet:
        try:
            return xlsx_format.parse(raw, title=PurePath(name).stem).quiz(pictures)
        except QuizError as exc:
            raise QuizError(in_file_order(exc.problems), source=name) from None
    if is_bundle(raw):
        try:
            inner, raw, pictures = open_bundle(raw, QUIZ_MAX_BYTES)
        except BundleError as exc:
            raise QuizError([str(exc)], source=name) from None
        # The bundle's name is the title when the quiz file has none.
        format_name = f"{PurePath(name).stem}{PurePath(inner).suffix}"
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise QuizError([f"not UTF-8 text (byte {exc.start})"], source=name) from exc
    try:
        return formats.parse(text, format_name).quiz(pictures)
    except QuizError as exc:
        raise QuizError(in_file_order(exc.problems), source=name) from None


def demo_quiz() -> Quiz:
    """The built-in quiz that runs when no file is given."""
    from importlib.resources import files

    raw = (files("trivia_trio") / "quizzes" / "demo.json").read_bytes()
    return load_quiz(raw, filename="demo.json")

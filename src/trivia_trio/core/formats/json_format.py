"""JSON: the PROTOCOL.md quiz object as it is, validated later by quiz_from_dict."""

from __future__ import annotations

import json

from ..quiz import Quiz, QuizError
from .parsed import Parsed


def looks_like(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n").startswith("{")


def parse(text: str, *, title: str | None = None) -> Parsed:
    """Decode the quiz object; ``title`` fills in only when the object has none."""
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise QuizError(
            [f"line {exc.lineno} column {exc.colno}: not valid JSON: {exc.msg}"]
        ) from None
    except RecursionError:
        raise QuizError(["nested too deeply to be a quiz"]) from None
    if title and isinstance(data, dict):
        data.setdefault("title", title)
    return Parsed(data)


def dump(quiz: Quiz) -> str:
    return json.dumps(quiz.to_dict(), indent=2, ensure_ascii=False) + "\n"

"""Quiz file formats: each turns text into the PROTOCOL.md quiz object."""

from __future__ import annotations

import json
from typing import Any

from ..quiz import QuizError


def parse_json(text: str) -> tuple[dict[str, Any], tuple[str, ...]]:
    try:
        return json.loads(text), ()
    except json.JSONDecodeError as exc:
        raise QuizError([f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"]) \
            from None


def parse(text: str, filename: str) -> tuple[Any, tuple[str, ...]]:
    """Parse ``text`` by the format its name or content shows; return (quiz object, skipped)."""
    return parse_json(text)

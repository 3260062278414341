"""The quiz: load a file, validate every field, and hand back an immutable Quiz.

Validation collects every problem before refusing, so an instructor fixes a
file in one pass. Each problem names its place the way the file spells it:
``questions[3].correct: "E" is not one of A, B``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LETTERS = "ABCD"
SCORE_FNS = ("speed", "binary")
TIME_LIMIT_RANGE = (5, 600)
MAX_QUESTIONS = 500
MAX_TEXT_CHARS = 2000
SESSION_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class QuizError(ValueError):
    """A quiz file that cannot be used; ``problems`` lists every reason."""

    def __init__(self, problems: list[str], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__(prefix + "; ".join(self.problems))


@dataclass(frozen=True)
class Question:
    text: str
    options: tuple[str, ...]
    correct: str
    explanation: str = ""
    time_limit: int | None = None

    @property
    def letters(self) -> str:
        return LETTERS[: len(self.options)]


@dataclass(frozen=True)
class Quiz:
    title: str
    questions: tuple[Question, ...]
    time_limit_default: int = 20
    score_fn: str = "speed"
    session_id: str | None = None
    # Items a source format held that we cannot ask (e.g. GIFT essay questions).
    skipped: tuple[str, ...] = field(default=(), compare=False)

    def __len__(self) -> int:
        return len(self.questions)

    def time_limit(self, idx: int) -> int:
        return self.questions[idx].time_limit or self.time_limit_default

    def to_dict(self) -> dict[str, Any]:
        """The PROTOCOL.md JSON form; ``quiz_from_dict(q.to_dict()) == q``."""
        data: dict[str, Any] = {
            "title": self.title,
            "time_limit_default": self.time_limit_default,
            "score_fn": self.score_fn,
            "questions": [],
        }
        if self.session_id:
            data["session_id"] = self.session_id
        for q in self.questions:
            item: dict[str, Any] = {
                "text": q.text, "options": list(q.options), "correct": q.correct
            }
            if q.explanation:
                item["explanation"] = q.explanation
            if q.time_limit is not None:
                item["time_limit"] = q.time_limit
            data["questions"].append(item)
        return data


def _check_text(value: Any, where: str, problems: list[str], *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        problems.append(f"{where}: must be a non-empty string")
        return ""
    if len(value) > MAX_TEXT_CHARS:
        problems.append(f"{where}: longer than {MAX_TEXT_CHARS} characters")
    return value.strip()


def _check_time_limit(value: Any, where: str, problems: list[str]) -> int | None:
    low, high = TIME_LIMIT_RANGE
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        problems.append(f"{where}: {json.dumps(value)} is not a whole number of seconds")
        return None
    if not low <= value <= high:
        problems.append(f"{where}: {int(value)} is outside {low}..{high} seconds")
        return None
    return int(value)


def _check_question(raw: Any, where: str, problems: list[str]) -> Question | None:
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: must be an object with text, options and correct")
        return None
    before = len(problems)
    text = _check_text(raw.get("text"), f"{where}.text", problems)
    options = raw.get("options")
    if not isinstance(options, list) or not 2 <= len(options) <= len(LETTERS):
        problems.append(f"{where}.options: must be a list of 2 to {len(LETTERS)} answers")
        options = []
    clean_options = tuple(
        _check_text(option, f"{where}.options[{i}]", problems) for i, option in enumerate(options)
    )
    correct = raw.get("correct")
    letters = LETTERS[: len(clean_options)]
    if isinstance(correct, str):
        correct = correct.strip().upper()
    if clean_options and correct not in tuple(letters):
        problems.append(
            f"{where}.correct: {json.dumps(raw.get('correct'))} is not one of {', '.join(letters)}"
        )
    explanation = _check_text(raw.get("explanation"), f"{where}.explanation", problems,
                              required=False)
    time_limit = None
    if raw.get("time_limit") is not None:
        time_limit = _check_time_limit(raw["time_limit"], f"{where}.time_limit", problems)
    if len(problems) > before:
        return None
    return Question(text, clean_options, correct, explanation, time_limit)


def quiz_from_dict(data: Any, skipped: tuple[str, ...] = ()) -> Quiz:
    """Validate a PROTOCOL.md quiz object; raise QuizError listing every problem."""
    if not isinstance(data, Mapping):
        raise QuizError(["the quiz must be a JSON object with title and questions"])
    problems: list[str] = []
    title = _check_text(data.get("title"), "title", problems)
    session_id = data.get("session_id")
    if session_id is not None and (
        not isinstance(session_id, str) or not SESSION_ID_PATTERN.match(session_id)
    ):
        problems.append(
            f"session_id: {json.dumps(session_id)} must be 1-64 letters, digits, '_', '.' or '-'"
        )
    time_limit_default = 20
    if data.get("time_limit_default") is not None:
        time_limit_default = (
            _check_time_limit(data["time_limit_default"], "time_limit_default", problems) or 20
        )
    score_fn = data.get("score_fn", "speed")
    if score_fn not in SCORE_FNS:
        problems.append(f"score_fn: {json.dumps(score_fn)} is not one of {', '.join(SCORE_FNS)}")
    raw_questions = data.get("questions")
    questions: list[Question] = []
    if not isinstance(raw_questions, list) or not raw_questions:
        problems.append("questions: must be a non-empty list")
    elif len(raw_questions) > MAX_QUESTIONS:
        problems.append(f"questions: more than {MAX_QUESTIONS} questions")
    else:
        for i, raw in enumerate(raw_questions):
            question = _check_question(raw, f"questions[{i}]", problems)
            if question is not None:
                questions.append(question)
    if problems:
        raise QuizError(problems)
    return Quiz(
        title=title,
        questions=tuple(questions),
        time_limit_default=time_limit_default,
        score_fn=score_fn,
        session_id=session_id,
        skipped=tuple(skipped),
    )


def load_quiz(source: Path | str | bytes, *, filename: str | None = None) -> Quiz:
    """Load a quiz from a path or from raw bytes (an upload) in any supported format.

    The format is chosen by the file name's suffix when there is one, else by
    the content. Raises QuizError (naming the file) for anything unusable,
    including a file that cannot be read.
    """
    from . import formats

    if isinstance(source, bytes):
        raw, name = source, filename or "upload"
    else:
        path = Path(source)
        name = filename or str(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise QuizError([exc.strerror or str(exc)], source=name) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise QuizError([f"not UTF-8 text (byte {exc.start})"], source=name) from exc
    try:
        data, skipped = formats.parse(text, name)
        return quiz_from_dict(data, skipped)
    except QuizError as exc:
        raise QuizError(exc.problems, source=name) from None


def demo_quiz() -> Quiz:
    """The built-in quiz that runs when no file is given."""
    from importlib.resources import files

    raw = (files("trivia_trio") / "quizzes" / "demo.json").read_bytes()
    return load_quiz(raw, filename="demo.json")

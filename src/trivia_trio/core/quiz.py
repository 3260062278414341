"""The quiz: load a file, validate every field, and hand back an immutable Quiz.

Validation collects every problem before refusing, so an instructor fixes a
file in one pass. Each problem names its place in the teacher's terms, the
question counted from 1 and, for line-based formats, its line:
``question 4 (line 19): the answer "E" is not one of A, B``. What each kind
of question needs is checked by that kind (``kinds/``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from .kinds import DEFAULT_KIND, KINDS, LETTERS, Kind, Report
from .kinds.base import check_text
from .math_text import math_problem
from .pace import PACES, BadSettings, PacedSettings, settings_from
from .phones import PHONES
from .pictures import Pictures
from .standings import LEADERBOARDS

SCORE_FNS = ("speed", "binary")
TIME_LIMIT_RANGE = (5, 600)
MAX_QUESTIONS = 500
FLOW_SETTINGS = {"leaderboard_between": False, "close_when_all_answered": True}
SESSION_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
QUIZ_MAX_BYTES = 2 * 1024 * 1024  # a quiz file itself, pictures apart
PROBLEM_LINE = re.compile(r"^[^:]*?\bline (\d+)\)?:")  # "question 3 (line 19):", "line 4:"
# A BCP 47 language tag as pages use them: "de", "pt-BR", "zh-Hans-CN".
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}\Z")


def is_language_tag(value: Any) -> bool:
    return isinstance(value, str) and LANGUAGE_TAG.match(value) is not None


class QuizError(ValueError):
    """A quiz file that cannot be used; ``problems`` lists every reason."""

    def __init__(self, problems: list[str], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__(prefix + "; ".join(self.problems))


POINTS = (0, 1, 2)


@dataclass(frozen=True)
class Question:
    """One question: what every kind has, and the kind itself (its fields and rules)."""

    text: str
    kind: Kind
    explanation: str = ""
    time_limit: int | None = None
    image: str | None = None
    # How many questions' worth it scores: 0 (a warm-up), 1 (standard) or 2 (double).
    points: int = 1

    @property
    def is_v1(self) -> bool:
        """A question v1 could ask: its messages stay exactly v1's."""
        return self.kind.is_v1 and self.image is None and self.points == 1

    def to_dict(self) -> dict[str, Any]:
        item: dict[str, Any] = {"text": self.text}
        if self.kind.name != DEFAULT_KIND:
            item["kind"] = self.kind.name
        item |= self.kind.to_dict()
        if self.explanation:
            item["explanation"] = self.explanation
        if self.time_limit is not None:
            item["time_limit"] = self.time_limit
        if self.image is not None:
            item["image"] = self.image
        if self.points != 1:
            item["points"] = self.points
        return item


@dataclass(frozen=True)
class Quiz:
    title: str
    questions: tuple[Question, ...]
    time_limit_default: int = 20
    score_fn: str = "speed"
    session_id: str | None = None
    # Flow settings (PROTOCOL v2): a leaderboard after each reveal, and an early close
    # once every connected student has answered.
    leaderboard_between: bool = False
    close_when_all_answered: bool = True
    # When the class sees the standings (standings.py); None: as before the setting.
    leaderboard: str | None = None
    # What the phones show in a live run (phones.py): "question" or "buttons".
    phones: str = "question"
    language: str | None = None  # what the projector speaks, unless the teacher picks another
    # The pace a run of it starts with unless the teacher picks another (pace.py).
    pace: str = "live"
    paced: PacedSettings = PacedSettings()
    # Items a source format held that we cannot ask (e.g. GIFT essay questions).
    skipped: tuple[str, ...] = field(default=(), compare=False)
    # The pictures its questions name, by media name, as read when the file was loaded.
    media: Mapping[str, bytes] = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.questions)

    def time_limit(self, idx: int) -> int | None:
        """Seconds to answer question ``idx``; None for a slide with no clock."""
        question = self.questions[idx]
        if question.time_limit is None and not question.kind.needs_time_limit:
            return None
        return question.time_limit or self.time_limit_default

    def to_dict(self) -> dict[str, Any]:
        """The PROTOCOL.md JSON form; ``quiz_from_dict(q.to_dict()) == q``."""
        data: dict[str, Any] = {
            "title": self.title,
            "time_limit_default": self.time_limit_default,
            "score_fn": self.score_fn,
            "questions": [q.to_dict() for q in self.questions],
        }
        if self.session_id:
            data["session_id"] = self.session_id
        for setting, default in FLOW_SETTINGS.items():
            if getattr(self, setting) != default:
                data[setting] = getattr(self, setting)
        if self.leaderboard:
            data["leaderboard"] = self.leaderboard
        if self.phones != "question":
            data["phones"] = self.phones
        if self.language:
            data["language"] = self.language
        if self.pace != "live":
            data["pace"] = self.pace
        if self.paced != PacedSettings():
            data["paced"] = self.paced.to_dict()
        return data


def _check_time_limit(value: Any, report: Report, what: str = "the time limit") -> int | None:
    low, high = TIME_LIMIT_RANGE
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        report(f"{what} {json.dumps(value)} is not a whole number of seconds")
        return None
    if not low <= value <= high:
        report(f"{what} {int(value)} is outside {low}..{high} seconds")
        return None
    return int(value)


def _check_math(raw: Mapping[str, Any], report: Report) -> None:
    """Report each text of a question whose math the pages would show as plain text
    (nested too deep, or defining macros: see math_text)."""
    for key, value in raw.items():
        texts = value if isinstance(value, list) else [value]
        for i, text in enumerate(texts):
            problem = math_problem(text) if isinstance(text, str) else None
            if problem is None:
                continue
            if key == "options" and i < len(LETTERS):
                what = f"option {LETTERS[i]}"
            elif isinstance(value, list):
                what = f"{key} item {i + 1}"
            else:
                what = {"text": "the question text"}.get(key, f"the {key}")
            report(f"{what} {problem}")


def _check_question(raw: Any, report: Report, pictures: Pictures | None) -> Question | None:
    if not isinstance(raw, Mapping):
        report("must be an object with text and its answer")
        return None
    found: list[str] = []

    def note(problem: str) -> None:
        found.append(problem)
        report(problem)

    name = raw.get("kind", DEFAULT_KIND)
    kind_class = KINDS.get(name) if isinstance(name, str) else None
    if kind_class is None:
        note(f"the kind {json.dumps(name)} is not one of {', '.join(KINDS)}")
    text = check_text(raw.get("text"), "the question text", note)
    explanation = ""
    if raw.get("explanation") not in (None, ""):
        explanation = check_text(raw["explanation"], "the explanation", note)
    time_limit = None
    if raw.get("time_limit") is not None:
        time_limit = _check_time_limit(raw["time_limit"], note)
    image = raw.get("image")
    if image is not None and (not isinstance(image, str) or not image.strip()):
        note("the image must name a picture file")
    elif image is not None and pictures is not None:
        image = pictures.load(image.strip(), note)
    points = raw.get("points", 1)
    if isinstance(points, bool) or points not in POINTS:
        note("points must be 0 (a warm-up), 1 (standard) or 2 (double)")
    kind = kind_class.from_file(raw, note) if kind_class else None
    if pictures is not None:  # a quiz being read, not a run's copy kept before the bound
        _check_math(raw, note)
    if found or kind is None:
        return None
    return Question(text, kind, explanation, time_limit, image, int(points))


def _labelled(found: list[str], label: str, problem: str) -> None:
    found.append(f"{label}: {problem}")


def question_labels(count: int) -> list[str]:
    """How a file without lines names its questions: counted from 1."""
    return [f"question {i}" for i in range(1, count + 1)]


def quiz_from_dict(data: Any, skipped: tuple[str, ...] = (), *,
                   labels: list[str] | None = None, problems: tuple[str, ...] = (),
                   question_problems: list[list[str]] | None = None,
                   pictures: Pictures | None = None) -> Quiz:
    """Validate a PROTOCOL.md quiz object; raise QuizError listing every problem.

    ``labels`` names each question the way its file does (``question 3 (line 19)``).
    A file format hands over what it already found: ``problems`` about the file as a
    whole (first in the list) and ``question_problems`` about each question, which
    are listed in that question's place. ``pictures`` reads the pictures the questions
    name (each ``image`` becomes its media name); without it, the quiz is a run's frozen
    copy: an ``image`` is taken to be a media name already, and math is not held to
    the bound that came after some runs were kept (the pages show such math as text).
    """
    if not isinstance(data, Mapping):
        raise QuizError(["the quiz must be a JSON object with title and questions"])
    found: list[str] = list(problems)
    title = check_text(data.get("title"), "the title", found.append)
    session_id = data.get("session_id")
    if session_id is not None and (
        not isinstance(session_id, str) or not SESSION_ID_PATTERN.match(session_id)
    ):
        found.append(f"the session id {json.dumps(session_id)} must be 1-64 letters, digits,"
                     " '_', '.' or '-'")
    language = data.get("language")
    if language is not None and not is_language_tag(language):
        found.append(f"the language {json.dumps(language)} is not a language tag"
                     ' such as "de" or "pt-BR"')
    time_limit_default = 20
    if data.get("time_limit_default") is not None:
        time_limit_default = _check_time_limit(
            data["time_limit_default"], found.append, "the default time limit") or 20
    score_fn = data.get("score_fn", "speed")
    if score_fn not in SCORE_FNS:
        found.append(f"the scoring {json.dumps(score_fn)} is not one of {', '.join(SCORE_FNS)}")
    flow: dict[str, bool] = {}
    for setting, default in FLOW_SETTINGS.items():
        value = data.get(setting, default)
        if not isinstance(value, bool):
            found.append(f"the setting {setting} must be true or false, not {json.dumps(value)}")
        flow[setting] = value is True
    leaderboard = data.get("leaderboard")
    if leaderboard is not None and leaderboard not in LEADERBOARDS:
        found.append(f"the leaderboard {json.dumps(leaderboard)} is not one of "
                     f"{', '.join(LEADERBOARDS)}")
        leaderboard = None
    phones = data.get("phones", "question")
    if phones not in PHONES:
        found.append(f"the phones setting {json.dumps(phones)} is not one of "
                     f"{', '.join(PHONES)}")
        phones = "question"
    pace = data.get("pace", "live")
    if pace not in PACES:
        found.append(f"the pace {json.dumps(pace)} is not one of {', '.join(PACES)}")
    paced = PacedSettings()
    try:
        paced = settings_from(data.get("paced"))
    except BadSettings as bad:
        found += [f"paced: {problem}" for problem in bad.problems]
    raw_questions = data.get("questions")
    questions: list[Question] = []
    if not isinstance(raw_questions, list) or not raw_questions:
        if not found:  # a file whose questions all failed to read has said why
            found.append("there are no questions")
    elif len(raw_questions) > MAX_QUESTIONS:
        found.append(f"more than {MAX_QUESTIONS} questions")
    else:
        names = labels or question_labels(len(raw_questions))
        earlier = question_problems or [[] for _ in raw_questions]
        for label, raw, notes in zip(names, raw_questions, earlier, strict=True):
            found += [f"{label}: {note}" for note in notes]
            question = _check_question(raw, partial(_labelled, found, label), pictures)
            if question is not None:
                questions.append(question)
    if found:
        raise QuizError(found)
    return Quiz(
        title=title,
        questions=tuple(questions),
        time_limit_default=time_limit_default,
        score_fn=score_fn,
        session_id=session_id,
        language=language,
        leaderboard=leaderboard,
        phones=str(phones),
        pace=str(pace),
        paced=paced,
        skipped=tuple(skipped),
        media=pictures.loaded if pictures else {},
        **flow,
    )


def in_file_order(problems: list[str]) -> list[str]:
    """Problems that name a line, in line order (the format's and the validator's mixed);
    those that name none first, as they came."""
    def line(problem: str) -> int:
        found = PROBLEM_LINE.search(problem)
        return int(found.group(1)) if found else 0

    return sorted(problems, key=line)

"""Moodle GIFT: the multiple-choice and true/false questions of a GIFT file.

Reads the way Moodle's own importer does: questions are separated by blank
lines, ``//`` lines are comments, a backslash escapes ``~ = # { } :`` and
``\\n`` is a line break, and a ``[html]``-style prefix names a fragment's
markup (the question text's markup is the default for its answers).
Questions a live quiz cannot ask (essay, short answer, numerical, matching,
several correct answers, partial credit, more than four choices,
descriptions) are listed in ``skipped`` with their number, name and reason;
nothing is dropped in silence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from ..quiz import LETTERS, Question, Quiz, QuizError

ESCAPABLE = "\\~=#{}:n"
# While the structure is read, escaped characters hide as private-use code points.
HIDDEN = {char: chr(0xE000 + i) for i, char in enumerate(ESCAPABLE)}
REVEAL = str.maketrans({hidden: "\n" if char == "n" else char for char, hidden in HIDDEN.items()})
ESCAPE_OUT = str.maketrans({"\n" if char == "n" else char: "\\" + char for char in ESCAPABLE})
ESCAPE_IN = re.compile(r"\\([\\~=#{}:n])")
LINE_BREAK = HIDDEN["n"]
MARKUP = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]")
WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
ANSWER_MARK = re.compile(r"[=~]")
TRUE_FALSE = {"T": "A", "TRUE": "A", "F": "B", "FALSE": "B"}
BLANK = "_____"
NAME_CHARS = 40
LOOKS_LIKE_GIFT = re.compile(
    r"^\s*(::|\$CATEGORY:)|(?<!\\)\{\s*([=~]|(T|F|TRUE|FALSE)\s*[#}])", re.MULTILINE
)


class _Skipped(Exception):
    """A well-formed question of a kind a live quiz cannot ask."""


class _Malformed(Exception):
    """A question the file gets wrong."""


def looks_like(text: str) -> bool:
    return LOOKS_LIKE_GIFT.search(text) is not None


def parse(text: str, *, title: str = "Untitled quiz") -> tuple[dict[str, Any], tuple[str, ...]]:
    """Read the askable questions into a quiz object titled ``title`` (GIFT carries no title).

    Raises QuizError listing every malformed question, each named by its
    number and first line, or when no question can be asked at all.
    """
    questions: list[dict[str, Any]] = []
    skipped: list[str] = []
    problems: list[str] = []
    for number, (line, block) in enumerate(_blocks(text), 1):
        label = f"question {number} (line {line})"
        try:
            name, body = _split_title(ESCAPE_IN.sub(lambda m: HIDDEN[m.group(1)], block))
            label = f'question {number} "{_short_name(name or body)}" (line {line})'
            questions.append(_question(body))
        except _Skipped as reason:
            skipped.append(f"{label}: {reason}")
        except _Malformed as reason:
            problems.append(f"{label}: {reason}")
    if problems:
        raise QuizError(problems)
    if not questions:
        raise QuizError(["no multiple-choice or true/false question to ask", *skipped])
    return {"title": title, "questions": questions}, tuple(skipped)


def dump(quiz: Quiz) -> str:
    """Every question as GIFT, its explanation as general feedback; time limits are not kept."""
    return "\n".join(_dump_question(number, q) for number, q in enumerate(quiz.questions, 1))


def _dump_question(number: int, question: Question) -> str:
    if question.options == ("True", "False"):
        answers = ["T" if question.correct == "A" else "F"]
    else:
        answers = [
            ("=" if letter == question.correct else "~") + _escape(option)
            for letter, option in zip(question.letters, question.options, strict=True)
        ]
    if question.explanation:
        answers.append("####" + _escape(question.explanation))
    lines = [f"::Q{number}:: {_escape(question.text)} {{", *(f"\t{a}" for a in answers), "}"]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return text.translate(ESCAPE_OUT)


def _blocks(text: str) -> Iterator[tuple[int, str]]:
    """Yield (first line number, text) of each blank-line-separated block.

    Comment and ``$CATEGORY:`` lines are left out without ending a block.
    """
    lines: list[str] = []
    start = 0
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith(("//", "$CATEGORY:")):
            continue
        if stripped:
            start = start if lines else number
            lines.append(line)
        elif lines:
            yield start, "\n".join(lines)
            lines = []
    if lines:
        yield start, "\n".join(lines)


def _split_title(block: str) -> tuple[str, str]:
    """(title, rest) of a ``::title:: rest`` block; the title is empty when there is none."""
    block = block.strip()
    if not block.startswith("::"):
        return "", block
    title, found, rest = block[2:].partition("::")
    if not found:
        raise _Malformed("the title has no closing ::")
    return title, rest.strip()


def _short_name(fragment: str) -> str:
    name = " ".join(_plain(fragment.split("{")[0]).split())
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def _question(body: str) -> dict[str, Any]:
    before, answers, after = _split_answers(body)
    found = MARKUP.match(before)
    markup = found.group(1) if found else "moodle"
    text = _plain(before + BLANK + after if after.strip() else before)
    if not text:
        raise _Malformed("no question text before the answers")
    answers, _, general_feedback = answers.partition("####")
    options, correct, answer_feedback = _choices(answers.strip(), markup)
    question: dict[str, Any] = {"text": text, "options": options, "correct": correct}
    explanation = _plain(general_feedback, markup) or answer_feedback
    if explanation:
        question["explanation"] = explanation
    return question


def _split_answers(body: str) -> tuple[str, str, str]:
    """(text before, answers, text after) around the one ``{...}`` block."""
    opens, closes = body.count("{"), body.count("}")
    if opens == closes == 0:
        raise _Skipped("no answers: a description, not a question")
    if opens != closes or body.index("}") < body.index("{"):
        raise _Malformed("{ and } do not pair up (write a literal brace as \\{ or \\})")
    if opens > 1:
        raise _Malformed("more than one answer block {...}")
    before, rest = body.split("{")
    answers, after = rest.split("}")
    return before, answers, after


def _choices(answers: str, markup: str) -> tuple[list[str], str, str]:
    """(options, correct letter, the correct answer's feedback) of a question's answers."""
    if not answers:
        raise _Skipped("an essay question: nothing to choose from")
    if answers.startswith("#"):
        raise _Skipped("a numerical question: the answer is typed, not chosen")
    if "~" in answers:
        return _multiple_choice(answers, markup)
    if "=" in answers and "->" in answers:
        raise _Skipped("a matching question")
    value, *feedback = answers.split("#", 2)
    if value.strip().upper() in TRUE_FALSE:
        right_feedback = feedback[1] if len(feedback) == 2 else ""
        return ["True", "False"], TRUE_FALSE[value.strip().upper()], _plain(right_feedback, markup)
    raise _Skipped("a short-answer question: the answer is typed, not chosen")


def _multiple_choice(answers: str, markup: str) -> tuple[list[str], str, str]:
    marks = list(ANSWER_MARK.finditer(answers))
    if answers[: marks[0].start()].strip():
        raise _Malformed("text before the first answer; each answer starts with = or ~")
    ends = [mark.start() for mark in marks[1:]] + [len(answers)]
    choices = [
        _choice(mark.group(), answers[mark.end() : end])
        for mark, end in zip(marks, ends, strict=True)
    ]
    correct = [i for i, (is_correct, _, _) in enumerate(choices) if is_correct]
    if len(choices) > len(LETTERS):
        raise _Skipped(f"{len(choices)} choices; a live question has at most {len(LETTERS)}")
    if len(correct) > 1:
        raise _Skipped(f"{len(correct)} correct answers; a live question has one")
    if not correct:
        raise _Malformed("no answer is marked correct with =")
    options = [_plain(text, markup) for _, text, _ in choices]
    if not all(options):
        raise _Malformed(f"answer {options.index('') + 1} is empty")
    right = correct[0]
    return options, LETTERS[right], _plain(choices[right][2], markup)


def _choice(mark: str, chunk: str) -> tuple[bool, str, str]:
    """(is correct, text, feedback) of one ``=text#feedback`` or ``~%100%text`` answer."""
    weight = WEIGHT.match(chunk)
    credit = float(weight.group(1)) if weight else (100.0 if mark == "=" else 0.0)
    if credit not in (0.0, 100.0):
        raise _Skipped(f"answers give partial credit ({weight.group(0)})")
    text, _, feedback = chunk[weight.end() if weight else 0 :].partition("#")
    return credit == 100.0, text, feedback


def _plain(fragment: str, markup: str = "moodle") -> str:
    """Readable text of a fragment: markup prefix off, HTML to text, whitespace tidied."""
    found = MARKUP.match(fragment)
    if found:
        markup, fragment = found.group(1), fragment[found.end() :]
    if markup == "html":
        fragment = _HtmlText.of(fragment)
    lines = " ".join(fragment.split()).translate(REVEAL).split("\n")
    return "\n".join(line.strip() for line in lines).strip()


class _HtmlText(HTMLParser):
    """The text of an ``[html]`` fragment, as Moodle's exports write it: tags off, breaks kept."""

    BLOCK_ENDS = frozenset({"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    @classmethod
    def of(cls, fragment: str) -> str:
        parser = cls()
        parser.feed(fragment)
        parser.close()
        return "".join(parser.parts)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append(LINE_BREAK)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCK_ENDS:
            self.parts.append(LINE_BREAK)

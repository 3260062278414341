"""Moodle GIFT: every GIFT question a live quiz can ask, as the kind that asks it.

Reads the way Moodle's own importer does: questions are separated by blank
lines, ``//`` lines are comments, a backslash escapes ``~ = # { } :`` and
``\\n`` is a line break, and a ``[html]``-style prefix names a fragment's
markup (the question text's markup is the default for its answers).

Multiple choice becomes ``choice`` (several ``=`` answers: any one of them is
right, as Moodle scores it), or ``multi`` with partial credit when ``~%n%``
weights share the marks among several answers; ``{T}``/``{F}`` becomes
``truefalse``, short answer ``{=a =b}`` becomes ``text``, numerical
``{#3.14:0.01}`` and ``{#1..5}`` become ``number``, and a description (no
answers) a ``slide``. Essay and matching questions cannot be asked live: they
are listed in ``skipped`` with their number, name and reason; nothing is
dropped in silence.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any

from ..kinds import LETTERS
from ..quiz import Question, Quiz, QuizError
from .parsed import Parsed

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
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
NUMBER_RANGE = re.compile(r"^(.+?)\.\.(.+)$")
BLANK = "_____"
READS_AS_MATCHING = "->"
NAME_CHARS = 40
# The kinds GIFT has a question type for; any other is left out, with a comment saying so.
WRITES = ("choice", "truefalse", "multi", "text", "number", "slide")
# Spaces within a line only ([^\S\n]): a ^\s* would scan every following blank line
# from each line start, quadratic in a file of blank lines.
LOOKS_LIKE_GIFT = re.compile(
    r"^[^\S\n]*(::|\$CATEGORY:)|(?<!\\)\{\s*([=~]|(T|F|TRUE|FALSE)\s*[#}])", re.MULTILINE
)


class _Skipped(Exception):
    """A well-formed question of a kind a live quiz cannot ask."""


class _Malformed(Exception):
    """A question the file gets wrong."""


def looks_like(text: str) -> bool:
    return LOOKS_LIKE_GIFT.search(text) is not None


def parse(text: str, *, title: str = "Untitled quiz") -> Parsed:
    """Read the askable questions into a quiz object titled ``title`` (GIFT carries no title),
    with every malformed question named by its number and first line.

    Raises QuizError when no question can be asked at all.
    """
    questions: list[dict[str, Any]] = []
    labels: list[str] = []
    skipped: list[str] = []
    problems: list[str] = []
    for number, (line, block) in enumerate(_blocks(text), 1):
        label = f"question {number} (line {line})"
        try:
            name, body = _split_title(ESCAPE_IN.sub(lambda m: HIDDEN[m.group(1)], block))
            label = f'question {number} "{_short_name(name or body)}" (line {line})'
            questions.append(_question(body))
            labels.append(label)
        except _Skipped as reason:
            skipped.append(f"{label}: {reason}")
        except _Malformed as reason:
            problems.append(f"{label}: {reason}")
    if not questions and not problems:
        raise QuizError(["no question that can be asked live", *skipped])
    return Parsed({"title": title, "questions": questions}, tuple(skipped), labels=labels,
                  problems=problems)


def dump(quiz: Quiz) -> str:
    """Every question as GIFT, its explanation as general feedback; time limits are not kept.

    GIFT cannot escape "->", its matching arrow: a question whose answers hold one is
    written in [html], where the arrow is "-&gt;"."""
    return "\n".join(_dump_question(number, q) for number, q in enumerate(quiz.questions, 1))


def left_out(quiz: Quiz) -> list[str]:
    """What a GIFT file of ``quiz`` cannot hold, in the teacher's words (the download says
    it). A kind GIFT does not write is left out whole: a new kind needs nothing here."""
    left_out = ["the title, the scoring and the default time"]
    for number, question in enumerate(quiz.questions, 1):
        fields = question.kind.to_dict()
        name = question.kind.name
        lost = []
        if name not in WRITES:
            lost.append(f"the whole {name} question (GIFT has no such kind)")
        if name == "multi" and fields.get("scoring", "all") == "all":
            lost.append("all-or-nothing scoring (GIFT shares the marks: it comes back as"
                        " partial credit)")
        if name == "multi" and len(fields["correct"]) == 1:
            lost.append("that it is a multiple select (one right answer comes back as a"
                        " choice)")
        if name == "number" and any(k in fields for k in ("min", "max", "step")):
            lost.append("the slider's min, max and step")
        if name == "text" and fields.get("exact"):
            lost.append("exact matching")
        if name == "text" and any(READS_AS_MATCHING in text for text in fields["accept"]):
            lost.append('for Moodle, an accepted answer with "->" (GIFT cannot write it as'
                        ' such: Moodle keeps it as "-&gt;")')
        if name == "slide" and question.explanation:
            lost.append("the slide's explanation")
        if question.time_limit is not None:
            lost.append("its time limit")
        if question.image:
            lost.append("its picture")
        left_out += [f"question {number}: {what}" for what in lost]
    return left_out


def _dump_question(number: int, question: Question) -> str:
    fields = question.kind.to_dict()
    name = question.kind.name
    if name == "slide":
        return f"::Q{number}:: {_escape(question.text)}\n"
    if name not in WRITES:
        return f"// Q{number}: a {name} question cannot be written as GIFT\n"
    as_html = any(READS_AS_MATCHING in text for text in _answer_texts(fields, name))
    out = _escape_html if as_html else _escape
    answers = _answers_out(fields, name, out)
    if question.explanation:
        answers.append("####" + out(question.explanation))
    opening = f"::Q{number}:: {'[html]' if as_html else ''}{out(question.text)} {{"
    return "\n".join([opening, *(f"\t{a}" for a in answers), "}"]) + "\n"


def _answer_texts(fields: dict[str, Any], name: str) -> list[str]:
    return fields["options"] if name in ("choice", "multi") else fields.get("accept", [])


def _answers_out(fields: dict[str, Any], name: str, out: Callable[[str], str]) -> list[str]:
    letters = fields.get("correct", "")
    if name == "truefalse":
        return ["T" if fields["correct"] else "F"]
    if name == "number":
        return [f"#{fields['correct']}:{fields['tolerance']}"]
    if name == "text":
        return ["=" + out(accepted) for accepted in fields["accept"]]
    options = fields["options"]
    # A right choice is "=": unless every option is right, as answers of "=" only are
    # a short-answer question; "~%100%" reads back as a choice all the same.
    right = ("=" if len(letters) < len(options) else "~%100%") if name == "choice" \
        else f"~%{100 / len(letters):g}%"
    return [(right if letter in letters else "~") + out(option)
            for letter, option in zip(LETTERS, options, strict=False)]


def _escape(text: str) -> str:
    return text.translate(ESCAPE_OUT)


def _escape_html(text: str) -> str:
    return _escape(html.escape(text, quote=False))


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
    if "{" not in body and "}" not in body:
        text = _plain(body)
        if not text:
            raise _Malformed("no text")
        return {"kind": "slide", "text": text}
    before, answers, after = _split_answers(body)
    found = MARKUP.match(before)
    markup = found.group(1) if found else "moodle"
    text = _plain(before + BLANK + after if after.strip() else before)
    if not text:
        raise _Malformed("no question text before the answers")
    answers, _, general_feedback = answers.partition("####")
    question, answer_feedback = _answers(answers.strip(), markup)
    question["text"] = text
    explanation = _plain(general_feedback, markup) or answer_feedback
    if explanation:
        question["explanation"] = explanation
    return question


def _split_answers(body: str) -> tuple[str, str, str]:
    """(text before, answers, text after) around the one ``{...}`` block."""
    opens, closes = body.count("{"), body.count("}")
    if opens != closes or body.index("}") < body.index("{"):
        raise _Malformed("{ and } do not pair up (write a literal brace as \\{ or \\})")
    if opens > 1:
        raise _Malformed("more than one answer block {...}")
    before, rest = body.split("{")
    answers, after = rest.split("}")
    return before, answers, after


def _answers(answers: str, markup: str) -> tuple[dict[str, Any], str]:
    """(the question's kind and fields, the right answer's feedback) of its answers."""
    if not answers:
        raise _Skipped("an essay question: answers are written at length, not asked live")
    if answers.startswith("#"):
        return _numerical(answers[1:], markup)
    if "~" in answers:
        return _multiple_choice(answers, markup)
    if "=" in answers and READS_AS_MATCHING in answers:
        raise _Skipped("a matching question: pairs cannot be asked live")
    value, *feedback = answers.split("#", 2)
    if value.strip().upper() in TRUE_FALSE:
        right_feedback = feedback[1] if len(feedback) == 2 else ""
        return ({"kind": "truefalse", "correct": TRUE_FALSE[value.strip().upper()]},
                _plain(right_feedback, markup))
    if answers.startswith("="):
        return _short_answer(answers, markup)
    raise _Malformed("the answers must start with = or ~, or be T or F")


def _marked(answers: str) -> list[tuple[float, str, str]]:
    """(credit in %, text, feedback) of each ``=`` or ``~`` answer."""
    marks = list(ANSWER_MARK.finditer(answers))
    if answers[: marks[0].start()].strip():
        raise _Malformed("text before the first answer; each answer starts with = or ~")
    ends = [mark.start() for mark in marks[1:]] + [len(answers)]
    return [_choice(mark.group(), answers[mark.end() : end])
            for mark, end in zip(marks, ends, strict=True)]


def _short_answer(answers: str, markup: str) -> tuple[dict[str, Any], str]:
    right = [(_plain(text, markup), _plain(feedback, markup))
             for credit, text, feedback in _marked(answers) if credit == 100]
    if not right or not all(text for text, _ in right):
        raise _Malformed("no full-credit answer to accept")
    return {"kind": "text", "accept": [text for text, _ in right]}, right[0][1]


def _numerical(answers: str, markup: str) -> tuple[dict[str, Any], str]:
    """``3.14:0.01``, ``1..5`` or several ``=3.14:0.01 =%50%3.1:0.1``: the full-credit one."""
    if "=" in answers:
        right = [(text, feedback) for credit, text, feedback in _marked(answers)
                 if credit == 100]
        if not right:
            raise _Malformed("no full-credit number")
        value, feedback = right[0]
    else:
        value, _, feedback = answers.partition("#")
    value = _plain(value)
    span = NUMBER_RANGE.match(value)
    try:
        if span:
            low, high = (float(part) for part in span.groups())
            correct, tolerance = (low + high) / 2, abs(high - low) / 2
        else:
            number, _, slack = value.partition(":")
            correct, tolerance = float(number), float(slack or 0)
    except ValueError:
        raise _Malformed(f"{value!r} is not a number, a number:tolerance or a low..high range"
                         ) from None
    return ({"kind": "number", "correct": _tidy(correct), "tolerance": _tidy(tolerance)},
            _plain(feedback, markup))


def _tidy(number: float) -> int | float:
    return int(number) if number.is_integer() else number


def _multiple_choice(answers: str, markup: str) -> tuple[dict[str, Any], str]:
    choices = _marked(answers)
    if len(choices) > len(LETTERS):
        raise _Skipped(f"{len(choices)} choices; a live question has at most {len(LETTERS)}")
    options = [_plain(text, markup) for _, text, _ in choices]
    if not all(options):
        raise _Malformed(f"answer {options.index('') + 1} is empty")
    full = [i for i, (credit, _, _) in enumerate(choices) if credit >= 100]
    shares = [i for i, (credit, _, _) in enumerate(choices) if 0 < credit < 100]
    if len(shares) > 1 and not full:
        # Moodle's multiple-answer question: the marks are shared among several answers.
        kind, right = "multi", shares
    elif full:
        kind, right = "choice", full
    else:
        raise _Malformed("no answer is marked correct with = or a weight like ~%50%")
    question: dict[str, Any] = {"kind": kind, "options": options,
                                "correct": "".join(LETTERS[i] for i in right)}
    if kind == "multi":
        question["scoring"] = "partial"
    return question, _plain(choices[right[0]][2], markup)


def _choice(mark: str, chunk: str) -> tuple[float, str, str]:
    """(credit in %, text, feedback) of one ``=text#feedback`` or ``~%50%text`` answer."""
    weight = WEIGHT.match(chunk)
    credit = float(weight.group(1)) if weight else (100.0 if mark == "=" else 0.0)
    text, _, feedback = chunk[weight.end() if weight else 0 :].partition("#")
    return credit, text, feedback


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

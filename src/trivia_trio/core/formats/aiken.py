"""Aiken: a question line, options ``A. text`` or ``A) text``, then ``ANSWER: B``.

The simplest format Moodle reads. It carries no explanations and no time
limits. A question's text may run over several lines before its options.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import Any

from ..kinds import LETTERS
from ..quiz import Quiz
from .parsed import Parsed

OPTION_LINE = re.compile(r"^([A-Z])[.)]\s+(\S.*)$")
ANSWER_LINE = re.compile(r"^ANSWER\s*:\s*(.*)$", re.IGNORECASE)
# Spaces within a line only: ^\s* would be quadratic in a file of blank lines.
LOOKS_LIKE_AIKEN = re.compile(r"^[^\S\n]*ANSWER[^\S\n]*:[^\S\n]*[A-Z][^\S\n]*$",
                              re.MULTILINE | re.IGNORECASE)


@dataclass
class _Draft:
    """A question being read: where it starts, its text lines and its options so far."""

    number: int
    line: int
    text: list[str]
    options: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"question {self.number} (line {self.line})"


@dataclass
class _Reader:
    """Reads a file line by line, filing each question as asked, skipped or wrong."""

    questions: list[dict[str, Any]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    draft: _Draft | None = None
    count: int = 0

    def read(self, number: int, line: str) -> None:
        option, answer = OPTION_LINE.match(line), ANSWER_LINE.match(line)
        if answer:
            self._answer(number, answer.group(1).strip().upper())
        elif option:
            self._option(number, option.group(1), option.group(2))
        elif self.draft is not None and not self.draft.options:
            self.draft.text.append(line)
        else:
            self.end()
            self.count += 1
            self.draft = _Draft(self.count, number, [line])

    def end(self) -> None:
        if self.draft is not None:
            self.problems.append(f"{self.draft.label}: no ANSWER: line after its options")
            self.draft = None

    def _option(self, number: int, letter: str, text: str) -> None:
        if self.draft is None:
            self.problems.append(f"line {number}: option {letter} comes before any question")
            return
        expected = string.ascii_uppercase[len(self.draft.options) :][:1] or "no further option"
        if letter != expected:
            self.problems.append(f"question {self.draft.number} (line {number}): option"
                                 f" {letter} where {expected} was expected")
        self.draft.options.append(text)

    def _answer(self, number: int, letter: str) -> None:
        draft, self.draft = self.draft, None
        if draft is None or not draft.options:
            self.problems.append(f"line {number}: ANSWER: with no question and options above it")
            return
        letters = string.ascii_uppercase[: len(draft.options)]
        if letter not in tuple(letters):
            self.problems.append(f"question {draft.number} (line {number}): the answer"
                                 f" {letter!r} is not one of {', '.join(letters)}")
        elif len(draft.options) < 2:
            self.problems.append(f"{draft.label}: only one option; a question needs at least two")
        elif len(draft.options) > len(LETTERS):
            self.skipped.append(
                f"{draft.label}: {len(draft.options)} options;"
                f" a live question has at most {len(LETTERS)}"
            )
        else:
            text = " ".join(draft.text)
            self.questions.append({"text": text, "options": draft.options, "correct": letter})
            self.labels.append(draft.label)


def looks_like(text: str) -> bool:
    return LOOKS_LIKE_AIKEN.search(text) is not None


def parse(text: str, *, title: str = "Untitled quiz") -> Parsed:
    """Read the questions into a quiz object titled ``title`` (Aiken carries no title),
    with every line that breaks the format."""
    reader = _Reader()
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), 1):
        if line.strip():
            reader.read(number, line.strip())
    reader.end()
    return Parsed({"title": title, "questions": reader.questions}, tuple(reader.skipped),
                  labels=reader.labels, problems=reader.problems)


def dump(quiz: Quiz) -> str:
    """Every question on one line with its options; explanations and time limits are not kept.

    Aiken carries choice questions with one answer only."""
    blocks = []
    for question in quiz.questions:
        fields = question.kind.to_dict()
        lines = [_one_line(question.text)]
        lines += [f"{letter}. {_one_line(option)}"
                  for letter, option in zip(LETTERS, fields["options"], strict=False)]
        blocks.append("\n".join([*lines, f"ANSWER: {fields['correct']}"]) + "\n")
    return "\n".join(blocks)


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())

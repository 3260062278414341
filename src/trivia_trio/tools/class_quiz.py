"""The throwaway server's quiz, and what a simulated student answers to each kind."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

LETTERS = "ABCDEF"
TYPED_ANSWERS = ("Paris", "  paris ", "Lyon", "Marseille", "PARIS")
# One question of each kind, cycled through by ``--mixed-kinds``.
MIXED_QUESTIONS: tuple[dict[str, Any], ...] = (
    {"text": "Pick one", "options": ["Alpha", "Bravo", "Charlie", "Delta"], "correct": "B"},
    {"kind": "truefalse", "text": "True or false?", "correct": True},
    {"kind": "multi", "text": "Tick every right one", "options": ["a", "b", "c", "d", "e"],
     "correct": "ACE", "scoring": "partial"},
    {"kind": "text", "text": "Capital of France?", "accept": ["Paris"]},
    {"kind": "number", "text": "A number from 0 to 100", "correct": 42, "tolerance": 5,
     "min": 0, "max": 100, "step": 1},
    {"kind": "order", "text": "Put in order", "items": ["one", "two", "three", "four"]},
    {"kind": "poll", "text": "How was it?", "options": ["Good", "Fine", "Hard"]},
    {"kind": "choice", "text": "Six options", "options": ["a", "b", "c", "d", "e", "f"],
     "correct": "EF"},
    {"kind": "slide", "text": "Look at the screen"},
)
OWN_SERVER_TIME_LIMIT_S = 120


def loadtest_quiz(questions: int, *, mixed_kinds: bool = False) -> dict[str, Any]:
    """A quiz whose long time limit leaves closing each question to the load tester:
    A-D questions, or with ``mixed_kinds`` one question of each kind in turn."""
    if mixed_kinds:
        chosen = [MIXED_QUESTIONS[idx % len(MIXED_QUESTIONS)] for idx in range(questions)]
    else:
        chosen = [{"text": "Load test question", "options": ["Alpha", "Bravo", "Charlie", "Delta"],
                   "correct": LETTERS[idx % 4]} for idx in range(questions)]
    return {
        "title": "Load test",
        "time_limit_default": OWN_SERVER_TIME_LIMIT_S,
        "score_fn": "speed",
        "close_when_all_answered": False,
        "questions": [question | {"text": f"{question['text']} {idx + 1}"}
                      for idx, question in enumerate(chosen)],
    }


@dataclass(frozen=True)
class Answer:
    sent: Any  # what the student submits
    stored: Any  # what its submit_ack must echo: the answer as the server stores it


def sensible_answer(message: dict[str, Any], rng: random.Random) -> Answer | None:
    """What a student might answer to ``question_open``, by its kind; None for a slide."""
    kind = message.get("kind", "choice")
    if kind == "slide":
        return None
    if kind == "number":
        low, high = message.get("min", 0), message.get("max", 100)
        value = rng.randint(int(low), int(high))
        return Answer(value, value)
    if kind == "text":
        typed = rng.choice(TYPED_ANSWERS)
        return Answer(typed, typed.strip())
    letters = LETTERS[: len(message.get("options") or message.get("items") or ())]
    if kind == "multi":
        picked = rng.sample(letters, rng.randint(1, len(letters)))
        return Answer("".join(picked), "".join(sorted(picked)))
    if kind == "order":
        arranged = "".join(rng.sample(letters, len(letters)))
        return Answer(arranged, arranged)
    letter = rng.choice(letters)
    return Answer(letter, letter)

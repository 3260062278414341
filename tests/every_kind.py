"""A quiz with a question of every kind, a slide and a poll among them, that the browser
walks play from start to end: the live class walk (test_browser_class_walk) and the
student-paced one (test_browser_paced). Each answer's verdict is known in advance:
binary scoring, and time enough that no question closes by its clock in a script."""

from __future__ import annotations

from typing import Any

QUESTIONS: list[dict[str, Any]] = [
    {"kind": "choice", "text": "2 + 2?", "options": ["3", "4", "5", "22"], "correct": "B",
     "explanation": "Two pairs make four."},
    {"kind": "multi", "text": "Which of these are mammals?",
     "options": ["Whale", "Shark", "Bat", "Trout"], "correct": "AC", "scoring": "partial"},
    {"kind": "slide", "text": "Five-minute break"},
    {"kind": "truefalse", "text": "Water boils at 100 °C at sea level.", "correct": True},
    {"kind": "text", "text": "The capital of France?", "accept": ["Paris"]},
    {"kind": "number", "text": "How many degrees in a right angle?", "correct": 90,
     "tolerance": 2},
    {"kind": "order", "text": "Smallest first:", "items": ["Atom", "Cell", "Organ", "Body"]},
    {"kind": "poll", "text": "How was the pace today?",
     "options": ["Too slow", "Just right", "Too fast"]},
]
CLOUD: dict[str, Any] = {"kind": "cloud", "text": "One word for today's lesson?",
                         "max_answers": 2}


def every_kind(title: str, *, cloud: bool = False, **settings: Any) -> dict[str, Any]:
    """The quiz called ``title``, the word cloud last if ``cloud``, with ``settings``."""
    return {"title": title, "time_limit_default": 120, "score_fn": "binary", **settings,
            "questions": [*QUESTIONS, *([CLOUD] if cloud else [])]}

"""What the phones show in a live run: the question and its options (``question``, the
default), or only the big lettered answer buttons while the projector shows the question
(``buttons``: eyes on the big screen, no reading ahead).

The rule decides what a phone is *sent*, not only what the page draws: in a buttons-only
run a phone never gets the text, options or picture of a question its buttons answer (a
choice-like kind's, see ``Kind.buttons_suffice``; a slide is "look at the screen"), only
its kind and ``option_count``. A kind the buttons cannot answer (typed words, a number,
an order, a word cloud) is sent whole: the student needs it to answer. And with no
projector open there is no big screen to look at: the phones get everything.
"""

from __future__ import annotations

from typing import Any

from .kinds import Kind

PHONES = ("question", "buttons")
# What a buttons-only phone is not sent.
ON_THE_BIG_SCREEN = ("text", "options", "image")


def buttons_only(mode: str, kind: Kind, *, projector_open: bool) -> bool:
    """Whether a phone is sent only the buttons of a question of ``kind`` now."""
    return mode == "buttons" and projector_open and kind.buttons_suffice


def for_phones(message: dict[str, Any]) -> dict[str, Any]:
    """A ``question_open`` as a buttons-only phone gets it: ``buttons_only: true``, the
    number of buttons to draw (``option_count``, for a kind with options) and nothing
    the big screen shows."""
    kept = {key: value for key, value in message.items() if key not in ON_THE_BIG_SCREEN}
    if "options" in message:
        kept["option_count"] = len(message["options"])
    return kept | {"buttons_only": True}

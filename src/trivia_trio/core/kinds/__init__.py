"""Question kinds: one module each, found here by the name a quiz file gives.

Adding a kind means one module (a ``Kind`` subclass, see ``base``), one line
below, and one renderer in ``static/kinds/`` (see ``static/kinds.js``). Nothing
else names kinds one by one: formats, exports, views and pages ask the kind
(``option_field``, ``file_fields``, ``has_right_answer``, ...) or its renderer.
The module carries the kind's words in every language (``Kind.words``, served in
the catalogs: ``catalog_words``) and its sample question (``Kind.sample``, its
row of the CSV template). tests/test_kind_design.py holds the rule: a kind's name
is written nowhere else.
"""

from __future__ import annotations

from typing import Any

from .base import LETTERS, V1_LETTERS, BadAnswer, Kind, Report
from .choice import Choice
from .cloud import Cloud
from .multi import Multi
from .number import Number
from .order import Order
from .poll import Poll
from .slide import Slide
from .text import Text
from .truefalse import TrueFalse

KINDS: dict[str, type[Kind]] = {
    kind.name: kind for kind in (Choice, TrueFalse, Multi, Text, Number, Order, Poll, Slide,
                                   Cloud)
}
DEFAULT_KIND = "choice"


def catalog_words(language: str) -> dict[str, Any]:
    """Every kind's words in ``language``, as keys of its catalog (``Kind.words``)."""
    return {key: text for kind in KINDS.values()
            for key, text in kind.catalog_words(language).items()}

__all__ = ["DEFAULT_KIND", "KINDS", "LETTERS", "V1_LETTERS", "BadAnswer", "Kind", "Report",
           "catalog_words"]

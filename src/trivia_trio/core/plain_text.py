"""Text people type, kept so that it looks like what it is.

Characters that draw nothing (zero-width marks, the soft hyphen, fillers) or
reorder what follows (bidi overrides and marks) let two different texts look
alike, or one look like another: ``Par\u200bis`` looks like "Paris" but is not.
Names refuse them (``auth.clean_label``); typed answers drop them.
"""

from __future__ import annotations

import unicodedata

# Zero-width marks (also format characters, listed for clarity).
INVISIBLE = frozenset({"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"})
# Letters and symbols that are drawn as nothing: Hangul fillers, the blank Braille
# pattern, and the default-ignorable marks that are not format characters.
BLANK = frozenset({"\u034f", "\u115f", "\u1160", "\u17b4", "\u17b5", "\u180e", "\u2800",
                   "\u3164", "\uffa0"})
# Control, format (bidi, zero-width, soft hyphen, tags) and lone surrogates.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})


def is_hidden(char: str) -> bool:
    """Whether ``char`` draws nothing or reorders the text around it."""
    return unicodedata.category(char) in HIDDEN_CATEGORIES or char in INVISIBLE or char in BLANK


def clean_typed(text: str) -> str:
    """A typed answer as it is graded, stored and shown: hidden characters dropped, NFC,
    any run of spaces (tabs and line breaks included) one space, trimmed."""
    kept = "".join(char for char in text if char.isspace() or not is_hidden(char))
    return " ".join(unicodedata.normalize("NFC", kept).split())

"""Text people type, kept so that it looks like what it is.

Characters that draw nothing (zero-width marks, the soft hyphen, fillers) or
reorder what follows (bidi overrides and marks) let two different texts look
alike, or one look like another: ``Par\u200bis`` looks like "Paris" but is not.
Names refuse them (``clean_label``); typed answers drop them.
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


def clean_label(value: object, field: str, max_chars: int) -> str:
    """A student id or name as we store it: NFC, trimmed, 1..max_chars, nothing hidden.

    Raises ValueError with a message a student can act on.
    """
    if not isinstance(value, str):
        raise ValueError(f"{field} must be text")
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        raise ValueError(f"{field} is empty")
    if len(text) > max_chars:
        raise ValueError(f"{field} is longer than {max_chars} characters")
    for char in text:
        # A name that hides or reorders characters could pass for someone else's on the
        # instructor's screen; private and unassigned ones may draw as anything.
        if is_hidden(char) or unicodedata.category(char) in ("Co", "Cn", "Zl", "Zp"):
            raise ValueError(f"{field} contains a control or invisible character")
    if not any(unicodedata.category(char) not in ("Zs", "Mn", "Me") for char in text):
        raise ValueError(f"{field} shows nothing: type letters or digits")
    return text

"""Math in quiz text, found as the pages find it, and bounded before any page typesets it.

KaTeX (``static/math.js``) typesets ``$…$`` and ``$$…$$``; TeX nested 150 deep
(``\\sqrt{`` 150 times: 1 KB) kills the browser tab that typesets it, on every
phone, the projector, the dashboard and the editor. So math is bounded by how
deep it nests (braces, ``\\left…\\right``, ``\\begin…\\end``, a root's
``[index]``), and may not define macros (a chain of definitions nests as deep as
it likes in a few characters). ``check`` reports math over the bound; the pages
show such math as its plain text. This module and ``static/math.js`` must agree:
the tests hold both to the same cases.
"""

from __future__ import annotations

import re

MAX_MATH_DEPTH = 20
DEFINES_MACROS = frozenset({"def", "gdef", "edef", "xdef", "let", "futurelet", "global",
                            "newcommand", "renewcommand", "providecommand"})
OPENS = frozenset({"left", "begin"})
CLOSES = frozenset({"right", "end"})
COMMAND = re.compile(r"\\([A-Za-z]+|.?)", re.DOTALL)
DIGITS = "0123456789"


def math_pieces(text: str) -> list[str]:
    """The TeX of each math piece in ``text``, split exactly as ``splitMath`` in
    ``static/math.js`` splits it: ``\\$`` is a dollar sign, ``$`` opens math only
    before a non-space and closes it only after a non-space and not before a digit."""
    pieces: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and text[i + 1:i + 2] == "$":
            i += 2
            continue
        if text[i] == "$":
            display = text[i + 1:i + 2] == "$"
            width = 2 if display else 1
            end = _display_end(text, i + 2) if display else _inline_end(text, i + 1)
            if end >= 0:
                pieces.append(text[i + width:end])
                i = end + width
                continue
        i += 1
    return pieces


def _display_end(text: str, start: int) -> int:
    end = text.find("$$", start)
    return end if end > start else -1


def _inline_end(text: str, start: int) -> int:
    if start >= len(text) or text[start].isspace():
        return -1
    j = start
    while j < len(text):
        if text[j] == "\\":
            j += 1
        elif text[j] == "$":
            after = text[j + 1:j + 2]
            closes = not text[j - 1].isspace() and not (after and after in DIGITS)
            return j if closes else -1
        j += 1
    return -1


def math_depth(tex: str) -> int | None:
    """How deep ``tex`` nests; None when it defines a macro (its depth cannot be read)."""
    open_groups: list[str] = []
    deepest = 0
    i = 0
    while i < len(tex):
        char = tex[i]
        if char == "\\":
            word = COMMAND.match(tex, i).group(1)  # type: ignore[union-attr]
            i += 1 + len(word)
            if word in DEFINES_MACROS:
                return None
            if word in OPENS:
                open_groups.append(word)
            elif word in CLOSES and open_groups:
                open_groups.pop()
            elif word == "sqrt" and tex[i:i + 1] == "[":
                open_groups.append("[")
                i += 1
        else:
            if char == "{":
                open_groups.append(char)
            elif open_groups and (char == "}" or char == "]" and open_groups[-1] == "["):
                open_groups.pop()
            i += 1
        deepest = max(deepest, len(open_groups))
    return deepest


def math_problem(text: str) -> str | None:
    """Why the pages would show ``text``'s math as plain text, in ``check``'s words; None
    when every piece can be typeset."""
    for tex in math_pieces(text):
        depth = math_depth(tex)
        if depth is None:
            return "has math that defines a macro (\\def, \\newcommand…), which pages do not run"
        if depth > MAX_MATH_DEPTH:
            return (f"has math nested {depth} levels deep; at most {MAX_MATH_DEPTH} (deeper"
                    " math stops the pages that show it)")
    return None

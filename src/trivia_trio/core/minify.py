"""Our own scripts and stylesheets without their comments and indentation, for the wire.

The pages' scripts are written to be read: a quarter of what a phone downloads of
them, gzipped, is comments (a sixth of the stylesheets). This takes out comments
and collapses each run of whitespace to one space, or in a script one newline
when it held a newline (so automatic semicolon insertion reads the script as
before), and changes nothing else: no renaming, no rewriting. Strings, template
literals (their ``${…}`` code included) and regular expression literals are
copied as they are.

It reads JavaScript as our pages write it. A ``/`` is a regular expression where an
expression may start (after an operator, an opening bracket, a comma or a keyword
such as ``return``), a division elsewhere; a script that needed more than that
would show as a syntax error in the browser tests, which run every page on the
stripped scripts, and ``tests/test_minify.py`` holds every script of ours to the
same tokens before and after.
"""

from __future__ import annotations

import re

# A stylesheet's strings and comments; what lies between them is rules.
STYLE_PIECE = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|/\*.*?\*/', re.S)
SPACES = re.compile(r"\s+")
# A script's pieces, one at a time; a run of plain code is taken whole.
PIECE = re.compile(r"""
    (?P<space>\s+)
  | (?P<line>//[^\n]*)
  | (?P<block>/\*.*?\*/)
  | (?P<unclosed>/\*)
  | (?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<tick>`)
  | (?P<slash>/)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<code>[^\s/'"`{}]+(?:\ [^\s/'"`{}]+)*)  # single spaces need no collapsing
""", re.S | re.X)
REGEX = re.compile(r"/(?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n\[])+/[A-Za-z]*")
TEMPLATE_TEXT = re.compile(r"(?:\\.|[^`\\$]|\$(?!\{))*", re.S)
LAST_WORD = re.compile(r"[\w$]+$")
# After these words an expression starts: a "/" there opens a regular expression.
EXPRESSION_WORDS = {"return", "typeof", "instanceof", "in", "of", "new", "delete", "void",
                    "throw", "case", "do", "else", "yield", "await"}


class _Reader:
    """One pass over ``source``, writing what the browser needs to ``out``."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.at = 0
        self.out: list[str] = []
        self.gap = ""  # whitespace (or a comment) since the last thing written: "", " " or "\n"
        self.value_ended = False  # the last thing written was a string, template or regex

    def write(self, text: str, value: bool = False) -> None:
        if self.gap and self.out:
            self.out.append(self.gap)
        self.gap = ""
        self.out.append(text)
        self.value_ended = value

    def blank(self, newline: bool) -> None:
        """Whitespace or a comment: one newline if it held one, else one space."""
        self.gap = "\n" if newline or self.gap == "\n" else " "

    def code(self, in_template: bool) -> None:
        """Read code up to the end (or, in a template's ``${``, its closing brace)."""
        source, depth = self.source, 0
        while self.at < len(source):
            piece = PIECE.match(source, self.at)
            if piece is None:  # a quote that never closes on its line
                raise ValueError(f"unclosed string at {self.at}")
            kind, text = piece.lastgroup, piece.group()
            if kind == "unclosed":
                raise ValueError(f"unclosed comment at {self.at}")
            if kind in ("space", "block"):
                self.blank("\n" in text or "\r" in text)
            elif kind == "line":
                self.blank(False)
            elif kind == "string":
                self.write(text, value=True)
            elif kind == "tick":
                self.template()
                continue
            elif kind == "slash" and self.expression_starts():
                found = REGEX.match(source, self.at)
                if found is None:
                    raise ValueError(f"unclosed regular expression at {self.at}")
                self.write(found.group(), value=True)
                self.at = found.end()
                continue
            elif kind == "close" and in_template and depth == 0:
                return
            else:
                depth += {"open": 1, "close": -1}.get(kind or "", 0)
                self.write(text)
            self.at = piece.end()
        if in_template:
            raise ValueError("unclosed ${ in a template literal")

    def expression_starts(self) -> bool:
        """Whether a ``/`` here opens a regular expression (else it divides)."""
        if self.value_ended:
            return False
        if not self.out:
            return True
        last = self.out[-1]
        if last[-1] in ")]}":
            return False
        if last.endswith(("++", "--")):  # i++ / 2
            return False
        word = LAST_WORD.search(last)
        return word is None or word.group() in EXPRESSION_WORDS

    def template(self) -> None:
        """A template literal as it is; the code in each ``${…}`` read as code."""
        source = self.source
        self.write("`")
        self.at += 1
        while True:
            text = TEMPLATE_TEXT.match(source, self.at)
            assert text is not None  # it matches the empty string at least
            self.out.append(text.group())
            self.at = text.end()
            if source.startswith("`", self.at):
                self.out.append("`")
                self.at += 1
                self.value_ended = True
                return
            if not source.startswith("${", self.at):
                raise ValueError("unclosed template literal")
            self.out.append("${")
            self.at += 2
            self.code(in_template=True)
            self.gap = ""
            self.out.append("}")
            self.at += 1


def strip_script(source: str) -> str:
    """``source`` without comments, each run of whitespace one space or newline."""
    reader = _Reader(source)
    reader.code(in_template=False)
    return "".join(reader.out) + "\n"


def strip_style(source: str) -> str:
    """A stylesheet without comments (to CSS a comment is nothing, not a space), each
    run of whitespace outside its strings one space."""
    out, rules, at = [], "", 0
    for piece in STYLE_PIECE.finditer(source):
        rules += source[at:piece.start()]
        at = piece.end()
        if not piece.group().startswith("/*"):  # a string: kept as it is
            out += [SPACES.sub(" ", rules), piece.group()]
            rules = ""
    out.append(SPACES.sub(" ", rules + source[at:]))
    return "".join(out).strip() + "\n"

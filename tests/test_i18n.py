"""The pages' words live in the catalogs (static/i18n/*.json, and each kind's own words in
its module: ``Kind.words``), nowhere else.

What counts as text a page shows, for the scan below:

* HTML (static/*.html): every text node outside <script>/<style> that holds a
  letter, and the attributes alt, title, placeholder, aria-label and value
  when they hold a letter. Such text must not be written in the file: the
  element names a catalog key instead (data-i18n="key", data-i18n-alt="key"...).
* JS (static/*.js): string literals holding a letter that are passed as the
  text argument of a text-setting helper (TEXT_ARGUMENTS below), assigned to
  .textContent / document.title, or given as a text-like property
  (text, title, alt, placeholder, aria-label) of an object literal. Inside such
  an argument, literals in a nested call (t("key"), formatters, other helpers,
  which are checked on their own), in a subscript, or compared with ===/!==
  are code, not text. Symbols without letters ("—", " · ", "⚠ ") are allowed.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from trivia_trio.core.kinds import catalog_words

STATIC = Path(__file__).resolve().parents[1] / "static"
CATALOGS = STATIC / "i18n"
SERVER = Path(__file__).resolve().parents[1] / "src" / "trivia_trio"
ENGLISH = json.loads((CATALOGS / "en.json").read_text(encoding="utf-8")) | catalog_words("en")
LANGUAGE_FILES = sorted(CATALOGS.glob("*.json"))
LETTER = re.compile(r"[^\W\d_]")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# The plural forms Intl.PluralRules picks for whole numbers in each language (CLDR, as
# Chromium reports them), and the ones it may pick only for millions ("many" in
# es/fr/it/pt: "de millones"); a form a catalog leaves out falls back to "other".
PLURAL_CATEGORIES = {
    "ar": {"zero", "one", "two", "few", "many", "other"},
    "pl": {"one", "few", "many", "other"},
    "ja": {"other"},
    "zh-CN": {"other"},
}
DEFAULT_CATEGORIES = {"one", "other"}
MILLIONS_ONLY = {"es": {"many"}, "fr": {"many"}, "it": {"many"}, "pt-BR": {"many"}}
# Keys the page builds from a code the server sends: i18n.serverText(kind, code).
SERVER_CODE_PREFIXES = ("error.", "warning.")

# helper name → the positions of its text arguments ("n+" = position n and every later one).
TEXT_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "setText": ("1",),
    "announce": ("0",),
    "say": ("1",),
    "fill": ("1+",),
    "el": ("2+",),
    "showJoinError": ("0",),
    "showJoinForm": ("0",),
    "setAnswerStatus": ("0",),
    "showWarning": ("1",),
    "confirmAction": ("0", "1"),
    "renderColumnChart": ("1",),
    "submitButton": ("0",),
    "answerHint": ("0",),
    "actionButton": ("0", "1"),
    "numberLineText": ("0",),
}
TEXT_PROPERTIES = {"text", "title", "alt", "placeholder", "aria-label"}
# The quiz editor's own page is not worded through the catalogs yet (its language
# setting is): work left, not an exception to the rule.
NOT_YET_WORDED_FILES = {"editor.html", "editor.js"}
TEXT_ASSIGNMENTS = {"textContent", "title", "innerText", "placeholder", "alt"}


def catalog(path: Path) -> dict[str, object]:
    """A language's texts as its pages get them: its file and the kinds' words."""
    return json.loads(path.read_text(encoding="utf-8")) | catalog_words(path.stem)


def page_sources() -> dict[str, str]:
    """Our pages' HTML and JS, the per-kind renderers included (not vendored KaTeX)."""
    scripts = [path for path in STATIC.rglob("*.js") if "katex" not in path.parts]
    return {str(path.relative_to(STATIC)): path.read_text(encoding="utf-8")
            for path in sorted([*scripts, *STATIC.glob("*.html")])}


def forms(value: object) -> list[str]:
    return list(value.values()) if isinstance(value, dict) else [value]  # type: ignore[list-item]


# ---- catalogs -------------------------------------------------------------------------------
def test_there_are_twelve_languages_and_i18n_js_lists_each_catalog() -> None:
    codes = {path.stem for path in LANGUAGE_FILES}
    assert codes == {"en", "es", "fr", "de", "pt-BR", "it", "nl", "pl", "tr", "ja", "zh-CN", "ar"}
    listed = re.search(r"const LANGUAGES = \{(.*?)\};", (STATIC / "i18n.js").read_text(), re.S)
    assert listed is not None
    assert set(re.findall(r'^\s*"?([\w-]+)"?:', listed.group(1), re.M)) == codes


@pytest.mark.parametrize("path", LANGUAGE_FILES, ids=lambda path: path.stem)
def test_every_catalog_has_exactly_the_english_keys(path: Path) -> None:
    texts = catalog(path)
    assert sorted(set(ENGLISH) - set(texts)) == [], "missing (the page would fall back to English)"
    assert sorted(set(texts) - set(ENGLISH)) == [], "not in English"


@pytest.mark.parametrize("path", LANGUAGE_FILES, ids=lambda path: path.stem)
def test_every_text_is_filled_in_with_english_placeholders_and_the_plural_forms(
        path: Path) -> None:
    language = path.stem
    wanted = PLURAL_CATEGORIES.get(language, DEFAULT_CATEGORIES)
    for key, value in catalog(path).items():
        english = ENGLISH[key]
        english_names = {name for text in forms(english) for name in PLACEHOLDER.findall(text)}
        assert isinstance(value, dict) == isinstance(english, dict), key
        if isinstance(value, dict):
            allowed = wanted | MILLIONS_ONLY.get(language, set())
            assert wanted <= set(value) <= allowed, f"{key}: {language} has forms {sorted(allowed)}"
        for text in forms(value):
            assert isinstance(text, str) and text.strip(), key
            assert set(PLACEHOLDER.findall(text)) <= english_names, key
        # Every placeholder is used by some form (a language may leave out the number in "one").
        used = {name for text in forms(value) for name in PLACEHOLDER.findall(text)}
        assert used == english_names or (english_names - used) <= {"count"}, key


def test_every_english_key_is_used_by_a_page_and_every_used_key_exists() -> None:
    sources = "\n".join(page_sources().values())
    quoted = set(re.findall(r'"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)"', sources))
    files = (".js", ".json", ".csv", ".xlsx", ".html", ".css")
    used = {key for key in quoted if not key.endswith(files)}
    page_keys = {key for key in ENGLISH if not key.startswith(SERVER_CODE_PREFIXES)}
    assert sorted(page_keys - used) == []
    assert sorted(used - set(ENGLISH)) == []


def server_codes() -> set[str]:
    """Every code the server sends with an error or a warning, read from its source."""
    pattern = re.compile(r'(?:Rejected\(|\b_?error\(\d+, |error_message\(|"code": )"([a-z_]+)"')
    return {code for path in SERVER.rglob("*.py")
            for code in pattern.findall(path.read_text(encoding="utf-8"))}


def test_every_code_the_server_sends_has_words_in_the_catalog() -> None:
    codes = server_codes()
    worded = {key.split(".", 1)[1] for key in ENGLISH if key.startswith(SERVER_CODE_PREFIXES)}
    assert "storage" in codes and "time_expired" in codes  # the scan finds them
    assert sorted(codes - worded) == []
    assert sorted(worded - codes - {"unknown"}) == [], "words for codes the server never sends"


# ---- no text outside the catalogs: HTML -----------------------------------------------------
class VisibleText(HTMLParser):
    ATTRIBUTES = ("alt", "title", "placeholder", "aria-label", "value")

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.keys: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skipping += 1
        for name, value in attrs:
            if name.startswith("data-i18n") and value:
                self.keys.append(value)
            elif name in self.ATTRIBUTES and value and LETTER.search(value) \
                    and not (tag == "option" or (tag == "button" and name == "value")):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping and LETTER.search(data):
            self.found.append(data.strip())


def worded_pages(pattern: str) -> list[Path]:
    """Our pages' files matching ``pattern`` under static/ (not vendored KaTeX)."""
    return [path for path in sorted(STATIC.rglob(pattern))
            if path.name not in NOT_YET_WORDED_FILES and "katex" not in path.parts]


@pytest.mark.parametrize("path", worded_pages("*.html"), ids=lambda path: path.name)
def test_html_writes_no_visible_text_only_catalog_keys(path: Path) -> None:
    parser = VisibleText()
    parser.feed(path.read_text(encoding="utf-8"))
    assert parser.found == []
    assert parser.keys, "the page names its texts by key"
    assert sorted(set(parser.keys) - set(ENGLISH)) == []


def test_no_stylesheet_writes_words() -> None:
    """CSS generated content (``content: "Export:"``) is text no catalog can reach."""
    written = {path.name: re.findall(r'content:\s*"([^"]*)"', path.read_text(encoding="utf-8"))
               for path in STATIC.glob("*.css")}
    assert {name: [text for text in texts if LETTER.search(text)]
            for name, texts in written.items() if any(LETTER.search(t) for t in texts)} == {}


# ---- no text outside the catalogs: JS -------------------------------------------------------
TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<template>`(?:\\.|[^`\\])*`)
  | (?P<name>[A-Za-z_$][\w$]*)
  | (?P<number>\d[\w.]*)
  | (?P<op>===|!==|==|!=|=>|\.\.\.|&&|\|\||[-+*%<>!?:=&|^~]=?|[.,;(){}\[\]])
  | (?P<slash>/)
""", re.S | re.X)
REGEX_BEFORE = {"(", ",", "=", ":", "[", "!", "&&", "||", "?", "{", "}", ";", "return", "=>"}
OPEN = {"(": ")", "[": "]", "{": "}"}


def tokens(source: str) -> list[tuple[str, str]]:
    """JS as (kind, text) tokens, without spaces and comments; good enough for our own pages."""
    found: list[tuple[str, str]] = []
    at = 0
    while at < len(source):
        if source[at] == "/" and (not found or found[-1][1] in REGEX_BEFORE) \
                and source[at:at + 2] not in ("//", "/*"):
            end = re.compile(r"/(?:\\.|\[(?:\\.|[^\]])*\]|[^/\\\n])+/[a-z]*").match(source, at)
            assert end is not None, source[at:at + 40]
            found.append(("regex", end.group()))
            at = end.end()
            continue
        match = TOKEN.match(source, at)
        assert match is not None, f"cannot read: {source[at:at + 40]!r}"
        kind = match.lastgroup or ""
        if kind not in ("space", "comment"):
            found.append((kind, match.group()))
        at = match.end()
    return found


def closing(toks: list[tuple[str, str]], start: int) -> int:
    """Index of the bracket closing the one at `start`."""
    depth = 0
    for i in range(start, len(toks)):
        if toks[i][0] == "op" and toks[i][1] in OPEN:
            depth += 1
        elif toks[i][0] == "op" and toks[i][1] in OPEN.values():
            depth -= 1
            if depth == 0:
                return i
    raise AssertionError("unbalanced brackets")


def split_arguments(toks: list[tuple[str, str]], open_at: int) -> list[tuple[int, int]]:
    """[start, end) token ranges of the arguments of the call whose "(" is at open_at."""
    end = closing(toks, open_at)
    ranges, start, i = [], open_at + 1, open_at + 1
    while i < end:
        if toks[i][0] == "op" and toks[i][1] in OPEN:
            i = closing(toks, i) + 1
            continue
        if toks[i] == ("op", ","):
            ranges.append((start, i))
            start = i + 1
        i += 1
    if start < end:
        ranges.append((start, end))
    return ranges


def is_called(toks: list[tuple[str, str]], i: int) -> bool:
    """Whether the bracket at i opens a call's arguments or a subscript (not a grouping)."""
    before = toks[i - 1] if i else ("op", ";")
    return before[0] in ("name", "string") or before[1] in (")", "]")


def text_literals(toks: list[tuple[str, str]], start: int, end: int) -> list[str]:
    """String literals in an expression that end up in the text (see the module docstring)."""
    found, i = [], start
    while i < end:
        kind, value = toks[i]
        if kind == "op" and value in ("(", "[") and is_called(toks, i):
            i = closing(toks, i) + 1
            continue
        if kind == "op" and value == "{":  # an object: its text properties are checked on their own
            i = closing(toks, i) + 1
            continue
        if kind in ("string", "template"):
            near = {toks[i - 1][1] if i else "", toks[i + 1][1] if i + 1 < len(toks) else ""}
            if not near & {"===", "!==", "==", "!="} and LETTER.search(literal_text(value)):
                found.append(value)
        i += 1
    return found


def literal_text(literal: str) -> str:
    return re.sub(r"\$\{[^}]*\}", "", literal[1:-1])


def expression_end(toks: list[tuple[str, str]], start: int) -> int:
    """Where the expression starting at `start` ends: a , ; or closing bracket at its depth."""
    i = start
    while i < len(toks):
        kind, value = toks[i]
        if kind == "op" and value in OPEN:
            i = closing(toks, i) + 1
            continue
        if kind == "op" and (value in (",", ";") or value in OPEN.values()):
            return i
        i += 1
    return i


def shown_literals(source: str) -> list[str]:
    toks = tokens(source)
    found: list[str] = []
    for i, (kind, value) in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else ("", "")
        prev = toks[i - 1] if i else ("", "")
        is_call = nxt == ("op", "(") and prev[1] != "function"
        if kind == "name" and value in TEXT_ARGUMENTS and is_call:
            arguments = split_arguments(toks, i + 1)
            for position in TEXT_ARGUMENTS[value]:
                first = int(position.rstrip("+"))
                picked = arguments[first:] if position.endswith("+") else arguments[first:first + 1]
                for start, end in picked:
                    found += text_literals(toks, start, end)
        is_property = kind == "name" or (kind == "string" and value[1:-1] == "aria-label")
        if is_property and nxt == ("op", ":") and prev[1] in ("{", ","):
            name = value.strip("\"'")
            if name in TEXT_PROPERTIES:
                found += text_literals(toks, i + 2, expression_end(toks, i + 2))
        is_assigned = prev == ("op", ".") and nxt == ("op", "=")
        if kind == "name" and value in TEXT_ASSIGNMENTS and is_assigned:
            found += text_literals(toks, i + 2, expression_end(toks, i + 2))
        if kind == "name" and value == "setAttribute" and nxt == ("op", "("):
            arguments = split_arguments(toks, i + 1)
            if len(arguments) == 2 and toks[arguments[0][0]][1].strip("\"'") in TEXT_PROPERTIES:
                found += text_literals(toks, *arguments[1])
    return found


def test_the_scan_finds_text_in_every_way_a_page_can_show_it() -> None:
    sample = """
      setText("x", "Hello " + name);
      announce(ok === "yes" ? "Well done" : t("key.word"));
      fill(node, "Loaded: ", el("b", { text: "Bold" }), " · ");
      node.textContent = `Made ${count} things`;
      button.setAttribute("aria-label", 'Close it');
      el("span", { class: "never-text", "aria-label": "Labelled" }, "Child");
      const ignored = { id: "not text", key: "some.key" };
      setText("x", t("a.b", { name: "Ada" }), formatScore(3));
      if (/^\\/\\w+/.test(s)) setText("x", parts["label"] + " —");
    """
    assert sorted(shown_literals(sample)) == sorted([
        '"Hello "', '"Well done"', '"Loaded: "', '"Bold"', "`Made ${count} things`",
        "'Close it'", '"Labelled"', '"Child"'])


@pytest.mark.parametrize("path", worded_pages("*.js"),
                         ids=lambda path: str(path.relative_to(STATIC)))
def test_js_passes_no_written_text_to_the_page(path: Path) -> None:
    assert shown_literals(path.read_text(encoding="utf-8")) == []

"""A kind is one module in ``core/kinds`` plus one renderer in ``static/kinds``: the rest
of the program asks the kind, so a new kind needs no edit elsewhere (its words and its
sample question are in its module too)."""

from __future__ import annotations

import ast
import json
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from trivia_trio.core.formats import csv_format
from trivia_trio.core.kinds import DEFAULT_KIND, KINDS, Kind, Report
from trivia_trio.web.assets import Assets, kind_parts, question_kinds_script

from .test_i18n import tokens

STATIC = files("trivia_trio").joinpath("static")
# What each part of a renderer holds (static/kinds.js): the phone answers, the room shows.
PHONE_ONLY = ("answer",)
ROOM_ONLY = ("board", "tally", "label", "nameKey", "fields")


def registered(script: str) -> list[str]:
    """The kinds a script registers, in the order of their first registration."""
    return list(dict.fromkeys(re.findall(r'registerKind\("([a-z]+)"', script)))


def registered_properties(script: str) -> set[str]:
    """The properties a script's registerKind calls give (two spaces in, as written)."""
    return set(re.findall(r"^  (\w+)\b", "".join(re.findall(
        r'^registerKind\(".*?^\}\);', script, re.M | re.S)), re.M))


@pytest.mark.parametrize("part", [None, "phone", "room"])
def test_every_kind_has_a_renderer_and_pages_get_them_in_the_registered_order(
        part: str | None) -> None:
    script = question_kinds_script(STATIC, part).decode()
    assert registered(script) == list(KINDS)


def test_a_phone_gets_no_board_and_the_room_no_answering_controls() -> None:
    phone = question_kinds_script(STATIC, "phone").decode()
    room = question_kinds_script(STATIC, "room").decode()
    assert registered_properties(phone) >= {"answer", "say", "solution"}
    assert not registered_properties(phone) & set(ROOM_ONLY)
    assert "function letterTally(" not in phone and "function wordCloud(" not in phone
    assert registered_properties(room) >= {"board", "tally", "say", "solution", "label"}
    assert not registered_properties(room) & set(PHONE_ONLY)
    assert "function sliderControl(" not in room and "function oneTapAnswer(" not in room


def test_each_renderer_gives_each_part_its_share() -> None:
    """Every renderer file is cut the same way, so each page gets each kind whole."""
    for entry in STATIC.joinpath("kinds").iterdir():
        parts = kind_parts(entry.read_bytes())
        assert [name for name, _ in parts] == [None, "phone", "room"], entry.name
        by_part = {name: registered_properties(section.decode()) for name, section in parts}
        assert by_part["phone"] == {"answer"}, entry.name
        assert by_part["room"] >= {"board", "tally", "label", "nameKey"}, entry.name
        assert by_part["room"] <= set(ROOM_ONLY), entry.name
        assert by_part[None] >= {"say", "solution"}, entry.name


def test_every_kind_field_has_a_csv_column_and_new_ones_come_last() -> None:
    header = csv_format.COLUMNS + csv_format.EXTRA_COLUMNS + csv_format.KIND_COLUMNS
    for kind in KINDS.values():
        assert set(kind.file_fields) <= set(header), kind.name
    fixed = len(csv_format.COLUMNS + csv_format.EXTRA_COLUMNS)
    assert header[:fixed] == ("question", "kind", "A", "B", "C", "D", "E", "F", "correct",
                              "tolerance", "time_limit", "explanation", "image", "min",
                              "max", "step", "scoring", "exact")


# ---- a kind's name is written in its own files only -----------------------------------------
ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "trivia_trio"
# Files that still name an older kind, from before kinds carried their own words: each
# should ask the kind instead (a property, as ``shuffles_options`` or ``votes``). Work
# left, not an exception: this list may only shrink, and a kind not in it (``cloud``, any
# new one) is named nowhere but in its module, its renderer and the registration.
NAMED_BEFORE_THE_RULE = {
    "truefalse": {"src/trivia_trio/core/formats/csv_format.py",
                  "src/trivia_trio/core/formats/gift.py",
                  "src/trivia_trio/tools/class_quiz.py", "static/editor.js"},
    "multi": {"src/trivia_trio/core/formats/gift.py", "src/trivia_trio/tools/class_quiz.py",
              "static/editor.js"},
    "order": {"src/trivia_trio/tools/class_quiz.py", "static/editor.js"},
    "poll": {"src/trivia_trio/tools/class_quiz.py", "static/editor.js"},
    "slide": {"src/trivia_trio/core/formats/gift.py", "src/trivia_trio/tools/class_quiz.py"},
}
# Names that are also plain words of the code (a question's "text", a "number" input,
# typeof): for them the scan looks for their keys and file names only, not the bare word.
WORDS_OF_THE_CODE = {"text", "number"}


def code_strings(path: Path) -> list[str]:
    """The strings a file's code holds, not its comments or docstrings: a kind named in
    prose ("a word cloud's entries") is documentation, a kind named in code is a check
    on its name. Python: string constants and imported module names; JS: string and
    template literals; HTML and CSS: quoted values; JSON: its strings."""
    source = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        tree = ast.parse(source)
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                                    | ast.AsyncFunctionDef)
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        found = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
                 and isinstance(node.value, str) and id(node) not in docstrings]
        return found + [part for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                        for part in (node.module or "").split(".")]
    if path.suffix == ".js":
        return [text[1:-1] for kind, text in tokens(source) if kind in ("string", "template")]
    return re.findall(r'"((?:\\.|[^"\\])*)"', source)


def names_kind(literal: str, name: str) -> bool:
    """Whether a string of code names the kind: the name itself, one of its catalog keys
    (``kind.cloud.board``), or its files (``cloud.js``)."""
    bare = name not in WORDS_OF_THE_CODE and literal == name
    return bare or re.search(rf"(?<![\w-])(kind\.{name}(\.|$)|{name}\.(js|py)\b)",
                             literal) is not None


@cache
def source_strings() -> dict[str, list[str]]:
    """Our code and data under src/ and static/, file → the strings its code holds (read
    once for every kind): not vendored KaTeX, not the catalogs (held on their own below),
    not the package's link to static/."""
    found = [path for path in PACKAGE.rglob("*") if path.is_file()
             and path.relative_to(PACKAGE).parts[0] != "static"
             and path.suffix in (".py", ".json", ".csv", ".txt", ".gift")]
    found += [path for path in (ROOT / "static").rglob("*") if path.is_file()
              and "katex" not in path.parts and "i18n" not in path.parts
              and path.suffix in (".js", ".html", ".css", ".json")]
    return {str(path.relative_to(ROOT)): code_strings(path) for path in found}


def own_files(name: str) -> set[str]:
    return {"src/trivia_trio/core/kinds/__init__.py", f"src/trivia_trio/core/kinds/{name}.py",
            f"static/kinds/{name}.js"}


def test_the_scan_finds_a_kind_named_in_code_and_not_in_prose(tmp_path: Path) -> None:
    script = tmp_path / "page.js"
    script.write_text('// a word cloud\nif (q.kind === "cloud") t("kind.cloud.board");\n')
    module = tmp_path / "module.py"
    module.write_text('"""A cloud."""\n# cloud\nfrom .kinds.cloud import X\nWORD = "cloud"\n')
    assert [s for s in code_strings(script) if names_kind(s, "cloud")] == [
        "cloud", "kind.cloud.board"]
    assert [s for s in code_strings(module) if names_kind(s, "cloud")] == ["cloud", "cloud"]
    assert not names_kind("a word cloud", "cloud") and not names_kind("text", "text")
    assert names_kind("kind.text.board", "text") and names_kind("kinds/text.js", "text")


@pytest.mark.parametrize("name", [name for name in KINDS if name != DEFAULT_KIND])
def test_a_kind_is_named_only_in_its_module_its_renderer_and_the_registration(
        name: str) -> None:
    """A new kind is its module, its renderer and one line in core/kinds/__init__.py: the
    rest of the program asks the kind (``Kind`` properties, the renderer's), the catalogs
    get its words from it and the CSV template its sample."""
    named = {path for path, strings in source_strings().items()
             if any(names_kind(literal, name) for literal in strings)}
    elsewhere = named - own_files(name)
    assert elsewhere <= NAMED_BEFORE_THE_RULE.get(name, set()), \
        f"{name} is named in {sorted(elsewhere)}: ask the kind instead"


def test_the_catalogs_hold_no_kinds_words_and_each_kind_words_every_language() -> None:
    languages = {entry.name.removesuffix(".json") for entry in STATIC.joinpath("i18n").iterdir()}
    for entry in STATIC.joinpath("i18n").iterdir():
        keys = json.loads(entry.read_bytes())
        assert not [key for key in keys for name in KINDS
                    if key.startswith(f"kind.{name}.") or key == f"library.kind.{name}"], \
            entry.name
    for kind in KINDS.values():
        assert "name" in kind.words, kind.name  # the library names each kind
        for word, texts in kind.words.items():
            assert set(texts) == languages, f"{kind.name}.{word}"
        assert kind.sample, kind.name  # its row of the CSV template


def test_a_new_kind_is_its_module_and_its_renderer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kind registered with its module and its renderer only: its words reach the pages'
    catalogs in every language, its renderer the pages' kinds script, its sample the CSV
    template."""
    languages = [entry.name.removesuffix(".json") for entry in STATIC.joinpath("i18n").iterdir()]

    @dataclass(frozen=True)
    class Hum(Kind):
        name = "hum"
        has_right_answer = False
        words = {"board": {code: f"Hum ({code})" for code in languages},
                 "name": {code: f"hum ({code})" for code in languages}}
        sample = {"text": "Hum the note you hear."}

        @classmethod
        def from_file(cls, raw: Mapping[str, Any], report: Report) -> Hum:
            return cls()

        def to_dict(self) -> dict[str, Any]:
            return {}

    monkeypatch.setitem(KINDS, "hum", Hum)
    static = tmp_path / "static"
    shutil.copytree(Path(str(STATIC)), static)
    (static / "kinds" / "hum.js").write_text(
        'registerKind("hum", { say: String, solution() { return null; } });\n// @part phone\n'
        '// @part room\nregisterKind("hum", { nameKey: "kind.hum.name", board(container) {\n'
        '  fill(container, el("p", { text: t("kind.hum.board") }));\n} });\n')
    assets = Assets(static)
    page = assets.page("projector.html")
    assert page is not None
    script_url = re.search(r'<script src="/static/([^"]+)">', page.body.decode())
    assert script_url is not None
    script = assets.file(script_url.group(1))
    assert script is not None and 'registerKind("hum"' in script.body.decode()
    urls = json.loads(re.search(r"const STATIC_URLS = (\{.*\});", script.body.decode()).group(1))
    for code in languages:
        served = assets.file(urls["catalogs"][code].removeprefix("/static/"))
        assert served is not None
        catalog = json.loads(served.body)["catalog"]
        assert catalog["kind.hum.board"] == f"Hum ({code})"
        assert catalog["kind.hum.name"] == f"hum ({code})"
    assert "Hum the note you hear.,hum," in csv_format.template()

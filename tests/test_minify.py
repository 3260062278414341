"""Comments out of our scripts and stylesheets, and nothing else changed: each of our
scripts reads as the same tokens before and after, and each page's script still parses."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from trivia_trio.core.minify import strip_script, strip_style
from trivia_trio.web.assets import Assets

from .test_i18n import tokens

STATIC = Path(__file__).resolve().parents[1] / "static"
OUR_SCRIPTS = sorted(path for path in STATIC.rglob("*.js") if "katex" not in path.parts)


@pytest.mark.parametrize("path", OUR_SCRIPTS, ids=lambda path: path.name)
def test_each_of_our_scripts_keeps_its_tokens_and_loses_its_comments(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    stripped = strip_script(source)
    assert tokens(stripped) == tokens(source)
    assert len(stripped) < len(source)


@pytest.mark.parametrize(("source", "stripped"), [
    ('a = "// not a comment"; // a comment\n', 'a = "// not a comment";\n'),
    ("b = '/* kept */' /* dropped */ + 1;", "b = '/* kept */' + 1;\n"),
    ("c = x.replace(/\\/\\/|[/*'\"]/g, '');  // the regex keeps its slashes",
     "c = x.replace(/\\/\\/|[/*'\"]/g, '');\n"),
    ("d = a / b / c;", "d = a / b / c;\n"),
    ("e = i++ / 2;", "e = i++ / 2;\n"),
    ("f = `a  ${b /* in code */ + `c ${d}  //`}  e`;",
     "f = `a  ${b + `c ${d}  //`}  e`;\n"),
    ("return /x  y/.test(s)", "return /x  y/.test(s)\n"),
    ("g = a/**/b", "g = a b\n"),
    ("h = a\n/* a comment\nover lines */\n++b", "h = a\n++b\n"),  # a newline kept for ASI
    ("if (x) {\n    y();\n\n\n    z();\n}\n", "if (x) {\ny();\nz();\n}\n"),
])
def test_a_script_loses_comments_and_indentation_and_nothing_else(
        source: str, stripped: str) -> None:
    assert strip_script(source) == stripped


@pytest.mark.parametrize("broken", ['"unclosed', "`unclosed ${x}", "/* unclosed", "x = /a"])
def test_a_script_it_cannot_read_is_refused_not_guessed(broken: str) -> None:
    with pytest.raises(ValueError):
        strip_script(broken)


def test_a_stylesheet_loses_comments_and_keeps_its_strings() -> None:
    source = '/* head */\n.a  .b,\n.c/**/.d {\n  content: "  /* kept */  ";\n  margin: 0 }\n'
    assert strip_style(source) == '.a .b, .c.d { content: "  /* kept */  "; margin: 0 }\n'


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to parse the scripts")
def test_every_page_script_parses(tmp_path: Path) -> None:
    assets = Assets(STATIC)
    for page in ("student", "projector", "instructor", "editor"):
        html = assets.page(f"{page}.html")
        assert html is not None
        (url,) = re.findall(r'<script src="/static/([^"]+)"></script>', html.body.decode())
        script = assets.file(url)
        assert script is not None
        path = tmp_path / f"{page}.js"
        path.write_bytes(script.body)
        result = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, (page, result.stderr)

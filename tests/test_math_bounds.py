"""Math a page cannot typeset safely is a problem for ``check``, the editor and import;
a run kept before the bound still loads (its pages show such math as text)."""

from __future__ import annotations

import json

import pytest

from trivia_trio.core.math_text import MAX_MATH_DEPTH, math_depth, math_pieces, math_problem
from trivia_trio.core.quiz import QuizError, quiz_from_dict
from trivia_trio.store.quiz_files import load_quiz
from trivia_trio.tools.http_client import request
from trivia_trio.web.server import ServerInfo

from .conftest import instructor_cookie

ROOTS_150 = "$" + "\\sqrt{" * 150 + "x" + "}" * 150 + "$"  # 1 KB: it killed every page's tab
DEPTH_CASES = [  # (TeX, depth; None: it defines a macro)
    ("x^2", 0), ("\\frac{1}{2}", 1), ("\\frac{\\frac{a}{b}}{c}", 2),
    ("\\sqrt[3]{x}", 1), ("\\sqrt[\\sqrt[\\sqrt[3]{2}]{2}]{2}", 3),
    ("\\left( \\left[ a \\right] \\right)", 2), ("\\begin{matrix} a \\end{matrix}", 2),
    ("\\{ a \\} }}} {", 1), ("a ] [ b", 0), ("\\sqrt{" * 21 + "}" * 21, 21),
    ("\\def\\a{b}\\a", None), ("\\newcommand{\\R}{\\mathbb{R}}", None), ("\\\\{x}", 1),
    ("x \\", 0),
]


@pytest.mark.parametrize(("tex", "depth"), DEPTH_CASES)
def test_math_depth_counts_groups_of_every_kind(tex: str, depth: int | None) -> None:
    assert math_depth(tex) == depth


def test_only_math_is_measured_split_as_the_pages_split_it() -> None:
    assert math_pieces("costs $5 and $10") == []
    assert math_pieces("a $x$ and $$\\frac{1}{2}$$ and \\$y$") == ["x", "\\frac{1}{2}"]
    assert math_problem("{" * 50 + " not math " + "}" * 50) is None
    assert math_problem(f"Roots: {ROOTS_150}") == (
        "has math nested 150 levels deep; at most 20 (deeper math stops the pages that"
        " show it)")
    at_the_bound = "$" + "{" * MAX_MATH_DEPTH + "x" + "}" * MAX_MATH_DEPTH + "$"
    assert math_problem(at_the_bound) is None


def test_check_and_import_report_math_nested_too_deep_where_it_is(tmp_path) -> None:
    quiz = {"title": "Roots", "questions": [
        {"text": "Fine: $\\sqrt{2}$", "options": ["1", "2"], "correct": "A"},
        {"text": f"Deep {ROOTS_150}", "options": ["1", ROOTS_150], "correct": "A",
         "explanation": "$\\def\\a{b}\\a$"},
        {"kind": "order", "text": "Sort", "items": ["a", ROOTS_150, "c"]},
    ]}
    deep = ("has math nested 150 levels deep; at most 20 (deeper math stops the pages that"
            " show it)")
    expected = [
        f"question 2: the question text {deep}",
        f"question 2: option B {deep}",
        "question 2: the explanation has math that defines a macro (\\def, \\newcommand…),"
        " which pages do not run",
        f"question 3: items item 2 {deep}",
    ]
    path = tmp_path / "roots.json"
    path.write_text(json.dumps(quiz))
    with pytest.raises(QuizError) as caught:
        load_quiz(path)  # what `trivia_trio check` and the start file go through
    assert caught.value.problems == expected
    with pytest.raises(QuizError) as caught:
        load_quiz(json.dumps(quiz).encode(), filename="roots.json")  # an upload
    assert caught.value.problems == expected
    # A run's frozen copy, kept before the bound, still loads.
    assert len(quiz_from_dict(quiz)) == 3


async def test_the_editor_keeps_deep_math_as_a_draft_saying_why(server: ServerInfo) -> None:
    cookie = {"Cookie": await instructor_cookie(server)}
    quiz = {"title": "Roots", "questions": [
        {"text": f"Deep {ROOTS_150}", "options": ["1", "2"], "correct": "A"}]}
    saved = await request("POST", server.url + "/api/instructor/library",
                          json={"quiz": quiz}, headers=cookie)
    assert saved.json()["draft"] is True
    assert saved.json()["problems"] == [
        "question 1: the question text has math nested 150 levels deep; at most 20 (deeper"
        " math stops the pages that show it)"]

"""A kind is one module in ``core/kinds`` plus one renderer in ``static/kinds``: the rest
of the program asks the kind, so a new kind needs no edit elsewhere."""

from __future__ import annotations

import re
from importlib.resources import files

from trivia_trio.core.formats import csv_format
from trivia_trio.core.kinds import KINDS
from trivia_trio.web.assets import question_kinds_script


def test_every_kind_has_a_renderer_and_pages_get_them_in_the_registered_order() -> None:
    script = question_kinds_script(files("trivia_trio").joinpath("static")).decode()
    registered = re.findall(r'registerKind\("([a-z]+)"', script)
    assert registered == list(KINDS)


def test_every_kind_field_has_a_csv_column_and_new_ones_come_last() -> None:
    header = csv_format.COLUMNS + csv_format.EXTRA_COLUMNS + csv_format.KIND_COLUMNS
    for kind in KINDS.values():
        assert set(kind.file_fields) <= set(header), kind.name
    fixed = len(csv_format.COLUMNS + csv_format.EXTRA_COLUMNS)
    assert header[:fixed] == ("question", "kind", "A", "B", "C", "D", "E", "F", "correct",
                              "tolerance", "time_limit", "explanation", "image", "min",
                              "max", "step", "scoring", "exact")

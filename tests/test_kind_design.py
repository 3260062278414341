"""A kind is one module in ``core/kinds`` plus one renderer in ``static/kinds``: the rest
of the program asks the kind, so a new kind needs no edit elsewhere."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest

from trivia_trio.core.formats import csv_format
from trivia_trio.core.kinds import KINDS
from trivia_trio.web.assets import kind_parts, question_kinds_script

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

"""When the class is shown the standings: the quiz's ``leaderboard`` setting, or the
dashboard's switch over it.

- ``between``: after every reveal, between questions (the run steps through the
  leaderboard after each reveal) and at the end;
- ``end``: at the end only;
- ``never``: not at all; the teacher's dashboard still ranks the class.

A quiz without the setting keeps what it did before it existed: standings with every
reveal, and the leaderboard step only if ``leaderboard_between`` is true. The rule
decides what the students and the projector are *sent* (core/views.py), not only what
the pages draw: a phone asked for its place gets none.
"""

from __future__ import annotations

LEADERBOARDS = ("never", "between", "end")


def shown(mode: str | None, *, at_end: bool) -> bool:
    """Whether the students and the projector get the standings now (``at_end``: the run
    is over)."""
    if mode == "never":
        return False
    if mode == "end":
        return at_end
    return True


def steps_through(mode: str | None, leaderboard_between: bool) -> bool:
    """Whether Next shows the leaderboard after each reveal."""
    return mode == "between" if mode is not None else leaderboard_between

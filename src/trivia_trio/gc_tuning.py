"""The garbage collector tuned for a server holding a big class (the server and the load
generator both run one)."""

from __future__ import annotations

import gc


def collect_garbage_for_a_big_class() -> None:
    """Tune Python's cycle collector for a server holding thousands of sockets.

    A class of thousands keeps a few million objects alive for the whole run,
    and each full collection walks them all. What start-up made is set aside
    for good (``gc.freeze``), and young objects are collected in bigger, rarer
    batches: nearly all garbage here is freed by reference counting anyway.
    Measured at 1,000 students: about a fifth less CPU per answer and per join.
    """
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)

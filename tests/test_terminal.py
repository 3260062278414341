"""What the instructor's terminal shows while a class uses the server: the banner, then quiet."""

from __future__ import annotations

import trio

from .conftest import ServerProcess, join, post


async def test_200_phones_locking_leave_the_terminal_showing_only_the_banner(
        server_process: ServerProcess) -> None:
    proc = server_process
    with trio.fail_after(60):
        for n in range(200):
            cookie = await join(proc, f"s{n:03}", f"Student {n}")  # type: ignore[arg-type]
            response = await post(proc, "/api/events", {"kind": "visibility_hidden"},  # type: ignore
                                  cookie)
            assert response.status == 204
            assert response.body == b""
    assert proc.stop() == 0
    banner_end = next(n for n, line in enumerate(proc.output) if line.startswith("Press Ctrl+C"))
    after = [line for line in proc.output[banner_end + 1:] if line.strip()]
    assert after[-1].startswith("Stopped. Your answers are kept in"), after
    assert after[:-1] == []

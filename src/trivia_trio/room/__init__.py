"""The live side of a run: the room that holds the game, the sockets of every student,
projector and dashboard, the fan-out of their messages, timers and the group saves.

It may import ``core``, ``store`` and the top-level ``config``; never ``web`` or the
tools. Quart stays out of it: a socket reaches it as a ``Connection``.
"""

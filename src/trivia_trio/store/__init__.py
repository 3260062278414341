"""What is kept on disk: the run's sqlite database, the quiz library, past runs, their
exports, the pictures in the data folder, and quiz files read from a path or an upload.

It may import ``core`` and the top-level ``config``; never ``room``, ``web`` or the tools.
"""

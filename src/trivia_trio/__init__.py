"""trivia-trio: a live classroom quiz served from one file."""

__version__ = "0.1.0"

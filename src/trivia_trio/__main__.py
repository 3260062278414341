"""Start trivia-trio: ``python -m trivia_trio`` or ``python trivia_trio.pyz``.

The archive runs this file before importing anything else of ours. Any Python
must be able to parse it (no f-strings, annotations or walrus), so that an old
one prints the version it needs instead of a SyntaxError.
"""

import sys

REQUIRED = (3, 11)


def run():  # type: () -> int
    if sys.version_info < REQUIRED:
        sys.stderr.write(
            "trivia-trio needs Python "
            + ".".join(str(part) for part in REQUIRED)
            + " or newer; this is Python "
            + ".".join(str(part) for part in sys.version_info[:3])
            + ". Install a newer Python from python.org.\n"
        )
        return 2
    from trivia_trio._bootstrap import bootstrap

    archive = bootstrap()  # from the archive: import from its extracted, compiled copy
    from trivia_trio.cli import main

    return main(archive=archive)


if __name__ == "__main__":
    sys.exit(run())

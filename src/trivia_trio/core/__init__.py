"""The pure core: what a quiz is and what a run means, with no clock, socket or disk.

The quiz and its validation (``quiz``), each kind of question (``kinds/``), the
file formats (``formats/``, ``bundle``), the pictures' checks (``pictures``),
the game's rules and scoring (``game``), what each student × question came to
(``results``, from which every count and report derives), the messages each audience is shown
(``views``, ``deltas``), the cleaning of typed text (``plain_text``) and the join QR
(``qr``). Everything here is plain
synchronous Python, tested without a server. It imports the standard library
and ``qrcode`` only: never trio, Quart, hypercorn, sqlite3, nor another floor.
"""

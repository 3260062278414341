"""The server's HTTP face: the app factory, the routes of each audience, the instructor
key and student cookies, and ``serve``, which binds the port and starts the room.

It may import every other floor except the tools.
"""

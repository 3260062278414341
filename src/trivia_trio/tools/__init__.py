"""Tools around the server, not in its path: the load generator and its small HTTP and
websocket clients. They may import any floor; no server module imports them.
"""

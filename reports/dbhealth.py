"""After a database error in a loop over many files: drop a connection that died, so the next file gets a new one."""

from django.db import connection


def reconnect_if_broken() -> None:
    """Outside a transaction only (inside one, the error is the transaction's to handle); never closes a healthy
    connection."""
    if connection.in_atomic_block or connection.connection is None:
        return
    if not connection.is_usable():
        connection.close()

"""What a transaction hands to the store's functions: a connection of either backend.

SQLite's ``sqlite3.Connection`` has this shape; PostgreSQL's is `pg_connection.PgConnection`,
an adapter that runs the same SQL text (``?`` placeholders, the few SQLite spellings
translated once per statement). Store functions that must say something differently per
backend ask `dialect(conn)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Literal, Protocol

Dialect = Literal["sqlite", "postgresql"]


class Cursor(Protocol):
    """The part of a DB-API cursor the store functions use."""

    @property
    def lastrowid(self) -> int | None: ...

    @property
    def rowcount(self) -> int: ...

    @property
    def description(self) -> Any: ...  # noqa: ANN401 - each driver's own column descriptions

    def fetchone(self) -> Any: ...  # noqa: ANN401 - a row of whatever the columns hold

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """The part of a connection the store functions use."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Cursor: ...  # noqa: ANN401

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Cursor: ...

    @property
    def in_transaction(self) -> bool: ...

    @property
    def total_changes(self) -> int: ...  # rows written by this connection so far


def dialect(conn: object) -> Dialect:
    """Which backend a connection talks to."""
    return "postgresql" if getattr(conn, "dialect", None) == "postgresql" else "sqlite"

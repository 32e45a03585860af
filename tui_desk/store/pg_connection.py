"""The store's SQL on PostgreSQL: a connection adapter with the shape of sqlite3's.

Store functions write SQLite's SQL with ``?`` placeholders. `PgConnection.execute` runs the
same text on a psycopg connection after `translate` rewrote it once (cached per text):
placeholders, and the few spellings of docs/issue14/postgresql.md's table that a regular
rewrite can carry. What a rewrite cannot carry is said per backend in the store function,
asking `connection.dialect(conn)` (ticket numbers, full-text search, search_index).

psycopg is imported by the caller (pg_db.py) only: this module needs no driver.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

# Tables whose rows get an identity id: an INSERT into one returns it (`cursor.lastrowid`).
_ID_TABLES = frozenset(
    {
        "customers", "agents", "departments", "tags", "tickets", "messages", "attachments",
        "events", "outbox", "templates", "actions",
    }
)
# INSERT OR REPLACE: the key a replaced row is found by.
_REPLACE_KEYS = {"meta": ("key",), "purged": ("ticket_id",)}

_INSERT = re.compile(r"^\s*INSERT\s+(?:OR\s+(IGNORE|REPLACE)\s+)?INTO\s+(\w+)\s*(?:\(([^)]*)\))?", re.I)
_JSON_IDS = re.compile(r"SELECT\s+value\s+FROM\s+json_each\(\?\)", re.I)
_UNIXEPOCH = re.compile(r"unixepoch\(([^()]*)\)", re.I)
# How SQLite before 3.38 (no unixepoch) is asked the same: store/sla_clocks.py `_epoch_sql`.
_STRFTIME_EPOCH = re.compile(r"CAST\(strftime\('%s',\s*([^()]*)\)\s+AS\s+INTEGER\)", re.I)
_JULIANDAY = re.compile(r"julianday\(([^()]*)\)", re.I)
_TABLE_INFO = re.compile(r"^\s*PRAGMA\s+table_info\((\w+)\)\s*$", re.I)
_PRAGMA = re.compile(r"^\s*PRAGMA\b", re.I)
_WHERE_CONSTANT = re.compile(r"\bWHERE (0|1)\b")
# SQLite's check that a column holds a number: a PostgreSQL numeric column holds nothing else.
_IS_NUMBER = re.compile(r"typeof\(([\w.]+)\) IN \('integer', 'real'\)", re.I)


@lru_cache(maxsize=2048)
def translate(sql: str) -> tuple[str, bool]:
    """(PostgreSQL text, whether it returns the id of the row it inserts)."""
    table_info = _TABLE_INFO.match(sql)
    if table_info:
        return (
            "SELECT ordinal_position - 1, column_name FROM information_schema.columns"
            f" WHERE table_schema = current_schema() AND table_name = '{table_info.group(1)}'"
            " ORDER BY ordinal_position",
            False,
        )
    if _PRAGMA.match(sql):
        return "SELECT 0", False  # page cache, journal: the server's business
    text = _STRFTIME_EPOCH.sub(r"unixepoch(\1)", sql).replace("%", "%%")
    text = _JSON_IDS.sub("SELECT value::bigint FROM json_array_elements_text(?::json)", text)
    text = _UNIXEPOCH.sub(r"floor(extract(epoch FROM (\1)::timestamptz))::bigint", text)
    text = _JULIANDAY.sub(r"(extract(epoch FROM (\1)::timestamptz) / 86400.0)", text)
    text = _IS_NUMBER.sub(r"(\1) IS NOT NULL", text)
    text = _WHERE_CONSTANT.sub(lambda m: "WHERE " + ("true" if m.group(1) == "1" else "false"), text)
    returning = False
    insert = _INSERT.match(text)
    if insert:
        verb, table, columns = insert.group(1), insert.group(2), insert.group(3)
        text = text[: insert.start()] + f"INSERT INTO {table}" + (f"({columns})" if columns else "") + text[insert.end():]
        if verb and verb.upper() == "IGNORE":
            text += " ON CONFLICT DO NOTHING"
        elif verb:
            keys = _REPLACE_KEYS[table]
            others = [c.strip() for c in (columns or "").split(",") if c.strip() not in keys]
            text += f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET " + ", ".join(
                f"{c} = EXCLUDED.{c}" for c in others
            )
        if table in _ID_TABLES and "RETURNING" not in text.upper():
            text += " RETURNING id"
            returning = True
    return text.replace("?", "%s"), returning


def _values(parameters: Iterable[Any]) -> list[Any]:
    """The parameters as PostgreSQL takes them. Its text cannot hold NUL; no text with one reaches
    the store on either backend (`domain.text.storable` on the way in, docs/trust.md 4), so this
    is only the last guard, with the same U+FFFD, for a way in that forgot it."""
    return [v.replace("\x00", "\ufffd") if isinstance(v, str) and "\x00" in v else v for v in parameters]


pg_values = _values  # for the rows `desk_copy` hands to COPY


# A result of up to this many rows is read at once, and the psycopg cursor serves the next
# statement: a new cursor per statement was a tenth of psycopg's time in an import. A longer
# result keeps its cursor, and is read as the caller reads it.
_READ_AT_ONCE = 64


class PgCursor:
    """sqlite3.Cursor's surface over one statement's result: ``lastrowid``, ``rowcount``, the rows,
    and a ``description`` of names only.

    psycopg builds a Column object per column each time its ``description`` is read: asking it
    of every statement was a third of the import's time in psycopg (docs/issue16/pg-import.md),
    so whether a statement returns rows, and the names, are read from the result itself.
    """

    def __init__(self, cursor: Any, returning: bool, *, read_now: bool) -> None:  # noqa: ANN401 - psycopg.Cursor
        self.lastrowid: int | None = None
        self.rowcount: int = cursor.rowcount
        result = cursor.pgresult
        self._result = result  # kept for the names: the cursor may have moved on
        self.fields: int = 0 if result is None or returning else result.nfields
        self._cursor: Any = None
        self._rows: Iterator[Any] = iter(())
        if returning:
            # The id RETURNING was added for; an INSERT returns no rows on SQLite.
            if result is not None and result.ntuples:
                self.lastrowid = int(result.get_value(result.ntuples - 1, 0))
        elif self.fields and read_now:
            self._rows = iter(cursor.fetchall())
        elif self.fields:
            self._cursor = cursor

    @property
    def description(self) -> tuple[tuple[str, None, None, None, None, None, None], ...] | None:
        if not self.fields:
            return None
        result = self._result
        return tuple((result.fname(i).decode(), None, None, None, None, None, None) for i in range(self.fields))

    def fetchone(self) -> Any:  # noqa: ANN401
        if self._cursor is not None:
            return self._cursor.fetchone()
        return next(self._rows, None)

    def fetchall(self) -> list[Any]:
        if self._cursor is not None:
            return list(self._cursor.fetchall())
        return list(self._rows)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cursor) if self._cursor is not None else self._rows


class PgConnection:
    """sqlite3.Connection's surface (`connection.Connection`) over a psycopg connection in autocommit."""

    dialect = "postgresql"

    def __init__(self, conn: Any) -> None:  # noqa: ANN401 - psycopg.Connection
        self.raw = conn
        self._changes = 0
        self._cursor: Any = None  # the psycopg cursor the next statement runs on

    def execute(self, sql: str, parameters: Any = (), /) -> PgCursor:  # noqa: ANN401
        text, returning = translate(sql)
        cursor = self._cursor
        if cursor is None or cursor.closed:
            cursor = self._cursor = self.raw.cursor()
        cursor.execute(text, _values(parameters) if parameters else None)
        result = cursor.pgresult
        read_now = result is None or result.ntuples <= _READ_AT_ONCE
        if not read_now:
            self._cursor = None  # the result's own now
        done = PgCursor(cursor, returning, read_now=read_now)
        if returning or not done.fields:
            self._changes += max(done.rowcount, 0)
        return done

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> PgCursor:
        text, _ = translate(sql)
        text = text.removesuffix(" RETURNING id")
        cursor = self.raw.cursor()
        cursor.executemany(text, [_values(p) for p in parameters])
        self._changes += max(cursor.rowcount, 0)
        return PgCursor(cursor, False, read_now=True)

    @property
    def in_transaction(self) -> bool:
        # IDLE is 0: anything else (in a transaction, or in a failed one) is inside one.
        return int(self.raw.info.transaction_status) != 0

    @property
    def failed(self) -> bool:
        """In a transaction that an error ended: it can only be rolled back."""
        return int(self.raw.info.transaction_status) == 3  # psycopg.pq.TransactionStatus.INERROR

    @property
    def total_changes(self) -> int:
        return self._changes

    def close(self) -> None:
        self.raw.close()

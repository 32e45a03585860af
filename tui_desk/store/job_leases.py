"""Leases for background jobs: one process at a time fetches mail, sends the outbox, runs the time rules.

A lease is a row (job, holder, expires_at). ``try_acquire`` takes it when nobody holds it,
when its holder's time ran out (the holder died without releasing it), or when the caller
already holds it; otherwise it leaves the row alone and says no. Each function is one
``BEGIN IMMEDIATE`` transaction, so two processes can never both win. Call them outside a
transaction of your own: inside one they would be a savepoint, seen by others only at its commit.

Times are seconds since the epoch, passed in by the caller (a test passes a fake clock).

On PostgreSQL a job is held by a session advisory lock instead (`lock`): ``pg_try_advisory_lock``
on a connection of its own, kept for the job's duration. No expiry to guess: the server frees it
when the holder unlocks, closes, or dies (its connection ends). The rows above are SQLite's.
"""

from __future__ import annotations

import hashlib
from contextlib import suppress
from typing import Any

from .db import Store

# No lease is ever granted for longer than this ahead of its holder's clock (the jobs' ttl is
# minutes). An expiry further ahead, or one that is not a number (a row written by hand or broken),
# comes from a clock far off or a bad row: it counts as expired, or the job would be blocked for
# as long as the clock is off, or forever.
FARTHEST = 3600.0

# The lease row is held: its expiry is a number, after `?` (now) and no further than `?` (now + FARTHEST).
_HELD = (
    "typeof(job_leases.expires_at) IN ('integer', 'real')"
    " AND job_leases.expires_at > ? AND job_leases.expires_at <= ?"
)


def try_acquire(store: Store, job: str, holder: str, ttl: float, now: float) -> bool:
    """Take the lease of `job` for `ttl` seconds from `now`; False if another holder has it still."""
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO job_leases (job, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at,"
            " expires_at = excluded.expires_at"
            f" WHERE NOT ({_HELD}) OR job_leases.holder = excluded.holder",
            [job, holder, now, now + ttl, now, now + FARTHEST],
        )
        row = conn.execute("SELECT holder FROM job_leases WHERE job = ?", [job]).fetchone()
    return row is not None and row[0] == holder


def take_over(store: Store, job: str, dead: str, holder: str, ttl: float, now: float) -> bool:
    """Take the lease from `dead`, a holder known to have died; False if it is no longer theirs."""
    with store.transaction() as conn:
        cursor = conn.execute(
            "UPDATE job_leases SET holder = ?, acquired_at = ?, expires_at = ? WHERE job = ? AND holder = ?",
            [holder, now, now + ttl, job, dead],
        )
        return cursor.rowcount == 1


def renew(store: Store, job: str, holder: str, ttl: float, now: float) -> bool:
    """Hold on for another `ttl` seconds; False if the lease is no longer ours (it expired and was taken)."""
    with store.transaction() as conn:
        cursor = conn.execute(
            "UPDATE job_leases SET expires_at = ? WHERE job = ? AND holder = ?", [now + ttl, job, holder]
        )
        return cursor.rowcount == 1


def release(store: Store, job: str, holder: str) -> None:
    """Give the lease up (only if it is still ours), so the next process need not wait for it to expire."""
    with store.transaction() as conn:
        conn.execute("DELETE FROM job_leases WHERE job = ? AND holder = ?", [job, holder])


def holder_of(store: Store, job: str, now: float) -> str | None:
    """Who holds the lease of `job` at `now`, or None."""
    value = store.scalar(f"SELECT holder FROM job_leases WHERE job = ? AND {_HELD}", [job, now, now + FARTHEST])
    return None if value is None else str(value)


# -- PostgreSQL: a session advisory lock per job ----------------------------------------------------
def uses_session_locks(store: Store) -> bool:
    """Whether `store` holds jobs by session locks (`lock`) rather than lease rows (PostgreSQL)."""
    return store.dialect == "postgresql"


def lock_key(job: str, schema: str = "public") -> int:
    """The job's advisory lock key: a signed 64-bit number of its own, the same in every process.

    Advisory locks are per database: a desk in a schema of its own (search_path) has keys of its
    own, or another desk's fetch in the same database skipped this one's. `public` keeps the
    first key, so processes of the version before still see the lock."""
    name = f"tui-desk job {job}" + ("" if schema == "public" else f" in {schema}")
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _desk_schema(store: Store) -> str:
    return str(store.scalar("SELECT current_schema()") or "public")


class JobLock:
    """A job's advisory lock, held by a session of its own until `release`."""

    def __init__(self, store: Store, conn: Any, job: str, key: int) -> None:  # noqa: ANN401 - a PgConnection
        self.store, self.job, self._conn, self._key = store, job, conn, key

    def release(self) -> None:
        """Unlock and end the session (ending it would free the lock anyway: say so only once)."""
        try:
            with suppress(*self.store._db_errors):  # the session is gone, and with it the lock
                self._conn.execute("SELECT pg_advisory_unlock(?)", [self._key])
        finally:
            with suppress(*self.store._db_errors):
                self._conn.close()


def lock(store: Store, job: str, holder: str) -> JobLock | None:
    """Take `job`'s advisory lock on a session named `holder`; None while another session holds it.

    Raises StoreError when the server cannot be reached.
    """
    from .pg_db import PgStore

    assert isinstance(store, PgStore), "session locks are PostgreSQL's (uses_session_locks)"
    conn = store.session(holder)
    try:
        key = lock_key(job, str(conn.execute("SELECT current_schema()").fetchone()[0] or "public"))
        got = conn.execute("SELECT pg_try_advisory_lock(?)", [key]).fetchone()[0]
    except store._db_errors as error:
        conn.close()
        raise store._store_error(error) from None
    if not got:
        conn.close()
        return None
    return JobLock(store, conn, job, key)


def lock_holder(store: Store, job: str) -> str | None:
    """The name of the session holding `job`'s advisory lock (its holder name), or None when free."""
    key = lock_key(job, _desk_schema(store))
    value = store.scalar(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database"
        " WHERE datname = current_database()) AND l.classid = ? AND l.objid = ? AND l.objsubid = 1",
        [(key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF],
    )
    return None if value is None else str(value)

"""Leases for background jobs: one process at a time fetches mail, sends the outbox, runs the time rules.

A lease is a row (job, holder, expires_at). ``try_acquire`` takes it when nobody holds it,
when its holder's time ran out (the holder died without releasing it), or when the caller
already holds it; otherwise it leaves the row alone and says no. Each function is one
``BEGIN IMMEDIATE`` transaction, so two processes can never both win. Call them outside a
transaction of your own: inside one they would be a savepoint, seen by others only at its commit.

Times are seconds since the epoch, passed in by the caller (a test passes a fake clock).
On PostgreSQL these functions can be a session advisory lock instead (``pg_try_advisory_lock``
on a connection kept for the job): no expiry needed, the server frees it when the session dies.
"""

from __future__ import annotations

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

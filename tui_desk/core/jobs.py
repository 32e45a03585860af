"""One runner for background jobs: mail fetch, outbox send and time rules run in one process at a time.

Every open app and every cron command (`fetch`, `send`, `rules run`) may try them; each
runs its job only inside ``exclusive(store, JOB)``, which takes the job's lease
(store/job_leases.py). A process that does not get it skips the job: the app quietly, the
command line with one line and exit 0.

On PostgreSQL the lease is a session advisory lock held on a connection of its own for the
job's duration: the server frees it when the job ends or its process dies, so there is
nothing to renew, expire or take over. On SQLite it is a row, and while the job runs a thread renews the lease every
third of its time to live. A holder that dies leaves a lease that expires after ``LEASE_TTL``
and the next process takes it over; one that died on this host (its process is gone) is taken
over at once, so a killed `tui-desk fetch` does not hold up the next one.

The lease saves work and keeps jobs from running side by side; it is not what stops a reply
going out twice or a mail being stored twice. Those stay safe on their own even if a lease
ran out under a stalled holder: the outbox claims each row (queued -> sending) under the
write lock, the import knows a message by its Message-ID or content hash, and each time rule
change is one transaction checked against the ticket's state.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from ..domain.errors import TuiDeskError
from ..i18n import _
from ..store import Store, job_leases

FETCH_MAIL = "mail-fetch"
SEND_OUTBOX = "outbox-send"
TIME_RULES = "time-rules"

LEASE_TTL = 120.0  # seconds: how long a dead holder keeps the others waiting


def skipped_line(job: str) -> str:
    """What the command line says when another process holds `job`."""
    if job == FETCH_MAIL:
        return _("another tui-desk is fetching mail; skipped")
    if job == SEND_OUTBOX:
        return _("another tui-desk is sending the outbox; skipped")
    return _("another tui-desk is running the time rules; skipped")


def new_holder() -> str:
    """A name for one run of a job: host and process (for a person who looks, and to see it died), and unique."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def died_here(holder: str) -> bool:
    """Whether `holder` (made by new_holder) was a process of this host that no longer runs.

    Unsure (another host, a name of another form, no permission to ask) is False: then
    the lease is left to expire. A reused process id only makes us wait for that too.
    """
    host, _sep, rest = holder.rpartition(":")[0].rpartition(":")
    if host != socket.gethostname() or not rest.isdigit():
        return False
    pid = int(rest)
    if pid == os.getpid():
        return False  # this process: another thread's job, alive
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):  # no permission; or a "pid" no process can have (a broken row)
        return False
    return False


class Lease:
    """A lease held while a job runs; ``lost`` turns True if renewing it failed (another took it over).

    On PostgreSQL (`lock` given) the advisory lock is the lease: nothing to renew.
    """

    def __init__(
        self,
        store: Store,
        job: str,
        holder: str,
        ttl: float,
        now: Callable[[], float],
        lock: job_leases.JobLock | None = None,
    ) -> None:
        self.store, self.job, self.holder, self.ttl, self.now = store, job, holder, ttl, now
        self.lock = lock
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._keep, name=f"lease-{job}", daemon=True)

    def _keep(self) -> None:
        try:
            while not self._stop.wait(self.ttl / 3):
                try:
                    if not job_leases.renew(self.store, self.job, self.holder, self.ttl, self.now()):
                        self.lost = True
                        return
                except TuiDeskError:
                    continue  # the store busy for a moment: two more chances before the lease runs out
        finally:
            self.store.close()  # this thread's own connection

    def start(self) -> None:
        if self.lock is None:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self.lock is None:
            self._thread.join()


@contextmanager
def exclusive(
    store: Store, job: str, *, ttl: float = LEASE_TTL, now: Callable[[], float] = time.time
) -> Iterator[Lease | None]:
    """Run the body holding `job`'s lease: yields the Lease, or None when another process holds it."""
    holder = new_holder()
    if job_leases.uses_session_locks(store):
        lock = job_leases.lock(store, job, holder)
        if lock is None:
            yield None
            return
        try:
            yield Lease(store, job, holder, ttl, now, lock)
        finally:
            lock.release()
        return
    if not job_leases.try_acquire(store, job, holder, ttl, now()):
        other = job_leases.holder_of(store, job, now())
        if other is None or not died_here(other) or not job_leases.take_over(store, job, other, holder, ttl, now()):
            yield None
            return
    lease = Lease(store, job, holder, ttl, now)
    lease.start()
    try:
        yield lease
    finally:
        lease.stop()
        with suppress(TuiDeskError):  # not released: it expires after ttl, as a dead holder's would
            job_leases.release(store, job, holder)

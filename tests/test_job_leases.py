"""One runner for background jobs: a lease per job, taken by one process at a time (core/jobs.py)."""

from __future__ import annotations

import json
import multiprocessing
import time
from datetime import UTC, datetime

import pytest

from tui_desk.core import jobs
from tui_desk.store import Store, job_leases, open_store, queries

pytestmark = pytest.mark.both_backends

SPAWN = multiprocessing.get_context("spawn")
TIMEOUT = 60
T0 = 1_800_000_000.0  # a fake "now", seconds since the epoch


def _race(path: str, holder: str, now: float, barrier, results) -> None:
    store = open_store(path)
    barrier.wait(TIMEOUT)
    results.put((holder, job_leases.try_acquire(store, "mail-fetch", holder, 60.0, now)))


def _race_all(path: str, holders: list[str], now: float) -> dict[str, bool]:
    barrier = SPAWN.Barrier(len(holders))
    results = SPAWN.Queue()
    processes = [SPAWN.Process(target=_race, args=(path, h, now, barrier, results)) for h in holders]
    for p in processes:
        p.start()
    got = dict(results.get(timeout=TIMEOUT) for _ in holders)
    for p in processes:
        p.join(TIMEOUT)
        assert p.exitcode == 0
    return got


def test_processes_racing_for_a_lease_exactly_one_wins_and_a_dead_holders_lease_is_taken_over(
    store: Store, db_path
) -> None:
    first = _race_all(str(db_path), ["a", "b", "c", "d"], T0)
    assert sum(first.values()) == 1
    [winner] = [h for h, won in first.items() if won]
    assert job_leases.holder_of(store, "mail-fetch", T0 + 1) == winner
    # Before the winner's 60 s are up nobody else gets it; after them (the winner "died"), exactly one does.
    assert not any(_race_all(str(db_path), ["e", "f"], T0 + 59).values())
    later = _race_all(str(db_path), ["g", "h", "i"], T0 + 61)
    assert sum(later.values()) == 1
    # The old holder can neither renew nor release what is no longer its lease.
    assert not job_leases.renew(store, "mail-fetch", winner, 60.0, T0 + 62)
    job_leases.release(store, "mail-fetch", winner)
    assert job_leases.holder_of(store, "mail-fetch", T0 + 62) == next(h for h, won in later.items() if won)


def test_a_holder_renews_and_releases_its_own_lease(store: Store) -> None:
    assert job_leases.try_acquire(store, "time-rules", "a", 60.0, T0)
    assert job_leases.try_acquire(store, "outbox-send", "b", 60.0, T0)  # another job: its own lease
    assert job_leases.renew(store, "time-rules", "a", 60.0, T0 + 50)
    assert not job_leases.try_acquire(store, "time-rules", "b", 60.0, T0 + 100)  # renewed until T0 + 110
    job_leases.release(store, "time-rules", "a")
    assert job_leases.try_acquire(store, "time-rules", "b", 60.0, T0 + 100)  # at once, no waiting for expiry


def test_exclusive_skips_while_another_holds_the_job_and_keeps_its_lease_while_it_runs(store: Store) -> None:
    with jobs.exclusive(store, jobs.TIME_RULES, ttl=1.5) as lease:
        assert lease is not None
        with jobs.exclusive(store, jobs.TIME_RULES) as other:
            assert other is None
        time.sleep(2.5)  # longer than the ttl: the lease is renewed meanwhile, not lost
        if job_leases.uses_session_locks(store):  # PostgreSQL: the advisory lock, held by its session
            assert job_leases.lock_holder(store, jobs.TIME_RULES) == lease.holder
        else:
            assert not job_leases.try_acquire(store, jobs.TIME_RULES, "someone-else", 60.0, time.time())
        with jobs.exclusive(store, jobs.TIME_RULES) as other:
            assert other is None
        assert not lease.lost
    with jobs.exclusive(store, jobs.TIME_RULES) as again:  # released at the end
        assert again is not None


# -- the command line ----------------------------------------------------------------------------
class Held:
    """Hold a job as another tui-desk would: its lease row (SQLite) or its advisory lock (PostgreSQL)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.locks: dict[str, job_leases.JobLock] = {}

    def __call__(self, job: str) -> None:
        if job_leases.uses_session_locks(self.store):
            lock = job_leases.lock(self.store, job, "other-host:4242:x")
            assert lock is not None
            self.locks[job] = lock
        else:
            assert job_leases.try_acquire(self.store, job, "other-host:4242:x", 600.0, time.time())

    def release(self, job: str) -> None:
        if job in self.locks:
            self.locks.pop(job).release()
        else:
            job_leases.release(self.store, job, "other-host:4242:x")


@pytest.fixture
def held(store: Store):
    holding = Held(store)
    yield holding
    for job in list(holding.locks):
        holding.release(job)


def test_rules_run_says_one_line_and_succeeds_while_another_runs_them(db_path, store, held, clock, capsys) -> None:
    from support import AGENT

    from tui_desk.cli import main
    from tui_desk.core.lifecycle import TicketService

    service = TicketService(store, clock=clock, actor=AGENT)
    ticket = service.create_ticket(email="c@example.com", subject="S", body="b")
    service.postpone(ticket, until=datetime(2026, 3, 3, tzinfo=UTC))  # past by now: rules run would wake it
    held(jobs.TIME_RULES)
    assert main(["rules", "run", "--db", str(db_path)]) == 0
    assert capsys.readouterr().out == "another tui-desk is running the time rules; skipped\n"
    assert queries.get_ticket(store, ticket).status == "postponed"
    assert main(["rules", "run", "--db", str(db_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"skipped": "another tui-desk is running the time rules; skipped"}
    held.release(jobs.TIME_RULES)  # the other one is done
    assert main(["rules", "run", "--db", str(db_path)]) == 0
    assert "skipped" not in capsys.readouterr().out
    assert queries.get_ticket(store, ticket).status != "postponed"


def test_send_and_fetch_say_one_line_and_succeed_while_another_does_it(
    db_path, tmp_path, monkeypatch, held, capsys
) -> None:
    from tui_desk.cli import main

    config = tmp_path / "config.toml"
    config.write_text(
        '[mail.smtp]\nhost = "127.0.0.1"\nport = 9\nsecurity = "none"\nfrom = "help@desk.example"\n'
        '[[mail.imap]]\nhost = "127.0.0.1"\nport = 9\nsecurity = "none"\nuser = "u"\n'
    )
    monkeypatch.setenv("TUI_DESK_CONFIG", str(config))
    assert main(["new", "--db", str(db_path), "--email", "c@example.com", "--subject", "Hi", "--body", "x"]) == 0
    assert main(["reply", "--db", str(db_path), "1", "--body", "hello"]) == 0
    capsys.readouterr()
    held(jobs.SEND_OUTBOX)
    held(jobs.FETCH_MAIL)
    assert main(["send", "--db", str(db_path)]) == 0  # port 9 is never tried: nothing failed
    assert capsys.readouterr().out == "another tui-desk is sending the outbox; skipped\n"
    assert main(["send", "--db", str(db_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["skipped"] == "another tui-desk is sending the outbox; skipped"
    assert main(["fetch", "--db", str(db_path)]) == 0
    assert capsys.readouterr().out == "another tui-desk is fetching mail; skipped\n"
    assert main(["outbox", "--db", str(db_path)]) == 0
    assert "queued" in capsys.readouterr().out  # still waiting for the runner that holds the job


def _die_holding(path: str) -> None:
    import os

    with jobs.exclusive(open_store(path), jobs.FETCH_MAIL) as lease:
        assert lease is not None
        os._exit(0)  # killed mid-job: the lease is never released


def test_a_lease_left_by_a_killed_process_of_this_host_is_taken_over_at_once(store: Store, db_path) -> None:
    if job_leases.uses_session_locks(store):
        pytest.skip("PostgreSQL holds jobs by advisory locks, freed by the server: test_job_locks_pg.py")
    process = SPAWN.Process(target=_die_holding, args=(str(db_path),))
    process.start()
    process.join(TIMEOUT)
    dead = job_leases.holder_of(store, jobs.FETCH_MAIL, time.time())
    assert dead is not None and f":{process.pid}:" in dead  # still there, for two more minutes
    with jobs.exclusive(store, jobs.FETCH_MAIL) as lease:
        assert lease is not None
    # A holder on another host, or alive here, is waited for.
    assert job_leases.try_acquire(store, jobs.FETCH_MAIL, "other-host:1:x", 600.0, time.time())
    with jobs.exclusive(store, jobs.FETCH_MAIL) as lease:
        assert lease is None


@pytest.mark.parametrize("expires_at", ["garbage", "", T0 + 10 * 365 * 86400, 1e300])
def test_a_lease_row_with_a_garbage_or_far_future_expiry_does_not_block_the_job_forever(
    store: Store, expires_at: object
) -> None:
    """Review: a row whose expires_at is text (REAL affinity keeps it text, and text sorts after
    every number) or years ahead (a holder on a host whose clock is far off) was never expired."""
    if isinstance(expires_at, str) and store.dialect == "postgresql":
        pytest.skip("a PostgreSQL double precision column cannot hold text")
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO job_leases (job, holder, acquired_at, expires_at) VALUES ('time-rules', 'elsewhere:1:x', ?, ?)",
            [T0, expires_at],
        )
    assert job_leases.holder_of(store, "time-rules", T0 + 1) is None
    with jobs.exclusive(store, "time-rules", now=lambda: T0 + 1) as lease:
        assert lease is not None
    # A lease of the ordinary kind, held by another host, still keeps others out until it expires.
    assert job_leases.try_acquire(store, "time-rules", "elsewhere:2:y", 120.0, T0 + 2)
    assert not job_leases.try_acquire(store, "time-rules", "here:3:z", 120.0, T0 + 100)
    assert job_leases.try_acquire(store, "time-rules", "here:3:z", 120.0, T0 + 123)


def test_a_held_lease_whose_holder_names_an_impossible_process_is_a_skip_not_a_failure(store: Store) -> None:
    """Review: a holder "thishost:99999999999999999999:x" (a broken row) made os.kill raise
    OverflowError out of exclusive(): every app minute reported a failure instead of skipping."""
    import socket

    if job_leases.uses_session_locks(store):
        pytest.skip("PostgreSQL holds jobs by advisory locks: no holder's process is looked up")
    holder = f"{socket.gethostname()}:{10**20}:x"
    assert job_leases.try_acquire(store, "time-rules", holder, 120.0, T0)
    assert not jobs.died_here(holder)
    with jobs.exclusive(store, "time-rules", now=lambda: T0 + 1) as lease:
        assert lease is None


def test_fetch_names_each_account_without_control_characters(db_path, tmp_path, monkeypatch, capsys) -> None:
    """Review: `fetch` (now run under its lease) printed the account's user, host and folder from the
    config raw: an escape sequence in them reached the terminal."""
    from tui_desk.cli import main
    from tui_desk.mail import imap
    from tui_desk.mail.importer import ImportSummary

    config = tmp_path / "config.toml"
    config.write_text(
        '[[mail.imap]]\nhost = "imap\\u001b[2J.example"\nport = 9\nsecurity = "none"\nuser = "u\\u009b31m"\n'
        'folder = "IN\\u202eBOX"\n'
    )
    monkeypatch.setenv("TUI_DESK_CONFIG", str(config))
    monkeypatch.setattr(imap, "fetch_all", lambda _service, settings: [(a, ImportSummary()) for a in settings.imap])
    assert main(["fetch", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x9b" not in out and "\u202e" not in out
    assert "imap␛[2J.example" in out and "IN<U+202E>BOX" in out

"""One runner for background jobs on PostgreSQL: a session advisory lock per job (core/jobs.py,
store/job_leases.py; docs/issue14/job-runner.md). Another process skips while it is held; a holder
killed mid-job frees it at once, since the server ends its session."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tui_desk.core import jobs
from tui_desk.store import job_leases, open_store

SPAWN = multiprocessing.get_context("spawn")
TIMEOUT = 60
ROOT = Path(__file__).resolve().parent.parent


def _hold(url: str, job: str, ready) -> None:
    with jobs.exclusive(open_store(url), job) as lease:
        ready.put(None if lease is None else lease.holder)
        time.sleep(TIMEOUT)  # "busy" until killed


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "tui_desk", *args, "--db", url], capture_output=True, text=True, env=env,
        timeout=TIMEOUT, check=False,
    )


def test_a_job_held_by_one_process_is_skipped_by_another_and_freed_at_once_when_the_holder_is_killed(
    pg_url: str,
) -> None:
    store = open_store(pg_url)
    ready = SPAWN.Queue()
    holder = SPAWN.Process(target=_hold, args=(pg_url, jobs.TIME_RULES, ready))
    holder.start()
    try:
        name = ready.get(timeout=TIMEOUT)
        assert name is not None and f":{holder.pid}:" in name
        assert job_leases.lock_holder(store, jobs.TIME_RULES) == name  # who runs it, as the server sees it
        # Another process (cron's `rules run`) skips with its one line, and succeeds.
        other = _cli(pg_url, "rules", "run")
        assert (other.returncode, other.stdout, other.stderr) == (
            0, "another tui-desk is running the time rules; skipped\n", ""
        )
        with jobs.exclusive(store, jobs.TIME_RULES) as lease:  # and so does this one
            assert lease is None
        with jobs.exclusive(store, jobs.FETCH_MAIL) as lease:  # another job is free meanwhile
            assert lease is not None

        os.kill(holder.pid, signal.SIGKILL)  # mid-job: nothing is released by the holder
        holder.join(TIMEOUT)
        started = time.monotonic()
        while True:
            with jobs.exclusive(store, jobs.TIME_RULES) as lease:
                if lease is not None:
                    break
            assert time.monotonic() - started < 1.0, "the killed holder's job stayed locked"
            time.sleep(0.02)
        assert job_leases.lock_holder(store, jobs.TIME_RULES) is None  # released at the end of the job
        again = _cli(pg_url, "rules", "run")
        assert again.returncode == 0 and "skipped" not in again.stdout
    finally:
        if holder.is_alive():
            holder.kill()
            holder.join(TIMEOUT)
        store.close()


def test_two_processes_racing_for_a_job_exactly_one_runs_it(pg_url: str) -> None:
    open_store(pg_url).close()  # the desk exists before they race
    queues = [SPAWN.Queue() for _ in range(4)]
    racers = [SPAWN.Process(target=_hold, args=(pg_url, jobs.SEND_OUTBOX, q)) for q in queues]
    for racer in racers:
        racer.start()
    try:
        got = [q.get(timeout=TIMEOUT) for q in queues]
        assert sum(name is not None for name in got) == 1
    finally:
        for racer in racers:
            racer.kill()
            racer.join(TIMEOUT)


def test_who_holds_each_job_is_the_holders_session_and_nobody_once_released(pg_url: str) -> None:
    store = open_store(pg_url)
    try:
        for job in (jobs.FETCH_MAIL, jobs.SEND_OUTBOX, jobs.TIME_RULES):  # keys of either sign
            lock = job_leases.lock(store, job, f"here:1:{job}")
            assert lock is not None
            assert job_leases.lock_holder(store, job) == f"here:1:{job}"
            assert job_leases.lock(store, job, "there:2:x") is None
            lock.release()
            assert job_leases.lock_holder(store, job) is None
    finally:
        store.close()

"""Two real OS processes on one store file: nothing is lost, nothing is done twice.

The workers run in 'spawn'ed processes (a fresh interpreter each, as two
agents' terminals would be) and open the store themselves.
"""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime

import pytest
from support import CUSTOMER, dump

from tui_desk.core.lifecycle import TicketService
from tui_desk.domain.clock import fixed_clock
from tui_desk.domain.errors import TuiDeskError
from tui_desk.store import open_store, queries

pytestmark = pytest.mark.both_backends

SPAWN = multiprocessing.get_context("spawn")
TIMEOUT = 60


# -- workers (module level so a spawned interpreter can import them) ---------------------------
def _service(path: str, actor: str) -> TicketService:
    return TicketService(
        open_store(path), clock=fixed_clock(datetime(2026, 3, 2, 9, tzinfo=UTC)), actor=actor
    )


def _add_tags(path: str, ticket_id: int, prefix: str, count: int, barrier, results) -> None:
    service = _service(path, prefix)
    barrier.wait(TIMEOUT)
    added = 0
    for n in range(count):
        added += len(service.tag(ticket_id, add=[f"{prefix}-{n:02d}"]))
    results.put((prefix, added))


def _resolve_each(path: str, ticket_ids: list[int], actor: str, barrier, results) -> None:
    service = _service(path, actor)
    for ticket_id in ticket_ids:
        barrier.wait(TIMEOUT)  # both processes resolve the same ticket at the same moment
        try:
            service.resolve(ticket_id)
        except TuiDeskError as error:
            results.put((ticket_id, actor, type(error).__name__, str(error)))
        else:
            results.put((ticket_id, actor, "ok", ""))


def _stale_writer(path: str, ticket_id: int, looked, go, results) -> None:
    """Agent A: looks at the ticket, and acts on what it saw after B has changed it."""
    service = _service(path, "agent-a")
    version = queries.get_ticket(service.store, ticket_id).version
    looked.set()
    go.wait(TIMEOUT)
    try:
        service.reply(ticket_id, "Answer based on an old view", expected_version=version)
    except TuiDeskError as error:
        results.put((version, type(error).__name__, str(error)))
    else:
        results.put((version, "ok", ""))


def _other_writer(path: str, ticket_id: int, looked, changed) -> None:
    """Agent B: changes the ticket after A has looked at it."""
    service = _service(path, "agent-b")
    looked.wait(TIMEOUT)
    service.assign(ticket_id, "agent-b")
    changed.set()


def _run(*processes) -> None:
    for process in processes:
        process.start()
    _run_started(*processes)


def _run_started(*processes) -> None:
    for process in processes:
        process.join(TIMEOUT)
    for process in processes:
        if process.is_alive():
            process.kill()
            pytest.fail("a worker process hung")
        assert process.exitcode == 0, f"worker exited with {process.exitcode}"


def _drain(queue, count: int) -> list:
    return [queue.get(timeout=TIMEOUT) for _ in range(count)]


# -- tests -------------------------------------------------------------------------------------
def test_two_processes_tagging_one_ticket_lose_nothing(service, store, db_path) -> None:
    ticket_id = service.create_ticket(email=CUSTOMER, subject="Shared", body="Both agents tag this")
    start_version = queries.get_ticket(store, ticket_id).version
    barrier, results = SPAWN.Barrier(2), SPAWN.Queue()

    _run(
        *(
            SPAWN.Process(
                target=_add_tags, args=(str(db_path), ticket_id, prefix, 30, barrier, results)
            )
            for prefix in ("ann", "ben")
        )
    )

    assert sorted(_drain(results, 2)) == [("ann", 30), ("ben", 30)]
    ticket = queries.get_ticket(store, ticket_id)
    expected = sorted(f"{p}-{n:02d}" for p in ("ann", "ben") for n in range(30))
    assert list(ticket.tags) == expected
    tag_events = [e for e in queries.ticket_events(store, ticket_id) if e.kind == "tagged"]
    assert sorted(e.to_value for e in tag_events) == expected
    assert {e.actor for e in tag_events} == {"ann", "ben"}
    assert ticket.version == start_version + 60  # one bump per successful call, none lost
    if store.dialect == "sqlite":  # the file's own check; PostgreSQL's tables have no such check
        assert store.scalar("PRAGMA integrity_check") == "ok"


def test_two_processes_resolving_at_once_exactly_one_wins(service, store, db_path) -> None:
    ticket_ids = [
        service.create_ticket(email=CUSTOMER, subject=f"Race {n}", body="Resolve me")
        for n in range(8)
    ]
    barrier, results = SPAWN.Barrier(2), SPAWN.Queue()

    _run(
        *(
            SPAWN.Process(
                target=_resolve_each, args=(str(db_path), ticket_ids, actor, barrier, results)
            )
            for actor in ("ann", "ben")
        )
    )

    outcomes = _drain(results, 2 * len(ticket_ids))
    for ticket_id in ticket_ids:
        mine = [o for o in outcomes if o[0] == ticket_id]
        winners = [o for o in mine if o[2] == "ok"]
        losers = [o for o in mine if o[2] != "ok"]
        assert len(winners) == 1 and len(losers) == 1, mine
        _, _, error_type, message = losers[0]
        assert error_type == "TransitionRefused"
        assert message.startswith(f"Ticket #{ticket_id} is Resolved") and "\n" not in message
        assert queries.get_ticket(store, ticket_id).status == "resolved"
        resolved = [e for e in queries.ticket_events(store, ticket_id) if e.kind == "resolved"]
        assert [(e.from_value, e.to_value, e.actor) for e in resolved] == [
            ("new", "resolved", winners[0][1])
        ]
        assert queries.get_ticket(store, ticket_id).version == 2


def test_stale_version_from_another_process_is_a_conflict(service, store, db_path) -> None:
    ticket_id = service.create_ticket(email=CUSTOMER, subject="Stale", body="Who answers?")
    looked, changed, go, results = SPAWN.Event(), SPAWN.Event(), SPAWN.Event(), SPAWN.Queue()
    a = SPAWN.Process(target=_stale_writer, args=(str(db_path), ticket_id, looked, go, results))
    b = SPAWN.Process(target=_other_writer, args=(str(db_path), ticket_id, looked, changed))
    a.start()
    b.start()
    try:
        assert changed.wait(TIMEOUT), "agent B never changed the ticket"
        after_b = dump(store)
    finally:
        go.set()
    _run_started(a, b)

    [(version, error_type, message)] = _drain(results, 1)
    assert version == 1
    assert error_type == "ConflictError"
    assert f"#{ticket_id}" in message and "agent-b" in message and "\n" not in message
    assert dump(store) == after_b  # A's refused reply left no trace
    ticket = queries.get_ticket(store, ticket_id)
    assert (ticket.status, ticket.assignee, ticket.version) == ("new", "agent-b", 2)
    assert [m.kind for m in queries.ticket_messages(store, ticket_id)] == ["customer"]
    assert [e.kind for e in queries.ticket_events(store, ticket_id)] == ["created", "assigned"]

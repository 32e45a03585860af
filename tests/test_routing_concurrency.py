"""Two processes creating tickets at once never give one agent the round-robin turn twice in a row.

Each process opens the store itself and creates tickets that a round-robin rule assigns among three
agents (issue 18, docs/issue18/routing.md). The turn is read and advanced inside the creation's
transaction, under the store's write lock, so in the order the tickets were created (their ids) the
agents follow the cycle exactly, whoever created each ticket.
"""

from __future__ import annotations

import multiprocessing
import time
import traceback

import pytest

from tui_desk.core.lifecycle import TicketService
from tui_desk.core.routing import attach, routing_from_config
from tui_desk.store import open_store

pytestmark = pytest.mark.both_backends

SPAWN = multiprocessing.get_context("spawn")
PROCESSES = 2
TICKETS = 25
TIMEOUT = 180
CONFIG = {
    "departments": {"Support": {"agents": ["alice", "bob", "carol"]}},
    "routing": [{"name": "everyone", "department": "Support", "assign": "round-robin"}],
}


def _creator(location: str, number: int, barrier, results) -> None:
    try:
        service = TicketService(open_store(location), actor=f"fetcher{number}")
        attach(service, routing_from_config(CONFIG))
        barrier.wait(TIMEOUT)
        made = []
        for n in range(TICKETS):
            made.append(service.create_ticket(email=f"c{number}-{n}@example.com", subject=f"Question {n}", body="Hello"))
            # Pacing, not timing: SQLite's busy wait lets one writer run all its tickets first
            # otherwise, and the turns would never interleave.
            time.sleep(0.01)
        results.put((number, made, None))
    except BaseException:
        results.put((number, [], traceback.format_exc()))
        raise


def test_two_processes_creating_tickets_share_one_round_robin_turn(store, db_path) -> None:
    store.close()  # the processes open it themselves
    barrier, results = SPAWN.Barrier(PROCESSES), SPAWN.Queue()
    workers = [SPAWN.Process(target=_creator, args=(str(db_path), n, barrier, results)) for n in range(PROCESSES)]
    for worker in workers:
        worker.start()
    reports = []
    try:
        reports = [results.get(timeout=TIMEOUT) for _ in workers]
    finally:
        for worker in workers:
            worker.join(TIMEOUT)
            if worker.is_alive():
                worker.kill()
    assert not [error for _n, _made, error in reports if error], reports
    made = sorted(ticket_id for _n, ids, _error in reports for ticket_id in ids)
    assert len(made) == PROCESSES * TICKETS
    check = open_store(db_path)
    try:
        rows = check.query(
            "SELECT t.id, a.name FROM tickets t LEFT JOIN agents a ON a.id = t.assignee_id ORDER BY t.id"
        )
    finally:
        check.close()
    agents = [row["name"] for row in rows]
    assert agents == [["alice", "bob", "carol"][n % 3] for n in range(len(agents))]

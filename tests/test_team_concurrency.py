"""A team on one desk: 10 processes each make 100 changes to the same three tickets at once.

Notes, status flips and tag toggles, each as the app makes it (a request run through
core/requests.py and the TicketService, in a process of its own that opens the store itself).
Afterwards every change a worker was told it made is in the store with its event, and nothing
else is: no update was lost (docs/architecture.md, Concurrency). On PostgreSQL this is the
promise of a shared team desk; on SQLite the same promise between processes of one host.
"""

from __future__ import annotations

import multiprocessing
import random
import traceback
from collections import Counter

import pytest
from support import CUSTOMER

from tui_desk.core.lifecycle import TicketService
from tui_desk.core.names import TagEdit
from tui_desk.core.requests import Note, Reopen, Resolve, Tag, run
from tui_desk.store import open_store, queries

pytestmark = pytest.mark.both_backends

SPAWN = multiprocessing.get_context("spawn")
WORKERS = 10
CHANGES = 100
TAGS = ("billing", "urgent", "vip", "refund")
TIMEOUT = 180
STATUS_KINDS = {"resolved", "reopened"}
# What a worker may be told when another got there first: a refusal, never an error.
EXPECTED_REFUSALS = ("and cannot be resolved", "and cannot be reopened", "the tags are already so")


# -- the worker (module level, so that a spawned interpreter can import it) ---------------------
def _agent(location: str, number: int, ticket_ids: list[int], barrier, results) -> None:
    """One agent's terminal: 100 changes chosen from what it sees, reported back as made."""
    try:
        actor = f"agent{number}"
        service = TicketService(open_store(location), actor=actor)
        chooser = random.Random(number)
        made: list[tuple[int, str, str | None, str | None, int | None]] = []
        refused: list[str] = []
        barrier.wait(TIMEOUT)
        for step in range(CHANGES):
            ticket_id = ticket_ids[(number + step) % len(ticket_ids)]
            seen = queries.get_ticket(service.store, ticket_id)  # what the agent has on screen
            if step % 3 == 0:
                request = Note(f"{actor} note {step}")
            elif step % 3 == 1:
                request = Reopen() if seen.status == "resolved" else Resolve()
            else:
                tag = chooser.choice(TAGS)
                request = Tag(TagEdit(add=(), remove=(tag,)) if tag in seen.tags else TagEdit(add=(tag,), remove=()))
            outcome = run(service, request, [ticket_id])
            made += [(c.ticket_id, c.kind, c.from_value, c.to_value, c.message_id) for c in outcome.changes]
            refused += [reason for _id, reason in outcome.refused]
        results.put((actor, made, refused, None))
    except BaseException:
        results.put((f"agent{number}", [], [], traceback.format_exc()))
        raise


# -- the test -----------------------------------------------------------------------------------
def test_ten_processes_changing_three_tickets_lose_nothing(service, store, db_path) -> None:
    ticket_ids = [
        service.create_ticket(email=CUSTOMER, subject=f"Shared {n}", body="The whole team works on this")
        for n in range(3)
    ]
    start = {t: queries.get_ticket(store, t) for t in ticket_ids}
    first_event = int(store.scalar("SELECT max(id) FROM events")) + 1
    barrier, results = SPAWN.Barrier(WORKERS), SPAWN.Queue()
    workers = [
        SPAWN.Process(target=_agent, args=(str(db_path), n, ticket_ids, barrier, results))
        for n in range(WORKERS)
    ]
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
    failures = [f"{actor}:\n{error}" for actor, _made, _refused, error in reports if error]
    assert not failures, "\n".join(failures)
    assert [w.exitcode for w in workers] == [0] * WORKERS

    made = [(actor, *change) for actor, changes, _refused, _error in reports for change in changes]
    refusals = [reason for _actor, _made, refused, _error in reports for reason in refused]
    assert len(made) + len(refusals) == WORKERS * CHANGES  # one change or one refusal per step
    assert all(any(text in reason for text in EXPECTED_REFUSALS) for reason in refusals), refusals
    assert sum(1 for change in made if change[2] == "note") == WORKERS * 34  # every note step made its note

    # Every change a worker was told about is one event in the store, and there is no other event.
    events = store.query(
        "SELECT id, ticket_id, actor, kind, from_value, to_value FROM events WHERE id >= ? ORDER BY id",
        [first_event],
    )
    assert Counter((e["actor"], e["ticket_id"], e["kind"], e["from_value"], e["to_value"]) for e in events) == Counter(
        (actor, ticket_id, kind, from_value, to_value) for actor, ticket_id, kind, from_value, to_value, _m in made
    )

    # Every note is in its thread, by its author, once; no other message was added.
    notes = store.query(
        "SELECT id, ticket_id, author, body FROM messages WHERE kind = 'note' ORDER BY id"
    )
    assert sorted((n["id"], n["ticket_id"], n["author"]) for n in notes) == sorted(
        (message_id, ticket_id, actor) for actor, ticket_id, kind, _f, _t, message_id in made if kind == "note"
    )
    assert len({n["body"] for n in notes}) == len(notes)

    for ticket_id in ticket_ids:
        ticket = queries.get_ticket(store, ticket_id)
        mine = [e for e in events if e["ticket_id"] == ticket_id]
        # One version per change: two writers that read the same version would leave one bump.
        assert ticket.version == start[ticket_id].version + sum(1 for c in made if c[1] == ticket_id)
        assert ticket.message_count == store.scalar("SELECT count(*) FROM messages WHERE ticket_id = ?", [ticket_id])
        # The status history is one chain, each flip starting where the last one ended, and the
        # ticket's status is where the last one ended.
        status = start[ticket_id].status
        for event in (e for e in mine if e["kind"] in STATUS_KINDS):
            assert event["from_value"] == status, (ticket_id, event)
            status = event["to_value"]
        assert ticket.status == status
        # Replaying the tag events never adds a tag that is there or removes one that is not,
        # and ends with the ticket's tags.
        tags = set(start[ticket_id].tags)
        for event in mine:
            if event["kind"] == "tagged":
                assert event["to_value"] not in tags, (ticket_id, event)
                tags.add(event["to_value"])
            elif event["kind"] == "untagged":
                assert event["from_value"] in tags, (ticket_id, event)
                tags.remove(event["from_value"])
        assert set(ticket.tags) == tags

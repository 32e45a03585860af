"""Merge and split: what moves, where a later customer reply lands, and undo of both."""

from __future__ import annotations

import pytest
from support import AGENT, CUSTOMER

from tui_desk.core.actions import ActionKind, perform, undo_last
from tui_desk.core.lifecycle import TicketService
from tui_desk.domain.errors import InvalidInput, NotFound, TransitionRefused
from tui_desk.mail.importer import Importer
from tui_desk.store import Store, queries

pytestmark = pytest.mark.both_backends

# Columns a merge changes and its undo must give back; version/updated_at/derived ones move on.
TICKET_COLUMNS = (
    "id, subject, customer_id, status, previous_status, postponed_from, postponed_until, priority,"
    " assignee_id, department_id, created_at, waiting_since, first_response_at, resolved_at,"
    " last_customer_message_at, last_agent_reply_at, last_message_at, message_count, merged_into"
)


def picture(store: Store, *ticket_ids: int) -> dict:
    """Everything a user sees of these tickets, apart from the merge's and the undo's own events."""
    ids = ",".join(str(i) for i in ticket_ids)
    return {
        "tickets": store.conn.execute(f"SELECT {TICKET_COLUMNS} FROM tickets WHERE id IN ({ids}) ORDER BY id").fetchall(),
        "messages": store.conn.execute(f"SELECT * FROM messages WHERE ticket_id IN ({ids}) ORDER BY id").fetchall(),
        "tags": store.conn.execute(f"SELECT * FROM ticket_tags WHERE ticket_id IN ({ids}) ORDER BY 1, 2").fetchall(),
        "events": store.conn.execute(
            f"SELECT * FROM events WHERE ticket_id IN ({ids}) AND kind NOT IN ('merged', 'undone') ORDER BY id"
        ).fetchall(),
    }


@pytest.fixture
def pair(service: TicketService, make_ticket, clock) -> tuple[int, int]:
    """An answered ticket (the target) and a newer New one from the same customer (the source)."""
    target = make_ticket("answered", subject="Invoice 1042 is wrong")
    service.tag(target, add=["billing"])
    clock.advance(hours=1)
    source = service.create_ticket(email=CUSTOMER, subject="Re: invoice", body="Any news on the invoice?")
    service.tag(source, add=["urgent-customer"])
    service.add_note(source, "Same customer as the invoice ticket")
    clock.advance(minutes=5)
    return source, target


def test_merge_moves_thread_timeline_and_tags_and_leaves_a_pointer(service, store, pair) -> None:
    source, target = pair
    source_messages = [m.body for m in queries.ticket_messages(store, source)]
    source_events = len(queries.ticket_events(store, source))

    perform(service, ActionKind.MERGE, [source], lambda i: service.merge(i, target))

    moved = queries.get_ticket(store, target)
    assert [m.body for m in queries.ticket_messages(store, target)][-2:] == source_messages
    assert moved.message_count == 1 + 1 + len(source_messages)  # first message, reply, then the source's
    assert set(moved.tags) == {"billing", "urgent-customer"}
    assert moved.status == "open"  # the customer's newer question now waits on us
    assert len([e for e in queries.ticket_events(store, target) if e.kind != "merged"]) >= source_events
    pointer = queries.get_ticket(store, source)
    assert (pointer.status, pointer.merged_into, pointer.message_count, pointer.tags) == ("merged", target, 0, ())
    assert queries.ticket_messages(store, source) == []
    assert [e.detail for e in queries.ticket_events(store, source)] == [f"#{target}"]


def test_a_customer_reply_to_the_merged_thread_lands_in_the_target(service, store, pair) -> None:
    source, target = pair
    first_message_id = "<question-1@customer.example>"
    store.conn.execute(  # the source's message as it came by mail
        "UPDATE messages SET message_id = ? WHERE ticket_id = ? AND kind = 'customer'", [first_message_id, source]
    )
    service.merge(source, target)
    service.reply(target, "Fixed, here is the new invoice")

    by_header = (
        f"From: {CUSTOMER}\nTo: help@desk.example\nSubject: Re: invoice\nMessage-ID: <r2@customer.example>\n"
        f"In-Reply-To: {first_message_id}\n\nThanks, but the VAT is still wrong.\n"
    )
    by_tag = (
        f"From: {CUSTOMER}\nTo: help@desk.example\nSubject: Re: [#{source}] invoice\n"
        f"Message-ID: <r3@customer.example>\n\nAnd the address too.\n"
    )
    Importer(service, ["help@desk.example"]).run([("r2", by_header.encode(), None), ("r3", by_tag.encode(), None)])
    assert queries.ticket_messages(store, source) == []
    bodies = [m.body.strip() for m in queries.ticket_messages(store, target)]
    assert bodies[-2:] == ["Thanks, but the VAT is still wrong.", "And the address too."]
    assert queries.get_ticket(store, target).status == "open"
    service.add_customer_message(source, "One more thing")  # the command line's customer-reply
    assert queries.ticket_messages(store, target)[-1].body == "One more thing"


def test_merge_undo_restores_both_tickets_exactly(service, store, pair, clock) -> None:
    source, target = pair
    before = picture(store, source, target)
    perform(service, ActionKind.MERGE, [source], lambda i: service.merge(i, target))
    assert picture(store, source, target) != before
    clock.advance(minutes=3)

    outcome = undo_last(service)

    assert sorted(outcome.changed) == sorted([source, target])
    assert picture(store, source, target) == before
    for ticket_id in (source, target):
        kinds = [e.kind for e in queries.ticket_events(store, ticket_id)]
        assert kinds[-2:] == ["merged", "undone"]  # history is kept


def test_merge_undo_is_refused_whole_after_a_new_message(service, store, pair) -> None:
    source, target = pair
    perform(service, ActionKind.MERGE, [source], lambda i: service.merge(i, target))
    service.add_customer_message(target, "Hello?")
    after = picture(store, source, target)
    with pytest.raises(TransitionRefused, match="changed since"):
        undo_last(service)
    assert picture(store, source, target) == after


@pytest.mark.parametrize(
    ("source_status", "target_status", "message"),
    [
        ("spam", "new", "restore it first"),
        ("new", "deleted", "restore it first"),
    ],
)
def test_merge_refuses_binned_tickets(service, make_ticket, store, source_status, target_status, message) -> None:
    source, target = make_ticket(source_status), make_ticket(target_status)
    before = picture(store, source, target)
    with pytest.raises(TransitionRefused, match=message):
        service.merge(source, target)
    assert picture(store, source, target) == before


def test_merge_refuses_itself_and_merged_tickets(service, make_ticket) -> None:
    first, second, third = make_ticket("new"), make_ticket("new"), make_ticket("new")
    with pytest.raises(InvalidInput, match="itself"):
        service.merge(first, first)
    service.merge(first, second)
    with pytest.raises(TransitionRefused, match=f"merged into #{second}"):
        service.merge(third, first)
    with pytest.raises(TransitionRefused, match=f"merged into #{second}"):
        service.resolve(first)


def test_split_moves_one_message_into_a_new_ticket_and_undo_takes_it_back(service, store, make_ticket, clock) -> None:
    ticket_id = make_ticket("open")  # customer, reply, customer
    second_question = queries.ticket_messages(store, ticket_id)[-1]
    before = picture(store, ticket_id)

    outcome = perform(service, ActionKind.SPLIT, [ticket_id], lambda _i: service.split(second_question.id))

    new_id = outcome.changes[0].ticket_id
    new = queries.get_ticket(store, new_id)
    assert (new.status, new.customer_email, new.message_count) == ("new", CUSTOMER, 1)
    assert [m.id for m in queries.ticket_messages(store, new_id)] == [second_question.id]
    assert queries.get_ticket(store, ticket_id).message_count == 2
    clock.advance(minutes=1)

    undo_last(service)

    assert picture(store, ticket_id) == before | {
        "events": picture(store, ticket_id)["events"]  # the split and undo events are added
    }
    assert [m.id for m in queries.ticket_messages(store, ticket_id)][-1] == second_question.id
    pointer = queries.get_ticket(store, new_id)
    assert (pointer.status, pointer.merged_into) == ("merged", ticket_id)
    assert [e.kind for e in queries.ticket_events(store, ticket_id)][-2:] == ["split", "undone"]


def test_split_refuses_the_only_message_and_agent_messages(service, store, make_ticket) -> None:
    single = make_ticket("new")
    with pytest.raises(TransitionRefused, match="nothing to split"):
        service.split(queries.ticket_messages(store, single)[0].id)
    answered = make_ticket("answered")
    reply = queries.ticket_messages(store, answered)[-1]
    with pytest.raises(TransitionRefused, match="customer's message"):
        service.split(reply.id)
    with pytest.raises(Exception, match="No message 424242"):
        service.split(424242)
    assert AGENT  # the fixture's agent did all of the above


def test_undo_of_several_tickets_merged_into_one_restores_all_of_them(service, store, pair, make_ticket) -> None:
    source, target = pair
    third = make_ticket("open", subject="Also about the invoice")
    before = picture(store, source, target, third)
    outcome = perform(service, ActionKind.MERGE, [source, third], lambda i: service.merge(i, target))
    assert sorted(outcome.changed) == sorted([source, third, target])
    assert queries.ticket_messages(store, third) == []

    undo_last(service)

    assert picture(store, source, target, third) == before


def test_the_summary_counts_the_merged_and_the_split_off_tickets(service, pair, make_ticket, store) -> None:
    source, target = pair
    third = make_ticket("open", subject="Also about the invoice")
    merged = perform(service, ActionKind.MERGE, [source, third], lambda i: service.merge(i, target))
    assert merged.summary().startswith("2 merged")
    ticket_id = service.create_ticket(email=CUSTOMER, subject="Two questions", body="First question")
    second = service.add_customer_message(ticket_id, "Second question")
    split = perform(service, ActionKind.SPLIT, [ticket_id], lambda _i: service.split(second.message_id))
    assert split.summary().startswith("1 split")


def test_purging_a_merge_target_purges_its_pointers_and_no_new_ticket_takes_their_numbers(
    service, store, pair, make_ticket
) -> None:
    source, target = pair
    service.merge(source, target)
    service.delete(target)
    service.purge(target)
    with pytest.raises(NotFound):
        queries.get_ticket(store, source)
    with pytest.raises(NotFound):  # the customer's next message cannot vanish into a pointer
        service.add_customer_message(source, "Hello again")
    newest = service.create_ticket(email="erin@example.com", subject="Unrelated", body="Hi")
    assert newest > max(source, target)  # a purged ticket's number is never given out again
    assert {row[0] for row in store.conn.execute("SELECT ticket_id FROM purged")} == {source, target}

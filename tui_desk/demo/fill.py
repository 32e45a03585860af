"""Writing the demo's tickets in batches, so a million of them fit in a few hundred MB.

The tickets are played twice (generate.Plays: each pass starts from the same random state,
the customers are made once). The first pass keeps a few
numbers per ticket: when it arrived and how many messages, events and attachments it has.
From them each ticket gets its id in order of arrival (the order of a desk's tickets
created one by one), and its messages, events and attachments the ids they would have had
if every row were written at once in that order. The second pass plays the tickets again and
writes them a batch at a time with those ids, so the store is the same, row for row, as one
written from a list of every ticket sorted by arrival, without ever holding that list.

Every batch is written in the one transaction the fill holds: the ids are taken when it
starts, nobody can take them meanwhile, and a fill that fails leaves nothing behind. SQLite
keeps its memory to its page cache and writes the rest to its journal.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..store import Store, bulk
from .common import RANKS, stored_time
from .generate import Plays
from .people import Customer
from .samples import AGENTS, DEPARTMENTS
from .ticket import Ticket

BATCH_TICKETS = 2_500  # tickets per batch written: about 10 MB of rows
_NEVER = 2**62

Progress = Callable[[int, int], None]  # (tickets written so far, tickets in all)


@dataclass
class _Places:
    """Where each ticket's rows go, by its place in the order the tickets are played."""

    rank: array  # its ticket id, less the first
    message: array  # its first message id, less the first
    event: array
    attachment: array
    customers: list[int | str]  # in order of their first ticket: a number, or a one-off's e-mail
    customer_since: array  # by customer number: when the first ticket came
    others: dict[str, list[Any]]  # one-off senders (spammers) by e-mail: first ticket, name, phone, company
    tags: list[str]  # in order of first use


def _places(plays: Plays) -> _Places:
    """The first pass: play every ticket, keep only what places its rows."""
    count = len(plays.customers)
    created, messages, events, attachments = array("q"), array("i"), array("i"), array("i")
    first_seen = array("q", [_NEVER]) * count  # (created, play index) of the customer's first ticket
    first_index = array("q", [0]) * count
    tag_first: dict[str, tuple[int, int]] = {}
    others: dict[str, list[Any]] = {}
    for index, ticket in enumerate(plays):
        created.append(ticket.created)
        messages.append(len(ticket.messages))
        events.append(len(ticket.events))
        attachments.append(sum(len(message[5]) for message in ticket.messages))
        key = (ticket.created, index)
        customer = ticket.customer
        number = customer.number
        if number < 0:  # made for this ticket (a spammer): known by its address, like the store does
            known = others.setdefault(customer.email, [*key, customer.name, customer.phone, customer.company])
            if key < (known[0], known[1]):
                known[:] = [*key, customer.name, customer.phone, customer.company]
        elif key < (first_seen[number], first_index[number]):
            first_seen[number], first_index[number] = key
        for tag in ticket.tags:
            if tag not in tag_first or key < tag_first[tag]:
                tag_first[tag] = key
    order = _by_arrival(created)
    del created
    total = len(order)
    # Four bytes a number (a million tickets have a few million rows): arrays, not int objects.
    rank, message, event, attachment = (array("i", [0]) * total for _ in range(4))
    m = e = a = 0
    for position, index in enumerate(order):
        rank[index] = position
        message[index], event[index], attachment[index] = m, e, a
        m += messages[index]
        e += events[index]
        a += attachments[index]
    del order
    # The customers by their first ticket: one int a key (arrival above play index), not a tuple.
    shift = max(1, total.bit_length())
    oldest = min(first_seen, default=0)  # an unseen customer's _NEVER is never the smallest
    oldest = min([oldest, *(known[0] for known in others.values())])

    def first_ticket(which: int | str) -> int:
        if isinstance(which, str):
            return (others[which][0] - oldest) << shift | others[which][1]
        return (first_seen[which] - oldest) << shift | first_index[which]

    customers: list[int | str] = [n for n in range(count) if first_seen[n] != _NEVER]
    customers.extend(others)
    customers.sort(key=first_ticket)
    return _Places(
        rank, message, event, attachment, customers, first_seen, others, sorted(tag_first, key=tag_first.__getitem__)
    )


def _by_arrival(created: array) -> array:
    """The play indexes in order of arrival; those that came in the same second in the order they
    were played (as a stable sort). A bucket sort over arrays: sorted() of a million ints would
    make a million int objects, 50 MB at the fill's peak."""
    total = len(created)
    order = array("i", [0]) * total
    if not total:
        return order
    oldest = min(created)
    width = (max(created) - oldest) // total + 1  # seconds a bucket: at most as many buckets as tickets
    buckets = (max(created) - oldest) // width + 1
    starts = array("i", [0]) * (buckets + 1)
    for moment in created:
        starts[(moment - oldest) // width + 1] += 1
    for bucket in range(buckets):
        starts[bucket + 1] += starts[bucket]
    free = array("i", starts)
    for index, moment in enumerate(created):
        bucket = (moment - oldest) // width
        order[free[bucket]] = index
        free[bucket] += 1
    del free
    for bucket in range(buckets):
        first, last = starts[bucket], starts[bucket + 1]
        if last - first > 1:  # in play order already: a stable sort by time keeps ties so
            order[first:last] = array("i", sorted(order[first:last], key=created.__getitem__))
    return order


def _customer_row(places: _Places, customers: list[Customer], which: int | str) -> tuple[Any, ...]:
    if isinstance(which, str):
        since, _index, name, phone, company = places.others[which]
        return (which, name or None, phone, company, stored_time(since))
    c = customers[which]
    return (c.email, c.name or None, c.phone, c.company, stored_time(places.customer_since[which]))


def write_demo(
    store: Store, tickets: int, seed: int, now: int, progress: Progress | None = None
) -> int:
    """Play and write `tickets` demo tickets; returns how many. `progress` is called after each
    batch is written (inside the fill's transaction)."""
    batch = BATCH_TICKETS
    plays = Plays(tickets, seed, now)
    places = _places(plays)
    customers = plays.customers
    with store.transaction() as conn:
        agent_ids, department_ids, tag_ids, _none = bulk.add_names(
            conn, [(a.name, a.full_name, a.email, int(a.active)) for a in AGENTS], DEPARTMENTS, places.tags, []
        )
        # The customers in order of their first ticket, 10,000 at a time: their rows and ids all
        # at once would take 100 MB at a million tickets.
        customer_ids = array("q", [0]) * len(customers)
        other_ids: dict[str, int] = {}
        for start in range(0, len(places.customers), 10_000):
            chosen = places.customers[start : start + 10_000]
            by_email = bulk.add_names(conn, [], [], [], [_customer_row(places, customers, c) for c in chosen])[3]
            for which in chosen:
                if isinstance(which, str):
                    other_ids[which] = by_email[which]
                else:
                    customer_ids[which] = by_email[customers[which].email]
        places.customers = []
        first_ticket, first_message = bulk.first_free_ids(conn)
        first_event, first_attachment = bulk.first_free_row_ids(conn)
        rows = _Rows()
        written = 0
        for index, t in enumerate(plays):
            ticket_id = first_ticket + places.rank[index]
            rows.add(
                t, ticket_id, first_message + places.message[index], first_event + places.event[index],
                first_attachment + places.attachment[index],
                customer_ids[t.customer.number] if t.customer.number >= 0 else other_ids[t.customer.email], agent_ids,
                department_ids, tag_ids,
            )
            if len(rows.tickets) >= batch:
                written += rows.write(conn)
                if progress is not None:
                    progress(written, tickets)
        if rows.tickets:
            written += rows.write(conn)
            if progress is not None:
                progress(written, tickets)
    return written


class _Rows:
    """One batch's rows, table by table."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.tickets: list[tuple[Any, ...]] = []
        self.tags: list[tuple[int, int]] = []
        self.messages: list[tuple[Any, ...]] = []
        self.attachments: list[tuple[Any, ...]] = []
        self.events: list[tuple[Any, ...]] = []

    def add(
        self, t: Ticket, ticket_id: int, message_id: int, event_id: int, attachment_id: int, customer_id: int,
        agent_ids: dict[str, int], department_ids: dict[str, int], tag_ids: dict[str, int],
    ) -> None:  # fmt: skip
        self.tickets.append((
            ticket_id, t.subject, customer_id, t.status, t.previous_status,
            t.postponed_from, t.postponed_until, t.priority, RANKS[t.priority],
            agent_ids[t.assignee] if t.assignee else None,
            department_ids[t.department] if t.department else None,
            t.created_at, t.updated_at, t.waiting_since, t.first_response_at, t.resolved_at,
            t.last_customer_message_at, t.last_agent_reply_at, t.last_message_at, t.message_count,
            t.bucket, t.sort_key, t.version,
        ))  # fmt: skip
        for name in t.tags:
            self.tags.append((ticket_id, tag_ids[name]))
        for n, (moment, kind, author, body, token, attachments) in enumerate(t.messages):
            # A Message-ID like a mail client's, unique in the store thanks to the ticket id.
            header = f"<{ticket_id}.{n}.{token}@mail.{author.rpartition('@')[2]}>" if token else None
            self.messages.append((message_id, ticket_id, kind, author, body, moment, header))
            for name, content_type, data in attachments:
                self.attachments.append((attachment_id, message_id, name, content_type, len(data), data))
                attachment_id += 1
            message_id += 1
        for event in t.events:
            self.events.append((event_id, ticket_id, *event))
            event_id += 1

    def write(self, conn: Any) -> int:
        """Write the batch (each table's rows in id order: fewer pages touched) and empty it."""
        for table in (self.tickets, self.tags, self.messages, self.attachments, self.events):
            table.sort()
        count = len(self.tickets)
        bulk.insert_tickets(conn, self.tickets)
        bulk.insert_ticket_tags(conn, self.tags)
        bulk.insert_messages(conn, self.messages)
        bulk.insert_attachments_with_ids(conn, self.attachments)
        bulk.insert_events_with_ids(conn, self.events)
        self.clear()
        return count

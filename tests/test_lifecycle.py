"""The lifecycle table of docs/lifecycle.md, row by row, allowed and refused.

Every allowed action is checked by the status it leaves (read back from the
store) and by the one timeline event it writes; every refused action by its
error message and by the store being exactly as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from support import AGENT, BUILTIN, CUSTOMER, LIVE, dump, event_count, ticket_in_status

from tui_desk.core.lifecycle import TicketService
from tui_desk.domain.clock import to_text
from tui_desk.domain.errors import ConflictError, InvalidInput, NotFound, TransitionRefused
from tui_desk.store import Store, queries

pytestmark = pytest.mark.both_backends

ATTENTION = {"new", "open"}
BUCKET = {
    "new": 0,
    "open": 0,
    "answered": 1,
    "resolved": 1,
    "postponed": 1,
    "spam": 2,
    "deleted": 2,
}


# -- helpers ---------------------------------------------------------------------------
def status_of(store: Store, ticket_id: int) -> str:
    return queries.get_ticket(store, ticket_id).status


def bucket_of(store: Store, ticket_id: int) -> int:
    return store.scalar("SELECT bucket FROM tickets WHERE id = ?", [ticket_id])


def assert_one_event(
    store: Store,
    ticket_id: int,
    before: int,
    *,
    kind: str,
    from_value: str | None,
    to_value: str | None,
    actor: str,
):
    """Exactly one event was added, and it says what happened, who did it and when."""
    events = queries.ticket_events(store, ticket_id)
    assert len(events) == before + 1, [(e.kind, e.from_value, e.to_value) for e in events[before:]]
    event = events[-1]
    assert (event.kind, event.from_value, event.to_value, event.actor) == (
        kind,
        from_value,
        to_value,
        actor,
    )
    return event


def assert_refused(store: Store, ticket_id: int, action: Callable[[], object], *words: str) -> str:
    """The action raises TransitionRefused with one clear line naming the ticket; nothing changed."""
    before = dump(store)
    with pytest.raises(TransitionRefused) as caught:
        action()
    message = str(caught.value)
    assert re.match(rf"Ticket #{ticket_id}\b", message), message
    assert "\n" not in message and len(message) < 200, message
    for word in words:
        assert word in message, message
    assert dump(store) == before
    return message


def allowed_and_refused(all_from: tuple[str, ...], allowed: set[str]) -> list:
    return [
        pytest.param(s, s in allowed, id=f"{s}-{'ok' if s in allowed else 'refused'}")
        for s in all_from
    ]


# -- a customer request arrives ----------------------------------------------------------
def test_first_customer_message_creates_a_new_ticket(
    service: TicketService, store: Store, clock
) -> None:
    ticket_id = service.create_ticket(
        email="Carol <Carol@Example.COM>",
        name="Carol Danvers",
        subject="  Cannot   log in ",
        body="Password reset loops.",
    )

    ticket = queries.get_ticket(store, ticket_id)
    assert ticket.status == "new"
    assert ticket.subject == "Cannot log in"
    assert ticket.customer_email == "Carol@example.com"
    assert ticket.customer_name == "Carol Danvers"
    assert ticket.waiting_since == to_text(clock())
    assert ticket.version == 1
    assert bucket_of(store, ticket_id) == 0
    [message] = queries.ticket_messages(store, ticket_id)
    assert (message.kind, message.author, message.body) == (
        "customer",
        "Carol@example.com",
        "Password reset loops.",
    )
    [event] = queries.ticket_events(store, ticket_id)
    assert (event.kind, event.from_value, event.to_value, event.actor) == (
        "created",
        None,
        "new",
        "Carol@example.com",
    )
    assert event.at == to_text(clock())


def test_a_request_without_a_valid_address_is_refused(service: TicketService, store: Store) -> None:
    before = dump(store)
    with pytest.raises(InvalidInput, match="e-mail"):
        service.create_ticket(email="not an address", subject="x", body="y")
    assert dump(store) == before


# -- an agent replies --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "ok"),
    allowed_and_refused(BUILTIN, {"new", "open", "answered", "postponed", "resolved"}),
)
def test_agent_reply(service: TicketService, store: Store, clock, start: str, ok: bool) -> None:
    ticket_id = ticket_in_status(service, start)
    before = event_count(store, ticket_id)
    messages = len(queries.ticket_messages(store, ticket_id))
    if not ok:
        assert_refused(
            store, ticket_id, lambda: service.reply(ticket_id, "Hello"), "cannot be replied to"
        )
        return
    change = service.reply(ticket_id, "Fixed the tray, please try again.")
    ticket = queries.get_ticket(store, ticket_id)
    assert ticket.status == "answered"
    assert ticket.waiting_since is None
    assert ticket.postponed_until is None
    assert ticket.first_response_at is not None
    assert bucket_of(store, ticket_id) == 1
    assert_one_event(
        store, ticket_id, before, kind="replied", from_value=start, to_value="answered", actor=AGENT
    )
    thread = queries.ticket_messages(store, ticket_id)
    assert len(thread) == messages + 1
    assert (thread[-1].kind, thread[-1].author, thread[-1].body) == (
        "reply",
        AGENT,
        "Fixed the tray, please try again.",
    )
    assert change.message_id == thread[-1].id


def test_reply_records_the_acting_agent(service: TicketService, store: Store) -> None:
    ticket_id = ticket_in_status(service, "new")
    service.reply(ticket_id, "On it", actor="bob")
    assert queries.ticket_events(store, ticket_id)[-1].actor == "bob"
    assert queries.ticket_messages(store, ticket_id)[-1].author == "bob"


def test_empty_reply_is_refused_and_changes_nothing(service: TicketService, store: Store) -> None:
    ticket_id = ticket_in_status(service, "new")
    before = dump(store)
    with pytest.raises(InvalidInput):
        service.reply(ticket_id, "   \n")
    assert dump(store) == before


# -- the customer writes again -----------------------------------------------------------
CUSTOMER_AGAIN = {
    "new": "new",
    "open": "open",
    "answered": "open",
    "resolved": "open",
    "postponed": "open",
    "spam": "spam",
    "deleted": "deleted",
}


@pytest.mark.parametrize("start", BUILTIN)
def test_customer_writes_again(service: TicketService, store: Store, clock, start: str) -> None:
    ticket_id = ticket_in_status(service, start)
    before = event_count(store, ticket_id)
    messages = len(queries.ticket_messages(store, ticket_id))

    service.add_customer_message(ticket_id, "Any news?")

    expected = CUSTOMER_AGAIN[start]
    ticket = queries.get_ticket(store, ticket_id)
    assert ticket.status == expected
    assert bucket_of(store, ticket_id) == BUCKET[expected]
    assert_one_event(
        store,
        ticket_id,
        before,
        kind="customer_message",
        from_value=start,
        to_value=expected,
        actor=CUSTOMER,
    )
    thread = queries.ticket_messages(store, ticket_id)
    assert len(thread) == messages + 1  # kept even for spam and deleted tickets
    assert (thread[-1].kind, thread[-1].author, thread[-1].body) == (
        "customer",
        CUSTOMER,
        "Any news?",
    )
    assert ticket.last_customer_message_at == to_text(clock())
    if expected == "open":
        assert ticket.waiting_since is not None
        assert ticket.postponed_until is None
        assert ticket.resolved_at is None


def test_customer_message_keeps_the_longest_wait(
    service: TicketService, store: Store, clock
) -> None:
    ticket_id = ticket_in_status(service, "new")
    first_wait = queries.get_ticket(store, ticket_id).waiting_since
    clock.advance(hours=3)
    service.add_customer_message(ticket_id, "Hello? Anyone?")
    assert queries.get_ticket(store, ticket_id).waiting_since == first_wait


# -- an agent resolves it ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "ok"), allowed_and_refused(BUILTIN, {"new", "open", "answered", "postponed"})
)
def test_resolve(service: TicketService, store: Store, clock, start: str, ok: bool) -> None:
    ticket_id = ticket_in_status(service, start)
    before = event_count(store, ticket_id)
    if not ok:
        assert_refused(store, ticket_id, lambda: service.resolve(ticket_id), "cannot be resolved")
        return
    service.resolve(ticket_id)
    ticket = queries.get_ticket(store, ticket_id)
    assert ticket.status == "resolved"
    assert ticket.resolved_at == to_text(clock())
    assert ticket.postponed_until is None
    assert bucket_of(store, ticket_id) == 1
    assert_one_event(
        store,
        ticket_id,
        before,
        kind="resolved",
        from_value=start,
        to_value="resolved",
        actor=AGENT,
    )


# -- an agent postpones it until a time -------------------------------------------------------
@pytest.mark.parametrize(("start", "ok"), allowed_and_refused(BUILTIN, {"new", "open", "answered"}))
def test_postpone(service: TicketService, store: Store, clock, start: str, ok: bool) -> None:
    ticket_id = ticket_in_status(service, start)
    before = event_count(store, ticket_id)
    until = clock() + timedelta(hours=2)
    if not ok:
        assert_refused(
            store, ticket_id, lambda: service.postpone(ticket_id, until), "cannot be postponed"
        )
        return
    service.postpone(ticket_id, until)
    ticket = queries.get_ticket(store, ticket_id)
    assert ticket.status == "postponed"
    assert ticket.postponed_until == to_text(until)
    assert ticket.postponed_from == start
    assert bucket_of(store, ticket_id) == 1
    event = assert_one_event(
        store,
        ticket_id,
        before,
        kind="postponed",
        from_value=start,
        to_value="postponed",
        actor=AGENT,
    )
    assert event.detail == to_text(until)


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(minutes=-5)])
def test_postpone_into_the_past_is_refused(
    service: TicketService, store: Store, clock, offset
) -> None:
    ticket_id = ticket_in_status(service, "open")
    before = dump(store)
    with pytest.raises(InvalidInput, match="future"):
        service.postpone(ticket_id, clock() + offset)
    assert dump(store) == before


# -- the postpone time passes ----------------------------------------------------------------
@pytest.mark.parametrize("start", ["new", "open", "answered"])
def test_postpone_time_passes_returns_to_the_status_before(
    service: TicketService, store: Store, clock, start: str
) -> None:
    ticket_id = ticket_in_status(service, start)
    other = ticket_in_status(service, "open")
    service.postpone(ticket_id, clock() + timedelta(hours=2))
    service.postpone(other, clock() + timedelta(days=2))  # not due: must stay postponed

    clock.advance(hours=1, minutes=59)
    assert service.wake_due() == []
    assert status_of(store, ticket_id) == "postponed"

    clock.advance(minutes=1)  # exactly the postpone time
    before = event_count(store, ticket_id)
    changes = service.wake_due()

    assert [c.ticket_id for c in changes] == [ticket_id]
    ticket = queries.get_ticket(store, ticket_id)
    assert ticket.status == start
    assert ticket.postponed_until is None and ticket.postponed_from is None
    assert bucket_of(store, ticket_id) == BUCKET[start]
    assert_one_event(
        store,
        ticket_id,
        before,
        kind="woken",
        from_value="postponed",
        to_value=start,
        actor="system",
    )
    assert status_of(store, other) == "postponed"

    # Idempotent: a second run (or a second process running it) does nothing more.
    snapshot = dump(store)
    assert service.wake_due() == []
    assert dump(store) == snapshot


def test_wake_before_the_time_is_refused(service: TicketService, store: Store, clock) -> None:
    ticket_id = ticket_in_status(service, "postponed")
    until = queries.get_ticket(store, ticket_id).postponed_until
    assert_refused(store, ticket_id, lambda: service.wake(ticket_id), "postponed until", until)


@pytest.mark.parametrize("start", [s for s in BUILTIN if s != "postponed"])
def test_wake_of_a_ticket_that_is_not_postponed_is_refused(
    service: TicketService, store: Store, start: str
) -> None:
    ticket_id = ticket_in_status(service, start)
    assert_refused(store, ticket_id, lambda: service.wake(ticket_id), "not postponed")


def test_wake_due_skips_postponed_tickets_moved_to_the_bin(
    service: TicketService, store: Store, clock
) -> None:
    ticket_id = ticket_in_status(service, "postponed")
    service.mark_spam(ticket_id)
    clock.advance(days=3)
    assert service.wake_due() == []
    assert status_of(store, ticket_id) == "spam"
    # Restored, it is postponed again, and then wakes since its time has passed.
    service.restore(ticket_id)
    assert status_of(store, ticket_id) == "postponed"
    assert [c.to_value for c in service.wake_due()] == ["open"]
    assert status_of(store, ticket_id) == "open"


# -- an agent reopens it ---------------------------------------------------------------------
@pytest.mark.parametrize(("start", "ok"), allowed_and_refused(BUILTIN, {"resolved"}))
def test_reopen(service: TicketService, store: Store, clock, start: str, ok: bool) -> None:
    ticket_id = ticket_in_status(service, start)
    before = event_count(store, ticket_id)
    if not ok:
        assert_refused(store, ticket_id, lambda: service.reopen(ticket_id), "cannot be reopened")
        return
    service.reopen(ticket_id)
    ticket = queries.get_ticket(store, ticket_id)
    assert ticket.status == "open"
    assert ticket.resolved_at is None
    assert ticket.waiting_since == to_text(clock())
    assert bucket_of(store, ticket_id) == 0
    assert_one_event(
        store,
        ticket_id,
        before,
        kind="reopened",
        from_value="resolved",
        to_value="open",
        actor=AGENT,
    )


# -- spam / delete from any, restore ---------------------------------------------------------
BIN_ACTIONS = {"spam": ("mark_spam", "spam"), "deleted": ("delete", "deleted")}


@pytest.mark.parametrize("target", ["spam", "deleted"])
@pytest.mark.parametrize("start", BUILTIN)
def test_spam_and_delete_from_any_status(
    service: TicketService, store: Store, start: str, target: str
) -> None:
    method, kind = BIN_ACTIONS[target]
    ticket_id = ticket_in_status(service, start)
    before = event_count(store, ticket_id)
    action = getattr(service, method)
    if start == target:
        assert_refused(store, ticket_id, lambda: action(ticket_id), "already")
        return
    action(ticket_id)
    assert status_of(store, ticket_id) == target
    assert bucket_of(store, ticket_id) == 2
    assert_one_event(
        store, ticket_id, before, kind=kind, from_value=start, to_value=target, actor=AGENT
    )
    # Hidden from every inbox view, but still there with its thread.
    assert ticket_id not in [r.id for r in queries.inbox_page(store, queries.InboxFilter())]
    assert queries.ticket_messages(store, ticket_id)


@pytest.mark.parametrize("target", ["spam", "deleted"])
@pytest.mark.parametrize("start", LIVE)
def test_restore_returns_to_the_status_before(
    service: TicketService, store: Store, start: str, target: str
) -> None:
    method, _kind = BIN_ACTIONS[target]
    ticket_id = ticket_in_status(service, start)
    getattr(service, method)(ticket_id)
    before = event_count(store, ticket_id)

    service.restore(ticket_id)

    ticket = queries.get_ticket(store, ticket_id)
    assert ticket.status == start
    assert ticket.previous_status is None
    assert bucket_of(store, ticket_id) == BUCKET[start]
    assert_one_event(
        store, ticket_id, before, kind="restored", from_value=target, to_value=start, actor=AGENT
    )


@pytest.mark.parametrize("order", [("mark_spam", "delete"), ("delete", "mark_spam")])
@pytest.mark.parametrize("start", LIVE)
def test_restore_after_spam_then_delete_returns_to_the_live_status(
    service: TicketService, store: Store, start: str, order: tuple[str, str]
) -> None:
    ticket_id = ticket_in_status(service, start)
    for method in order:
        getattr(service, method)(ticket_id)
    binned = status_of(store, ticket_id)
    before = event_count(store, ticket_id)
    service.restore(ticket_id)
    assert status_of(store, ticket_id) == start
    assert_one_event(
        store, ticket_id, before, kind="restored", from_value=binned, to_value=start, actor=AGENT
    )


@pytest.mark.parametrize("start", LIVE)
def test_restore_of_a_live_ticket_is_refused(
    service: TicketService, store: Store, start: str
) -> None:
    ticket_id = ticket_in_status(service, start)
    assert_refused(store, ticket_id, lambda: service.restore(ticket_id), "cannot be restored")


# -- purge only from Deleted -----------------------------------------------------------------
@pytest.mark.parametrize(("start", "ok"), allowed_and_refused(BUILTIN, {"deleted"}))
def test_purge_only_from_deleted(
    service: TicketService, store: Store, clock, start: str, ok: bool
) -> None:
    ticket_id = ticket_in_status(service, start)
    keep = ticket_in_status(service, "deleted", subject="Another one")
    service.tag(ticket_id, add=["vip"])
    if not ok:
        assert_refused(
            store, ticket_id, lambda: service.purge(ticket_id), "only deleted tickets can be purged"
        )
        return
    kept = dump(store)
    service.purge(ticket_id)
    with pytest.raises(NotFound, match=f"#{ticket_id}"):
        queries.get_ticket(store, ticket_id)
    for table in ("messages", "events", "ticket_tags"):
        assert store.scalar(f"SELECT count(*) FROM {table} WHERE ticket_id = ?", [ticket_id]) == 0
    assert store.query("SELECT ticket_id, subject, actor FROM purged") == [
        {"ticket_id": ticket_id, "subject": "Printer on floor 3 is jammed", "actor": AGENT}
    ]
    # The other deleted ticket is untouched, and search no longer finds the purged one.
    assert dump(store)["messages"] == [m for m in kept["messages"] if m[1] != ticket_id]
    assert queries.get_ticket(store, keep).status == "deleted"
    hits = queries.inbox_page(
        store, queries.InboxFilter(view="status", statuses=("deleted",), search="printer")
    )
    assert [r.id for r in hits] == []


def test_actions_on_an_unknown_ticket_raise_not_found(
    service: TicketService, store: Store, clock
) -> None:
    before = dump(store)
    for action in (
        lambda: service.reply(404, "hi"),
        lambda: service.add_customer_message(404, "hi"),
        lambda: service.add_note(404, "hi"),
        lambda: service.resolve(404),
        lambda: service.postpone(404, clock() + timedelta(hours=1)),
        lambda: service.mark_spam(404),
        lambda: service.restore(404),
        lambda: service.purge(404),
        lambda: service.assign(404, "bob"),
        lambda: service.tag(404, add=["x"]),
    ):
        with pytest.raises(NotFound, match="#404"):
            action()
    assert dump(store) == before


# -- internal notes ----------------------------------------------------------------------------
@pytest.mark.parametrize("start", BUILTIN)
def test_internal_note_changes_no_status_and_writes_one_event(
    service: TicketService, store: Store, start: str
) -> None:
    ticket_id = ticket_in_status(service, start)
    before_ticket = queries.get_ticket(store, ticket_id)
    before = event_count(store, ticket_id)

    service.add_note(ticket_id, "Customer is on the enterprise plan.")

    after = queries.get_ticket(store, ticket_id)
    assert after.status == start
    assert (after.waiting_since, after.postponed_until, after.resolved_at) == (
        before_ticket.waiting_since,
        before_ticket.postponed_until,
        before_ticket.resolved_at,
    )
    assert bucket_of(store, ticket_id) == BUCKET[start]
    assert_one_event(
        store, ticket_id, before, kind="note", from_value=None, to_value=None, actor=AGENT
    )
    note = queries.ticket_messages(store, ticket_id)[-1]
    assert (note.kind, note.author, note.body) == (
        "note",
        AGENT,
        "Customer is on the enterprise plan.",
    )


# -- custom statuses follow the row of their meaning -----------------------------------------
CUSTOM = {
    "attention": "escalated",
    "waiting": "awaiting-confirmation",
    "done": "closed-elsewhere",
    "hold": "waiting-on-supplier",
}
CUSTOM_NAMES = {
    "escalated": "Escalated",
    "awaiting-confirmation": "Awaiting confirmation",
    "closed-elsewhere": "Closed elsewhere",
    "waiting-on-supplier": "Waiting on supplier",
}
MEANING_BUCKET = {"attention": 0, "waiting": 1, "done": 1, "hold": 1}


@pytest.fixture
def custom_statuses(service: TicketService) -> dict[str, str]:
    for meaning, key in CUSTOM.items():
        definition = service.define_status(CUSTOM_NAMES[key], meaning)
        assert (definition.key, definition.meaning.value, definition.builtin) == (
            key,
            meaning,
            False,
        )
    return CUSTOM


def test_define_status_rejects_duplicates_and_unknown_meanings(
    service: TicketService, store: Store, custom_statuses
) -> None:
    before = dump(store)
    with pytest.raises(InvalidInput, match="already exists"):
        service.define_status("waiting on SUPPLIER", "hold")
    with pytest.raises(InvalidInput, match="reserved word"):  # a built-in status's name (item 4)
        service.define_status("Open", "attention")
    with pytest.raises(InvalidInput, match="meaning"):
        service.define_status("Frozen", "spam")
    assert dump(store) == before


@pytest.mark.parametrize("meaning", list(CUSTOM))
def test_setting_a_custom_status_writes_one_event(
    service: TicketService, store: Store, custom_statuses, meaning: str
) -> None:
    key = custom_statuses[meaning]
    ticket_id = ticket_in_status(service, "open")
    before = event_count(store, ticket_id)
    service.set_status(ticket_id, CUSTOM_NAMES[key])  # by its name, as a user types it
    assert status_of(store, ticket_id) == key
    assert bucket_of(store, ticket_id) == MEANING_BUCKET[meaning]
    assert_one_event(
        store, ticket_id, before, kind="status", from_value="open", to_value=key, actor=AGENT
    )
    assert_refused(store, ticket_id, lambda: service.set_custom_status(ticket_id, key), "already")


# base built-in status of each meaning: the rows a custom status follows
MEANING_ROWS = {
    # meaning: (reply ok, customer message -> , resolve ok, postpone ok, reopen ok)
    "attention": (True, None, True, True, False),
    "waiting": (True, "open", True, True, False),
    "done": (True, "open", False, False, True),
    "hold": (True, "open", True, False, False),
}


@pytest.mark.parametrize("meaning", list(CUSTOM))
def test_custom_status_follows_the_rows_of_its_meaning(
    service: TicketService, store: Store, clock, custom_statuses, meaning: str
) -> None:
    key = custom_statuses[meaning]
    reply_ok, customer_to, resolve_ok, postpone_ok, reopen_ok = MEANING_ROWS[meaning]

    def fresh() -> int:
        return ticket_in_status(service, key)

    ticket_id = fresh()
    before = event_count(store, ticket_id)
    assert reply_ok
    service.reply(ticket_id, "Update: still waiting")
    assert status_of(store, ticket_id) == "answered"
    assert_one_event(
        store, ticket_id, before, kind="replied", from_value=key, to_value="answered", actor=AGENT
    )

    ticket_id = fresh()
    before = event_count(store, ticket_id)
    service.add_customer_message(ticket_id, "And now?")
    expected = customer_to or key
    assert status_of(store, ticket_id) == expected
    assert_one_event(
        store,
        ticket_id,
        before,
        kind="customer_message",
        from_value=key,
        to_value=expected,
        actor=CUSTOMER,
    )

    ticket_id = fresh()
    before = event_count(store, ticket_id)
    if resolve_ok:
        service.resolve(ticket_id)
        assert status_of(store, ticket_id) == "resolved"
        assert_one_event(
            store,
            ticket_id,
            before,
            kind="resolved",
            from_value=key,
            to_value="resolved",
            actor=AGENT,
        )
    else:
        assert_refused(store, ticket_id, lambda: service.resolve(ticket_id), CUSTOM_NAMES[key])

    ticket_id = fresh()
    until = clock() + timedelta(hours=4)
    if postpone_ok:
        before = event_count(store, ticket_id)
        service.postpone(ticket_id, until)
        assert status_of(store, ticket_id) == "postponed"
        assert_one_event(
            store,
            ticket_id,
            before,
            kind="postponed",
            from_value=key,
            to_value="postponed",
            actor=AGENT,
        )
        clock.advance(hours=5)
        service.wake_due()
        assert status_of(store, ticket_id) == key  # woken back to the custom status
    else:
        assert_refused(
            store, ticket_id, lambda: service.postpone(ticket_id, until), CUSTOM_NAMES[key]
        )

    if reopen_ok:
        ticket_id = fresh()
        before = event_count(store, ticket_id)
        service.reopen(ticket_id)
        assert status_of(store, ticket_id) == "open"
        assert_one_event(
            store, ticket_id, before, kind="reopened", from_value=key, to_value="open", actor=AGENT
        )

    # Spam and restore return to the custom status.
    ticket_id = fresh()
    service.mark_spam(ticket_id)
    service.restore(ticket_id)
    assert status_of(store, ticket_id) == key
    assert bucket_of(store, ticket_id) == MEANING_BUCKET[meaning]


@pytest.mark.parametrize("start", ["spam", "deleted"])
def test_custom_status_cannot_be_set_on_a_binned_ticket(
    service: TicketService, store: Store, custom_statuses, start
) -> None:
    ticket_id = ticket_in_status(service, start)
    assert_refused(
        store,
        ticket_id,
        lambda: service.set_custom_status(ticket_id, "escalated"),
        "restore it first",
    )


def test_builtin_and_unknown_statuses_cannot_be_set_directly(
    service: TicketService, store: Store
) -> None:
    ticket_id = ticket_in_status(service, "open")
    before = dump(store)
    with pytest.raises(InvalidInput, match="not directly"):
        service.set_status(ticket_id, "answered")
    with pytest.raises(InvalidInput, match="Unknown status 'frozen'"):
        service.set_status(ticket_id, "frozen")
    with pytest.raises(InvalidInput, match="needs a time"):
        service.set_status(ticket_id, "postponed")
    assert dump(store) == before


# -- assignee, priority, department, tags -----------------------------------------------------
def test_assign_and_unassign_write_one_event_each(service: TicketService, store: Store) -> None:
    ticket_id = ticket_in_status(service, "open")
    before = event_count(store, ticket_id)
    service.assign(ticket_id, "bob")
    assert queries.get_ticket(store, ticket_id).assignee == "bob"
    assert_one_event(
        store, ticket_id, before, kind="assigned", from_value=None, to_value="bob", actor=AGENT
    )

    service.assign(ticket_id, "dave")
    assert_one_event(
        store,
        ticket_id,
        before + 1,
        kind="assigned",
        from_value="bob",
        to_value="dave",
        actor=AGENT,
    )

    assert_refused(
        store, ticket_id, lambda: service.assign(ticket_id, "Dave"), "already assigned to dave"
    )

    service.assign(ticket_id, None)
    assert queries.get_ticket(store, ticket_id).assignee is None
    assert_one_event(
        store, ticket_id, before + 2, kind="assigned", from_value="dave", to_value=None, actor=AGENT
    )
    assert_refused(store, ticket_id, lambda: service.assign(ticket_id, "-"), "not assigned")
    assert status_of(store, ticket_id) == "open"


def test_priority_writes_one_event_and_moves_the_ticket(
    service: TicketService, store: Store
) -> None:
    ticket_id = ticket_in_status(service, "new")
    before = event_count(store, ticket_id)
    service.set_priority(ticket_id, "Urgent")
    ticket = queries.get_ticket(store, ticket_id)
    assert ticket.priority == "urgent"
    assert store.scalar("SELECT priority_rank FROM tickets WHERE id = ?", [ticket_id]) == 0
    assert_one_event(
        store,
        ticket_id,
        before,
        kind="priority",
        from_value="normal",
        to_value="urgent",
        actor=AGENT,
    )
    assert_refused(
        store, ticket_id, lambda: service.set_priority(ticket_id, "urgent"), "already has priority"
    )
    snapshot = dump(store)
    with pytest.raises(InvalidInput, match="Unknown priority 'asap'"):
        service.set_priority(ticket_id, "asap")
    assert dump(store) == snapshot


def test_department_writes_one_event(service: TicketService, store: Store) -> None:
    ticket_id = ticket_in_status(service, "new")
    before = event_count(store, ticket_id)
    service.set_department(ticket_id, "Billing")
    assert queries.get_ticket(store, ticket_id).department == "Billing"
    assert_one_event(
        store,
        ticket_id,
        before,
        kind="department",
        from_value=None,
        to_value="Billing",
        actor=AGENT,
    )
    assert_refused(
        store, ticket_id, lambda: service.set_department(ticket_id, "billing"), "already in"
    )
    service.set_department(ticket_id, "-")
    assert queries.get_ticket(store, ticket_id).department is None
    assert_one_event(
        store,
        ticket_id,
        before + 1,
        kind="department",
        from_value="Billing",
        to_value=None,
        actor=AGENT,
    )


def test_tags_write_one_event_per_tag_that_changed(service: TicketService, store: Store) -> None:
    ticket_id = ticket_in_status(service, "open")
    version = queries.get_ticket(store, ticket_id).version
    before = event_count(store, ticket_id)

    changes = service.tag(ticket_id, add=["vip", "printer jam", "VIP"])

    ticket = queries.get_ticket(store, ticket_id)
    assert ticket.tags == ("printer-jam", "vip")
    assert ticket.version == version + 1
    assert ticket.status == "open"
    events = queries.ticket_events(store, ticket_id)[before:]
    assert sorted((e.kind, e.from_value, e.to_value, e.actor) for e in events) == [
        ("tagged", None, "printer-jam", AGENT),
        ("tagged", None, "vip", AGENT),
    ]
    assert len(changes) == 2

    service.tag(ticket_id, add=["billing", "vip"], remove=["Printer-Jam", "nope"])
    assert queries.get_ticket(store, ticket_id).tags == ("billing", "vip")
    events = queries.ticket_events(store, ticket_id)[before + 2 :]
    assert [(e.kind, e.from_value, e.to_value) for e in events] == [
        ("tagged", None, "billing"),
        ("untagged", "printer-jam", None),
    ]

    assert_refused(
        store, ticket_id, lambda: service.tag(ticket_id, add=["VIP"], remove=["nope"]), "already"
    )
    snapshot = dump(store)
    with pytest.raises(InvalidInput):
        service.tag(ticket_id, add=["  "])
    assert dump(store) == snapshot


# -- optimistic concurrency ------------------------------------------------------------------
STALE_ACTIONS: dict[str, Callable[[TicketService, int, int], object]] = {
    "reply": lambda s, t, v: s.reply(t, "hi", expected_version=v),
    "customer": lambda s, t, v: s.add_customer_message(t, "hi", expected_version=v),
    "note": lambda s, t, v: s.add_note(t, "hi", expected_version=v),
    "resolve": lambda s, t, v: s.resolve(t, expected_version=v),
    "postpone": lambda s, t, v: s.postpone(t, s.clock() + timedelta(hours=1), expected_version=v),
    "spam": lambda s, t, v: s.mark_spam(t, expected_version=v),
    "delete": lambda s, t, v: s.delete(t, expected_version=v),
    "assign": lambda s, t, v: s.assign(t, "bob", expected_version=v),
    "priority": lambda s, t, v: s.set_priority(t, "high", expected_version=v),
    "department": lambda s, t, v: s.set_department(t, "Billing", expected_version=v),
    "tag": lambda s, t, v: s.tag(t, add=["x"], expected_version=v),
}


@pytest.mark.parametrize("action", list(STALE_ACTIONS))
def test_stale_expected_version_raises_conflict_and_changes_nothing(
    service: TicketService, store: Store, action: str
) -> None:
    ticket_id = ticket_in_status(service, "open")
    seen = queries.get_ticket(store, ticket_id).version
    service.add_note(ticket_id, "someone else was here", actor="bob")  # the ticket moves on
    before = dump(store)
    with pytest.raises(ConflictError) as caught:
        STALE_ACTIONS[action](service, ticket_id, seen)
    message = str(caught.value)
    assert f"#{ticket_id}" in message and "\n" not in message
    assert "bob" in message  # says who changed it
    assert dump(store) == before
    # With the current version the same action goes through.
    STALE_ACTIONS[action](service, ticket_id, queries.get_ticket(store, ticket_id).version)
    assert queries.get_ticket(store, ticket_id).version == seen + 2


def test_every_change_bumps_the_version_once(service: TicketService, store: Store, clock) -> None:
    ticket_id = ticket_in_status(service, "new")
    versions = [queries.get_ticket(store, ticket_id).version]
    for act in (
        lambda: service.reply(ticket_id, "a"),
        lambda: service.add_customer_message(ticket_id, "b"),
        lambda: service.add_note(ticket_id, "c"),
        lambda: service.postpone(ticket_id, clock() + timedelta(hours=1)),
        lambda: service.resolve(ticket_id),
        lambda: service.reopen(ticket_id),
        lambda: service.delete(ticket_id),
        lambda: service.restore(ticket_id),
    ):
        act()
        versions.append(queries.get_ticket(store, ticket_id).version)
    assert versions == list(range(versions[0], versions[0] + len(versions)))

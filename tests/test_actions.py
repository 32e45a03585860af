"""Bulk actions and undo: many tickets at once, and taking an action back through the service."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import AGENT, FakeClock, event_count, ticket_in_status

from tui_desk.core.actions import ActionKind, perform, undo_last, undo_summary
from tui_desk.core.lifecycle import TicketService
from tui_desk.domain.clock import fixed_clock
from tui_desk.domain.errors import InvalidInput, TransitionRefused
from tui_desk.store import open_store, queries

pytestmark = pytest.mark.both_backends

SPAWN = multiprocessing.get_context("spawn")

# Ticket fields an undo must give back exactly (the rest is derived or bookkeeping).
RESTORED = (
    "status", "previous_status", "postponed_from", "postponed_until", "priority", "assignee", "department",
    "waiting_since", "resolved_at", "tags", "message_count", "merged_into", "subject",
)


def state(service: TicketService, ticket_id: int) -> dict:
    ticket = queries.get_ticket(service.store, ticket_id)
    return {name: getattr(ticket, name) for name in RESTORED}


def test_bulk_resolve_of_100_with_refusals_changes_the_right_ones_and_names_the_rest(service, make_ticket) -> None:
    ids = [make_ticket("new") for _ in range(100)]
    spam = {ids[10], ids[50], ids[77]}
    for ticket_id in spam:
        service.mark_spam(ticket_id)
    service.resolve(ids[20])  # already resolved: refused too
    refused_ids = spam | {ids[20]}
    events_before = {ticket_id: event_count(service.store, ticket_id) for ticket_id in ids}

    outcome = perform(service, ActionKind.RESOLVE, ids, service.resolve)

    assert sorted(outcome.changed) == sorted(set(ids) - refused_ids)
    assert sorted(ticket_id for ticket_id, _why in outcome.refused) == sorted(refused_ids)
    for ticket_id in ids:
        status = queries.get_ticket(service.store, ticket_id).status
        assert status == ("spam" if ticket_id in spam else "resolved")
        expected = 0 if ticket_id in refused_ids else 1
        assert event_count(service.store, ticket_id) - events_before[ticket_id] == expected
    summary = outcome.summary()
    assert summary.startswith("96 resolved, 4 refused")
    assert f"#{ids[10]}" in summary and "Spam" in summary


def test_bulk_with_unknown_ids_names_them(service, make_ticket) -> None:
    first = make_ticket("new")
    outcome = perform(service, ActionKind.PRIORITY, [first, 999_999], lambda i: service.set_priority(i, "high"))
    assert outcome.changed == [first]
    assert outcome.refused == [(999_999, "No ticket #999999")]
    assert outcome.summary() == "1 priority set, 1 refused: No ticket #999999"


def test_bulk_with_bad_input_stops_before_changing_anything(service, make_ticket) -> None:
    ids = [make_ticket("new") for _ in range(3)]
    with pytest.raises(InvalidInput):
        perform(service, ActionKind.PRIORITY, ids, lambda i: service.set_priority(i, "whenever"))
    assert {queries.get_ticket(service.store, i).priority for i in ids} == {"normal"}
    with pytest.raises(TransitionRefused, match="Nothing to undo"):
        undo_last(service)


# -- undo after each kind of action ------------------------------------------------------------
def _postpone(service: TicketService, ticket_id: int):
    return service.postpone(ticket_id, service.clock() + timedelta(days=2))


ACTIONS = {
    ActionKind.RESOLVE: ("open", lambda s, i: s.resolve(i)),
    ActionKind.POSTPONE: ("answered", _postpone),
    ActionKind.REOPEN: ("resolved", lambda s, i: s.reopen(i)),
    ActionKind.SPAM: ("postponed", lambda s, i: s.mark_spam(i)),
    ActionKind.DELETE: ("resolved", lambda s, i: s.delete(i)),
    ActionKind.RESTORE: ("deleted", lambda s, i: s.restore(i)),
    ActionKind.ASSIGN: ("new", lambda s, i: s.assign(i, "bob")),
    ActionKind.PRIORITY: ("new", lambda s, i: s.set_priority(i, "urgent")),
    ActionKind.DEPARTMENT: ("open", lambda s, i: s.set_department(i, "Billing")),
    ActionKind.TAG: ("new", lambda s, i: s.tag(i, add=["vip", "refund"])),
    ActionKind.STATUS: ("open", lambda s, i: s.set_custom_status(i, "waiting-on-supplier")),
}


@pytest.mark.parametrize("kind", list(ACTIONS))
def test_undo_puts_every_kind_of_action_back(service, make_ticket, clock, kind) -> None:
    service.define_status("Waiting on supplier", "hold")
    start, act = ACTIONS[kind]
    ticket_id = make_ticket(start)
    service.tag(ticket_id, add=["printer"])
    service.assign(ticket_id, "carl")
    before = state(service, ticket_id)
    outcome = perform(service, kind, [ticket_id], lambda i: act(service, i))
    assert outcome.changed == [ticket_id]
    assert state(service, ticket_id) != before
    events = event_count(service.store, ticket_id)
    clock.advance(minutes=5)

    undone = undo_last(service)

    assert undone.changed == [ticket_id]
    assert state(service, ticket_id) == before
    timeline = queries.ticket_events(service.store, ticket_id)
    assert event_count(service.store, ticket_id) == events + 1  # history kept, the undo added
    assert (timeline[-1].kind, timeline[-1].actor, timeline[-1].detail) == ("undone", AGENT, kind.value)
    assert undo_summary(undone) == f"Undone: {undone_name(kind)} on #{ticket_id}"


def undone_name(kind: ActionKind) -> str:
    from tui_desk.core.actions import action_name

    return action_name(kind)


def test_undo_of_a_bulk_action_puts_every_ticket_back_and_steps_back_further(service, make_ticket) -> None:
    ids = [make_ticket("new") for _ in range(5)]
    perform(service, ActionKind.ASSIGN, ids, lambda i: service.assign(i, "bob"))
    perform(service, ActionKind.RESOLVE, ids, service.resolve)
    assert {queries.get_ticket(service.store, i).status for i in ids} == {"resolved"}

    assert sorted(undo_last(service).changed) == sorted(ids)
    assert {(t.status, t.assignee) for t in map(lambda i: queries.get_ticket(service.store, i), ids)} == {("new", "bob")}
    assert sorted(undo_last(service).changed) == sorted(ids)  # the assignment before it
    assert {queries.get_ticket(service.store, i).assignee for i in ids} == {None}
    with pytest.raises(TransitionRefused, match="Nothing to undo"):
        undo_last(service)


def test_an_undo_cut_short_by_a_crash_takes_back_the_rest_next_time(service, make_ticket, monkeypatch) -> None:
    ids = [make_ticket("new") for _ in range(3)]
    perform(service, ActionKind.PRIORITY, ids, lambda i: service.set_priority(i, "low"))
    perform(service, ActionKind.RESOLVE, ids, service.resolve)
    real_put_back = service.put_back
    calls = []

    def dies_after_the_first(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if calls:
            raise KeyboardInterrupt  # the process is killed between two tickets
        calls.append(args)
        return real_put_back(*args, **kwargs)

    monkeypatch.setattr(service, "put_back", dies_after_the_first)
    with pytest.raises(KeyboardInterrupt):
        undo_last(service)
    monkeypatch.setattr(service, "put_back", real_put_back)

    again = undo_last(service)  # the two tickets the first attempt did not reach
    assert sorted(again.changed) == sorted(ids[1:]) and not again.refused
    assert {queries.get_ticket(service.store, i).status for i in ids} == {"new"}
    assert sorted(undo_last(service).changed) == sorted(ids)  # then the priority change before it
    assert {queries.get_ticket(service.store, i).priority for i in ids} == {"normal"}


def test_undoing_a_restore_keeps_the_first_deletion_time(service, make_ticket, clock) -> None:
    ticket_id = make_ticket("open")
    service.delete(ticket_id)
    deleted_at = queries.get_ticket(service.store, ticket_id).deleted_at
    clock.advance(days=20)
    perform(service, ActionKind.RESTORE, [ticket_id], service.restore)
    clock.advance(minutes=5)
    undo_last(service)
    ticket = queries.get_ticket(service.store, ticket_id)
    # The purge of old deleted tickets counts from the deletion, not from the undo.
    assert (ticket.status, ticket.deleted_at) == ("deleted", deleted_at)


def test_undo_leaves_tickets_changed_since_and_names_them(service, make_ticket, store, clock) -> None:
    ids = [make_ticket("new") for _ in range(3)]
    perform(service, ActionKind.RESOLVE, ids, service.resolve)
    service.add_customer_message(ids[1], "Actually it broke again")  # reopens it

    outcome = undo_last(service)

    assert sorted(outcome.changed) == [ids[0], ids[2]]
    assert [ticket_id for ticket_id, _why in outcome.refused] == [ids[1]]
    assert queries.get_ticket(store, ids[1]).status == "open"
    assert "customer wrote" in undo_summary(outcome)


def test_undo_is_the_agents_own_last_action(store, clock, make_ticket) -> None:
    alice = TicketService(store, clock=clock, actor="alice")
    bob = TicketService(store, clock=clock, actor="bob")
    first, second = make_ticket("new"), make_ticket("new")
    perform(alice, ActionKind.PRIORITY, [first], lambda i: alice.set_priority(i, "high"))
    perform(bob, ActionKind.PRIORITY, [second], lambda i: bob.set_priority(i, "low"))
    assert undo_last(alice).changed == [first]
    assert queries.get_ticket(store, second).priority == "low"


def test_replies_and_notes_cannot_be_undone_and_say_why(service, make_ticket) -> None:
    ticket_id = make_ticket("new")
    perform(service, ActionKind.RESOLVE, [ticket_id], service.resolve)
    perform(service, ActionKind.REPLY, [ticket_id], lambda i: service.reply(i, "Done, see you"))
    with pytest.raises(TransitionRefused, match="cannot be unsent"):
        undo_last(service)
    assert queries.get_ticket(service.store, ticket_id).status == "answered"
    perform(service, ActionKind.NOTE, [ticket_id], lambda i: service.add_note(i, "called them"))
    with pytest.raises(TransitionRefused, match="notes stay in the thread"):
        undo_last(service)


# -- another agent, in another process ----------------------------------------------------------
def _assign_elsewhere(path: str, ticket_id: int) -> None:
    service = TicketService(open_store(path), clock=fixed_clock(datetime(2026, 3, 2, 10, tzinfo=UTC)), actor="bob")
    service.assign(ticket_id, "bob")


def test_undo_is_refused_after_another_process_changed_the_ticket(service, make_ticket, db_path) -> None:
    ticket_id = make_ticket("open")
    perform(service, ActionKind.RESOLVE, [ticket_id], service.resolve)
    process = SPAWN.Process(target=_assign_elsewhere, args=(str(db_path), ticket_id))
    process.start()
    process.join(60)
    assert process.exitcode == 0

    with pytest.raises(TransitionRefused, match=r"changed since \(assigned by bob\)"):
        undo_last(service)
    ticket = queries.get_ticket(service.store, ticket_id)
    assert (ticket.status, ticket.assignee) == ("resolved", "bob")


def test_undo_from_another_process_of_the_same_agent(service, make_ticket, db_path) -> None:
    """`tui-desk undo` in a terminal takes back what the same agent did in the app."""
    ticket_id = make_ticket("open")
    perform(service, ActionKind.RESOLVE, [ticket_id], service.resolve)
    other = TicketService(open_store(db_path), clock=service.clock, actor=AGENT)
    assert undo_last(other).changed == [ticket_id]
    assert queries.get_ticket(service.store, ticket_id).status == "open"
    with pytest.raises(TransitionRefused):
        undo_last(service)  # nothing done twice


# -- any sequence of actions, undone one by one, gives the tickets back --------------------------
STEPS = st.lists(
    st.tuples(st.sampled_from(sorted(ACTIONS)), st.lists(st.integers(0, 2), min_size=1, max_size=3, unique=True)),
    min_size=1,
    max_size=8,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_undoing_every_action_in_turn_gives_every_ticket_back(tmp_path_factory, steps) -> None:
    store = open_store(tmp_path_factory.mktemp("undo") / "desk.db")
    clock = FakeClock()
    service = TicketService(store, clock=clock, actor=AGENT)
    service.define_status("Waiting on supplier", "hold")
    tickets = [ticket_in_status(service, status) for status in ("new", "answered", "resolved")]
    service.tag(tickets[0], add=["printer"])
    initial = [state(service, t) for t in tickets]
    done = 0
    for kind, which in steps:
        _start, act = ACTIONS[kind]
        clock.advance(minutes=1)
        outcome = perform(service, kind, [tickets[i] for i in which], lambda i, act=act: act(service, i))
        done += outcome.action_id is not None
    for _ in range(done):
        clock.advance(minutes=1)
        undo_last(service)
    assert [state(service, t) for t in tickets] == initial
    with pytest.raises(TransitionRefused, match="Nothing to undo"):
        undo_last(service)
    store.close()


def test_only_the_last_hundred_actions_of_an_agent_are_kept(service, make_ticket) -> None:
    from tui_desk.core.actions import KEPT_ACTIONS

    ticket_id = make_ticket("new")
    for n in range(KEPT_ACTIONS + 20):
        perform(service, ActionKind.TAG, [ticket_id], lambda i, n=n: service.tag(i, add=[f"t{n}"]))
    assert service.store.scalar("SELECT count(*) FROM actions") == KEPT_ACTIONS + 1
    assert service.store.scalar("SELECT count(DISTINCT action_id) FROM action_tickets") == KEPT_ACTIONS + 1
    undo_last(service)
    assert f"t{KEPT_ACTIONS + 19}" not in queries.get_ticket(service.store, ticket_id).tags

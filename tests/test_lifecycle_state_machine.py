"""Random sequences of agent and customer actions against a model of the lifecycle table."""

from __future__ import annotations

import shutil
import tempfile
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import pg_server
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from support import AGENT, BUILTIN, FakeClock, dump, event_count

from tui_desk.core.lifecycle import TicketService
from tui_desk.domain.errors import TransitionRefused
from tui_desk.domain.models import Meaning
from tui_desk.store import open_store, queries
from tui_desk.store.writes import bucket_for, sort_key_for

pytestmark = pytest.mark.both_backends

MEANING = {
    "new": "attention",
    "open": "attention",
    "answered": "waiting",
    "resolved": "done",
    "postponed": "hold",
    "spam": "spam",
    "deleted": "deleted",
}
BUCKET = {"attention": 0, "waiting": 1, "done": 1, "hold": 1, "spam": 2, "deleted": 2}
BINNED = ("spam", "deleted")

TICKETS = st.integers(min_value=0, max_value=1)
AGENTS = st.sampled_from([None, "bob", "Bob", "dave"])
PRIORITIES = st.sampled_from(["low", "normal", "high", "urgent"])
TAG_NAMES = st.sampled_from(["vip", "VIP", "billing", "printer", "refund"])


class Model:
    """What the lifecycle table says one ticket should look like."""

    def __init__(self) -> None:
        self.status = "new"
        self.previous: str | None = None  # live status to restore to
        self.postponed_from: str | None = None
        self.postponed_until = None
        self.assignee: str | None = None
        self.priority = "normal"
        self.tags: dict[str, str] = {}  # casefold -> stored spelling
        self.events = 1  # "created"
        self.version = 1


class LifecycleMachine(RuleBasedStateMachine):
    def __init__(self, desk: tuple[str, pg_server.Reset] | None = None) -> None:
        super().__init__()
        self.desk = desk  # on PostgreSQL: a database, put back to a fresh desk per example
        self.cleanup = ExitStack()

    @initialize()
    def open_desk(self) -> None:
        if self.desk is not None:
            location, reset = self.desk
            reset()
        else:
            folder = Path(tempfile.mkdtemp(prefix="tui-desk-sm-"))
            self.cleanup.callback(shutil.rmtree, folder, ignore_errors=True)
            location = folder / "desk.db"
        self.store = open_store(location)
        self.clock = FakeClock()
        self.service = TicketService(self.store, clock=self.clock, actor=AGENT)
        self.ids: list[int] = []
        self.model: list[Model] = []
        for n in range(2):
            self.ids.append(
                self.service.create_ticket(
                    email=f"customer{n}@example.com", subject=f"Problem {n}", body="Help"
                )
            )
            self.model.append(Model())

    def teardown(self) -> None:
        store = getattr(self, "store", None)
        if store is not None:
            store.close()
        self.cleanup.close()

    # -- the machinery -----------------------------------------------------------------------
    def attempt(
        self, index: int, allowed: bool, action, new_status: str | None = None, events: int = 1
    ) -> None:
        """Run `action`; if allowed it must succeed with `events` new events, else be refused cleanly."""
        ticket_id, model = self.ids[index], self.model[index]
        before_events = event_count(self.store, ticket_id)
        if not allowed:
            before = dump(self.store)
            try:
                action()
            except TransitionRefused as refused:
                assert f"#{ticket_id}" in str(refused)
            else:
                raise AssertionError(
                    f"ticket {ticket_id} in {model.status}: action should have been refused"
                )
            assert dump(self.store) == before
            return
        action()
        assert event_count(self.store, ticket_id) == before_events + events
        model.events += events
        model.version += 1
        if new_status is not None:
            model.status = new_status

    def leave_postponed(self, model: Model) -> None:
        model.postponed_from = None
        model.postponed_until = None

    # -- rules: one per action a user can take --------------------------------------------
    @rule(i=TICKETS)
    def reply(self, i: int) -> None:
        m = self.model[i]
        ok = m.status not in BINNED
        self.attempt(i, ok, lambda: self.service.reply(self.ids[i], "Reply"), "answered")
        if ok:
            self.leave_postponed(m)

    @rule(i=TICKETS)
    def customer_message(self, i: int) -> None:
        m = self.model[i]
        reopens = m.status in ("answered", "resolved", "postponed")
        self.attempt(
            i,
            True,
            lambda: self.service.add_customer_message(self.ids[i], "More info"),
            "open" if reopens else m.status,
        )
        if reopens:
            self.leave_postponed(m)

    @rule(i=TICKETS)
    def note(self, i: int) -> None:
        self.attempt(i, True, lambda: self.service.add_note(self.ids[i], "Note"))

    @rule(i=TICKETS)
    def resolve(self, i: int) -> None:
        m = self.model[i]
        ok = m.status in ("new", "open", "answered", "postponed")
        self.attempt(i, ok, lambda: self.service.resolve(self.ids[i]), "resolved")
        if ok:
            self.leave_postponed(m)

    @rule(i=TICKETS, hours=st.integers(min_value=1, max_value=48))
    def postpone(self, i: int, hours: int) -> None:
        m = self.model[i]
        ok = m.status in ("new", "open", "answered")
        until = self.clock() + timedelta(hours=hours)
        before = m.status
        self.attempt(i, ok, lambda: self.service.postpone(self.ids[i], until), "postponed")
        if ok:
            m.postponed_from, m.postponed_until = before, until

    @rule(hours=st.integers(min_value=0, max_value=30))
    def time_passes(self, hours: int) -> None:
        now = self.clock.advance(hours=hours)
        due = [
            i
            for i, m in enumerate(self.model)
            if m.status == "postponed"
            and m.postponed_until is not None
            and m.postponed_until <= now
        ]
        before = [event_count(self.store, t) for t in self.ids]
        changes = self.service.wake_due()
        assert sorted(c.ticket_id for c in changes) == sorted(self.ids[i] for i in due)
        for i, m in enumerate(self.model):
            expected = 1 if i in due else 0
            assert event_count(self.store, self.ids[i]) == before[i] + expected
            if i in due:
                m.status = m.postponed_from
                self.leave_postponed(m)
                m.events += 1
                m.version += 1
        assert self.service.wake_due() == []  # idempotent

    @rule(i=TICKETS)
    def reopen(self, i: int) -> None:
        self.attempt(
            i, self.model[i].status == "resolved", lambda: self.service.reopen(self.ids[i]), "open"
        )

    @rule(i=TICKETS, where=st.sampled_from(BINNED))
    def bin(self, i: int, where: str) -> None:
        target = where
        m = self.model[i]
        ok = m.status != target
        before = m.status
        action = self.service.mark_spam if target == "spam" else self.service.delete
        self.attempt(i, ok, lambda: action(self.ids[i]), target)
        if ok and before not in BINNED:
            m.previous = before

    @rule(i=TICKETS)
    def restore(self, i: int) -> None:
        m = self.model[i]
        ok = m.status in BINNED
        self.attempt(i, ok, lambda: self.service.restore(self.ids[i]), m.previous)
        if ok:
            assert queries.get_ticket(self.store, self.ids[i]).status == m.previous
            m.previous = None

    @rule(i=TICKETS, agent=AGENTS)
    def assign(self, i: int, agent: str | None) -> None:
        m = self.model[i]
        ok = (m.assignee or "").casefold() != (agent or "").casefold()
        self.attempt(i, ok, lambda: self.service.assign(self.ids[i], agent))
        if ok:
            # An agent is created on first use; later spellings find the same agent.
            known = {a.casefold(): a for a in queries.agent_names(self.store)}
            m.assignee = known[agent.casefold()] if agent else None

    @rule(i=TICKETS, priority=PRIORITIES)
    def priority(self, i: int, priority: str) -> None:
        m = self.model[i]
        ok = m.priority != priority
        self.attempt(i, ok, lambda: self.service.set_priority(self.ids[i], priority))
        if ok:
            m.priority = priority

    @rule(i=TICKETS, add=st.lists(TAG_NAMES, max_size=3), remove=st.lists(TAG_NAMES, max_size=2))
    def tag(self, i: int, add: list[str], remove: list[str]) -> None:
        if not add and not remove:
            return
        m = self.model[i]
        tags = dict(m.tags)
        changed = 0
        for name in dict.fromkeys(add, None):
            if name.casefold() not in tags:
                tags[name.casefold()] = name
                changed += 1
        for name in {n.casefold() for n in remove}:
            if name in tags:
                del tags[name]
                changed += 1
        self.attempt(
            i,
            changed > 0,
            lambda: self.service.tag(self.ids[i], add=add, remove=remove),
            events=changed,
        )
        if changed:
            m.tags = tags

    # -- invariants ---------------------------------------------------------------------------
    @invariant()
    def tickets_match_the_model(self) -> None:
        if not getattr(self, "ids", None):
            return
        known = set(self.service.statuses(reload=True))
        for ticket_id, m in zip(self.ids, self.model, strict=True):
            ticket = queries.get_ticket(self.store, ticket_id)
            assert ticket.status in known and ticket.status in BUILTIN
            assert ticket.status == m.status
            assert ticket.priority == m.priority
            assert ticket.assignee == m.assignee
            # Tags are shared and case-insensitive: the first spelling ever used is kept.
            assert {t.casefold() for t in ticket.tags} == set(m.tags)
            assert ticket.version == m.version
            assert event_count(self.store, ticket_id) == m.events
            row = self.store.query_one(
                "SELECT bucket, sort_key FROM tickets WHERE id = ?", [ticket_id]
            )
            meaning = Meaning(MEANING[ticket.status])
            assert row["bucket"] == BUCKET[meaning] == bucket_for(meaning)
            # The inbox order key agrees with the ticket's own times.
            assert row["sort_key"] == sort_key_for(meaning, ticket.waiting_since, ticket.updated_at)
            if ticket.status == "postponed":
                assert ticket.postponed_until is not None
            if ticket.status in BINNED:
                assert ticket.previous_status == m.previous and m.previous not in (None, *BINNED)
            if MEANING[ticket.status] == "attention":
                assert ticket.waiting_since is not None


SETTINGS = settings(
    max_examples=50,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_random_action_sequences_follow_the_lifecycle_table(backend: str, request: pytest.FixtureRequest) -> None:
    desk = None
    if backend == "postgresql":
        url = request.getfixturevalue("pg_url")
        open_store(url).close()  # migrated once; each example starts from this fresh desk
        reset = pg_server.Reset(url)
        request.addfinalizer(reset.close)
        desk = (url, reset)
    run_state_machine_as_test(lambda: LifecycleMachine(desk), settings=SETTINGS)

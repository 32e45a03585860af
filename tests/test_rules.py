"""Time rules (core/rules.py) with a fixed clock: each rule, its event, idempotence, config."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import AGENT, START, FakeClock, dump, event_count

from tui_desk.core import rules, sla_tracking
from tui_desk.core.lifecycle import TicketService
from tui_desk.core.rules import RulesConfig, RulesReport, run_rules
from tui_desk.core.sla import BusinessHours, SlaPolicies, SlaTargets
from tui_desk.demo import fill_demo
from tui_desk.domain.clock import from_text, to_text
from tui_desk.domain.errors import InvalidInput, NotFound
from tui_desk.domain.models import BUILTIN_MEANINGS, Meaning
from tui_desk.store import Store, open_store, queries

pytestmark = pytest.mark.both_backends

DAY = timedelta(days=1)
WITH_PURGE = RulesConfig(purge_deleted_after=30 * DAY)  # purge is opt-in (issue 12, item 11)


def events(store: Store, ticket_id: int) -> list[tuple]:
    return [
        (e.actor, e.kind, e.from_value, e.to_value, e.detail) for e in queries.ticket_events(store, ticket_id)
    ]


def status(store: Store, ticket_id: int) -> str:
    return queries.get_ticket(store, ticket_id).status


def answered(service: TicketService, clock: FakeClock, days_ago: float) -> int:
    """A ticket whose agent reply was `days_ago` days before the clock's now (the clock is not moved)."""
    now = clock.now
    clock.now = now - timedelta(days=days_ago) - timedelta(minutes=1)
    ticket_id = service.create_ticket(email="carol@example.com", subject="Printer jammed", body="Help")
    clock.now += timedelta(minutes=1)
    service.reply(ticket_id, "Try turning it off and on again")
    clock.now = now
    return ticket_id


def deleted(service: TicketService, clock: FakeClock, days_ago: float) -> int:
    now = clock.now
    clock.now = now - timedelta(days=days_ago) - timedelta(minutes=1)
    ticket_id = service.create_ticket(email="dan@example.com", subject="Buy cheap watches", body="!!!")
    clock.now += timedelta(minutes=1)
    service.delete(ticket_id)
    clock.now = now
    return ticket_id


@pytest.fixture
def now(clock: FakeClock) -> datetime:
    clock.now = START + 60 * DAY
    return clock.now


# -- config --------------------------------------------------------------------------------------
def test_defaults_without_a_rules_table() -> None:
    assert RulesConfig.from_config({}) == RulesConfig(timedelta(days=5), None)
    assert RulesConfig.from_config(None) == RulesConfig()
    assert RulesConfig().to_config() == {"rules": {"auto_resolve_after": "5d", "purge_deleted_after": "off"}}


@pytest.mark.parametrize(
    ("value", "period"),
    [
        ("5d", timedelta(days=5)),
        ("7 days", timedelta(days=7)),
        (3, timedelta(days=3)),
        ("10", timedelta(days=10)),
        ("2w", timedelta(weeks=2)),
        ("36h", timedelta(hours=36)),
        (" 1D ", timedelta(days=1)),
        ("off", None),
        ("OFF", None),
        ("never", None),
        (False, None),
    ],
)
def test_periods(value: object, period: timedelta | None) -> None:
    config = RulesConfig.from_config({"rules": {"auto_resolve_after": value, "purge_deleted_after": value}})
    assert config.auto_resolve_after == period
    assert config.purge_deleted_after == period
    assert RulesConfig.from_config(config.to_config()) == config


@pytest.mark.parametrize("value", ["5x", "0d", 0, -3, "-1d", "soon", True, [5], 1.5, "", "99999999d"])
@pytest.mark.parametrize("key", ["auto_resolve_after", "purge_deleted_after"])
def test_bad_periods_name_the_key(key: str, value: object) -> None:
    with pytest.raises(InvalidInput) as error:
        RulesConfig.from_config({"rules": {key: value}})
    message = str(error.value)
    assert f"rules.{key}" in message
    assert "\n" not in message


def test_unknown_keys_and_bad_tables_are_refused() -> None:
    with pytest.raises(InvalidInput, match=r"rules\.resolve_after: unknown setting"):
        RulesConfig.from_config({"rules": {"resolve_after": "5d"}})
    with pytest.raises(InvalidInput, match=r"\[rules\]"):
        RulesConfig.from_config({"rules": "5d"})


# -- auto-resolve --------------------------------------------------------------------------------
def test_answered_with_no_reply_for_five_days_is_resolved(service, store, clock, now) -> None:
    old = answered(service, clock, days_ago=6)
    report = run_rules(service, RulesConfig())
    assert report.auto_resolved == 1
    assert status(store, old) == "resolved"
    assert events(store, old)[-1] == (
        "system",
        "resolved",
        "answered",
        "resolved",
        "Resolved automatically: no customer reply for 5 days",
    )
    assert queries.get_ticket(store, old).resolved_at == to_text(now)
    assert [(c.ticket_id, c.kind, c.from_value, c.to_value) for c in report.changes] == [
        (old, "resolved", "answered", "resolved")
    ]


def test_answered_four_days_ago_stays(service, store, clock, now) -> None:
    recent = answered(service, clock, days_ago=4)
    almost = answered(service, clock, days_ago=5 - 1 / 24)
    assert run_rules(service, RulesConfig()).auto_resolved == 0
    assert status(store, recent) == status(store, almost) == "answered"


def test_exactly_n_days_counts(service, store, clock, now) -> None:
    ticket = answered(service, clock, days_ago=5)
    assert run_rules(service, RulesConfig()).auto_resolved == 1
    assert status(store, ticket) == "resolved"


def test_the_configured_number_of_days(service, store, clock, now) -> None:
    ticket = answered(service, clock, days_ago=6)
    config = RulesConfig.from_config({"rules": {"auto_resolve_after": "7d"}})
    assert run_rules(service, config).auto_resolved == 0
    clock.advance(days=1)
    report = run_rules(service, config)
    assert report.auto_resolved == 1
    assert events(store, ticket)[-1][4] == "Resolved automatically: no customer reply for 7 days"


def test_a_note_does_not_reset_the_counter(service, store, clock, now) -> None:
    ticket = answered(service, clock, days_ago=6)
    clock.now = now - 1 * DAY
    service.add_note(ticket, "Chased them by phone, no answer")
    clock.now = now
    assert run_rules(service, RulesConfig()).auto_resolved == 1
    assert status(store, ticket) == "resolved"


def test_other_changes_do_not_reset_the_counter(service, store, clock, now) -> None:
    ticket = answered(service, clock, days_ago=6)
    clock.now = now - 1 * DAY
    service.assign(ticket, "bob")
    service.tag(ticket, add=["printer"])
    service.set_priority(ticket, "high")
    clock.now = now
    assert run_rules(service, RulesConfig()).auto_resolved == 1
    assert status(store, ticket) == "resolved"


def test_a_customer_message_resets_the_counter(service, store, clock, now) -> None:
    ticket = answered(service, clock, days_ago=8)
    clock.now = now - 3 * DAY
    service.add_customer_message(ticket, "Still broken")
    clock.now = now - 3 * DAY + timedelta(hours=1)
    service.reply(ticket, "Sending a technician")
    clock.now = now
    assert run_rules(service, RulesConfig()).auto_resolved == 0
    assert status(store, ticket) == "answered"
    clock.advance(days=2, hours=1)  # five days after the last reply
    assert run_rules(service, RulesConfig()).auto_resolved == 1
    assert status(store, ticket) == "resolved"


def test_the_customer_writing_last_counts_from_their_message(service, store, clock, now) -> None:
    """The last message may be the customer's (then the ticket is Open): it is never auto-resolved."""
    ticket = answered(service, clock, days_ago=10)
    clock.now = now - 9 * DAY
    service.add_customer_message(ticket, "Thanks, I will try")
    clock.now = now
    assert run_rules(service, RulesConfig()).auto_resolved == 0
    assert status(store, ticket) == "open"


@pytest.mark.parametrize("other", ["new", "open", "resolved", "postponed", "spam", "deleted"])
def test_only_answered_tickets_are_auto_resolved(service, store, clock, now, make_ticket, other) -> None:
    clock.now = now - 20 * DAY
    ticket = make_ticket(other)
    clock.now = now
    config = RulesConfig(purge_deleted_after=None)
    before = status(store, ticket)
    report = run_rules(service, config)
    assert report.auto_resolved == 0
    if other != "postponed":  # a postponed ticket wakes first (and may then be resolved: see below)
        assert status(store, ticket) == before


def test_a_woken_ticket_that_was_answered_long_ago_is_resolved_too(service, store, clock, now) -> None:
    ticket = answered(service, clock, days_ago=10)
    clock.now = now - 9 * DAY
    service.postpone(ticket, now - 1 * DAY)
    clock.now = now
    report = run_rules(service, RulesConfig())
    assert (report.woken, report.auto_resolved) == (1, 1)
    assert [e[1:4] for e in events(store, ticket)[-2:]] == [
        ("woken", "postponed", "answered"),
        ("resolved", "answered", "resolved"),
    ]


def test_off_disables_auto_resolve(service, store, clock, now) -> None:
    ticket = answered(service, clock, days_ago=30)
    report = run_rules(service, RulesConfig(auto_resolve_after=None))
    assert report.auto_resolved == 0
    assert status(store, ticket) == "answered"
    assert "Auto-resolve: off" in report.lines()


# -- wake ----------------------------------------------------------------------------------------
def test_postponed_tickets_wake_when_their_time_passes(service, store, clock, now, make_ticket) -> None:
    clock.now = now - 2 * DAY
    due = make_ticket("open")
    service.postpone(due, now - timedelta(minutes=5))
    later = make_ticket("open")
    service.postpone(later, now + timedelta(minutes=5))
    clock.now = now
    report = run_rules(service, RulesConfig())
    assert report.woken == 1
    assert status(store, due) == "open"
    assert events(store, due)[-1] == ("system", "woken", "postponed", "open", None)
    assert status(store, later) == "postponed"
    clock.advance(minutes=5)
    assert run_rules(service, RulesConfig()).woken == 1
    assert status(store, later) == "open"


# -- purge ---------------------------------------------------------------------------------------
def test_purge_hits_only_deleted_tickets_older_than_n_days(service, store, clock, now, make_ticket) -> None:
    old = deleted(service, clock, days_ago=31)
    exactly = deleted(service, clock, days_ago=30)
    recent = deleted(service, clock, days_ago=29)
    clock.now = now - 60 * DAY
    spam = make_ticket("spam")
    resolved = make_ticket("resolved")
    restored = make_ticket("deleted")
    clock.now = now - 1 * DAY
    service.restore(restored)
    clock.now = now
    report = run_rules(service, RulesConfig(auto_resolve_after=None, purge_deleted_after=30 * DAY))
    assert report.purged == 2
    assert sorted(c.ticket_id for c in report.changes) == [old, exactly]
    for gone in (old, exactly):
        with pytest.raises(NotFound):
            queries.get_ticket(store, gone)
        assert store.query_one("SELECT actor, at FROM purged WHERE ticket_id = ?", [gone]) == {
            "actor": "system",
            "at": to_text(now),
        }
        assert event_count(store, gone) == 0
    assert status(store, recent) == "deleted"
    assert status(store, spam) == "spam"
    assert status(store, resolved) == "resolved"
    assert status(store, restored) == "new"  # back to the status it had


def test_purge_counts_from_the_last_delete(service, store, clock, now) -> None:
    ticket = deleted(service, clock, days_ago=40)
    clock.now = now - 35 * DAY
    service.restore(ticket)
    clock.now = now - 10 * DAY
    service.delete(ticket)
    clock.now = now
    assert run_rules(service, WITH_PURGE).purged == 0
    assert status(store, ticket) == "deleted"


def test_off_disables_purge(service, store, clock, now) -> None:
    ticket = deleted(service, clock, days_ago=400)
    report = run_rules(service, RulesConfig(purge_deleted_after=None))
    assert report.purged == 0
    assert status(store, ticket) == "deleted"
    assert "Purge: off" in report.lines()


# -- idempotence, reports, concurrency -----------------------------------------------------------
def test_a_second_run_changes_nothing(service, store, clock, now, make_ticket) -> None:
    answered(service, clock, days_ago=6)
    answered(service, clock, days_ago=1)
    deleted(service, clock, days_ago=45)
    deleted(service, clock, days_ago=3)
    clock.now = now - 2 * DAY
    postponed = make_ticket("open")
    service.postpone(postponed, now - timedelta(hours=1))
    clock.now = now
    first = run_rules(service, WITH_PURGE)
    assert (first.woken, first.auto_resolved, first.purged) == (1, 1, 1)
    before, count = dump(store), event_count(store)
    second = run_rules(service, WITH_PURGE)
    assert (second.sla_rebuilt, second.woken, second.auto_resolved, second.purged, second.skipped) == (0, 0, 0, 0, 0)
    assert second.changes == []
    assert dump(store) == before
    assert event_count(store) == count


def test_report_lines_and_json() -> None:
    report = RulesReport(
        sla_rebuilt=0, woken=1, auto_resolved=2, purged=0, skipped=1,
        auto_resolve_after=timedelta(days=5), purge_deleted_after=timedelta(days=30),
    )  # fmt: skip
    assert report.lines() == [
        "SLA clocks: up to date",
        "Postponed: woke 1 ticket",
        "Auto-resolve: resolved 2 tickets answered with no customer reply for 5 days",
        "Purge: purged 0 tickets deleted more than 30 days ago",
        "Skipped 1 ticket changed meanwhile (the next run looks again)",
    ]
    data = report.as_dict()
    assert data["auto_resolve_after"] == "5d" and data["woken"] == 1 and data["changes"] == []
    assert report.changed == 3


def test_a_ticket_changed_between_finding_and_acting_is_skipped(
    service, store, clock, now, monkeypatch
) -> None:
    race = answered(service, clock, days_ago=6)
    bin_race = deleted(service, clock, days_ago=40)
    other = TicketService(store, clock=clock, actor="bob")
    find_answered, find_deleted = queries.answered_before, queries.deleted_before

    def answered_then_customer_writes(store_: Store, cutoff: str) -> list[tuple[int, int]]:
        found = find_answered(store_, cutoff)
        other.add_customer_message(race, "Wait, it is broken again")  # Open now: must not be resolved
        return found

    def deleted_then_restored(store_: Store, cutoff: str) -> list[tuple[int, int]]:
        found = find_deleted(store_, cutoff)
        other.restore(bin_race)
        return found

    monkeypatch.setattr(queries, "answered_before", answered_then_customer_writes)
    monkeypatch.setattr(queries, "deleted_before", deleted_then_restored)
    report = run_rules(service, WITH_PURGE)
    assert (report.auto_resolved, report.purged, report.skipped) == (0, 0, 2)
    assert status(store, race) == "open"
    assert status(store, bin_race) == "new"  # restored to the status it had


def test_a_ticket_purged_meanwhile_is_skipped(service, store, clock, now, monkeypatch) -> None:
    ticket = deleted(service, clock, days_ago=40)
    find = queries.deleted_before

    def purged_meanwhile(store_: Store, cutoff: str) -> list[tuple[int, int]]:
        found = find(store_, cutoff)
        TicketService(store, clock=clock, actor="bob").purge(ticket)
        return found

    monkeypatch.setattr(queries, "deleted_before", purged_meanwhile)
    report = run_rules(service, WITH_PURGE)
    assert (report.purged, report.skipped) == (0, 1)


def test_candidates_are_read_from_indexes(service, store, clock, now, make_ticket) -> None:
    if store.dialect == "postgresql":
        pytest.skip("SQLite's query plans; PostgreSQL's depend on table statistics")
    answered(service, clock, days_ago=6)
    deleted(service, clock, days_ago=40)
    service.ensure_sla_current()  # a policy change reads every ticket, by design; not measured here
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        run_rules(service, WITH_PURGE)
    finally:
        store.conn.set_trace_callback(None)
    reads = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    finders = [s for s in reads if s.startswith("SELECT id") and "FROM tickets WHERE" in s and "json_each" not in s]
    assert len(finders) == 3  # postponed, answered, deleted
    for sql in finders:
        plan = " ".join(row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, (sql, plan)
    for sql in reads:  # nothing the rules read scans a big table
        plan = " ".join(row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        for table in ("tickets", "events", "messages"):
            assert f"SCAN {table}" not in plan, (sql, plan)


# -- SLA clocks ------------------------------------------------------------------------------------
def test_sla_clocks_are_rebuilt_when_the_policies_changed(store, clock, now) -> None:
    always = {"sla": {"hours": {"days": "mon-sun", "start": "00:00", "end": "24:00", "timezone": "UTC"}}}
    service = TicketService(store, clock=clock, actor=AGENT, sla=SlaPolicies.from_config(always))
    ticket = service.create_ticket(email="carol@example.com", subject="VPN down", body="Help")
    assert run_rules(service, RulesConfig()).sla_rebuilt == 1  # a new store: never computed
    assert queries.get_ticket(store, ticket).sla_due == to_text(now + timedelta(hours=8))
    assert run_rules(service, RulesConfig()).sla_rebuilt == 0
    faster = SlaPolicies.from_config(always).with_setting("first_response", "2h")
    service = TicketService(store, clock=clock, actor=AGENT, sla=faster)
    report = run_rules(service, RulesConfig())
    assert report.sla_rebuilt == 1
    assert report.lines()[0] == "SLA clocks: rebuilt for 1 ticket (the policies changed)"
    assert queries.get_ticket(store, ticket).sla_due == to_text(now + timedelta(hours=2))
    assert run_rules(service, RulesConfig()).sla_rebuilt == 0


def test_rebuild_leaves_right_rows_alone_and_replays_what_changed(service, store, clock, now, make_ticket) -> None:
    tickets = [make_ticket(s) for s in ("new", "open", "answered", "resolved", "postponed")]
    service.rebuild_sla()
    before = dump(store)
    versions = {t: queries.get_ticket(store, t).version for t in tickets}
    assert service.rebuild_sla() == 5
    assert dump(store) == before
    assert {t: queries.get_ticket(store, t).version for t in tickets} == versions


SLA_COLUMNS = "id, sla_elapsed, sla_running_since, sla_first_elapsed, sla_due, sla_key"


def test_a_change_of_targets_only_recomputes_due_times_as_a_full_replay_would(store, clock, monkeypatch) -> None:
    fill_demo(store, tickets=300, seed=3, now=START)
    policies = SlaPolicies.from_config({})
    assert TicketService(store, clock=clock, sla=policies).ensure_sla_current() == 0  # the fill computed them
    changed = (
        policies.with_setting("first_response", "2h")
        .with_setting("resolution", "1d", department="Billing")
        .with_setting("first_response", "none", priority="low")
    )
    service = TicketService(store, clock=clock, sla=changed)
    monkeypatch.setattr(service, "rebuild_sla", lambda *a: pytest.fail("a full replay was not needed"))
    running = store.scalar("SELECT count(*) FROM tickets WHERE sla_running_since IS NOT NULL")
    assert service.ensure_sla_current() == running > 0
    refreshed = store.query(f"SELECT {SLA_COLUMNS} FROM tickets ORDER BY id")
    assert service.ensure_sla_current() == 0
    monkeypatch.undo()
    TicketService(store, clock=clock, sla=changed).rebuild_sla()
    assert store.query(f"SELECT {SLA_COLUMNS} FROM tickets ORDER BY id") == refreshed


def test_a_change_of_business_hours_replays_every_clock(store, clock) -> None:
    fill_demo(store, tickets=200, seed=4, now=START)
    policies = SlaPolicies.from_config({}).with_setting("timezone", "America/New_York")
    service = TicketService(store, clock=clock, sla=policies)
    calls = []
    original = service.rebuild_sla
    service.rebuild_sla = lambda *a: calls.append(a) or original(*a)  # type: ignore[method-assign]
    assert service.ensure_sla_current() == 200
    assert calls == [()]
    assert service.ensure_sla_current() == 0


def test_a_rebuild_never_writes_a_stale_clock_over_a_concurrent_change(db_path, store, clock) -> None:
    service = TicketService(store, clock=clock, actor=AGENT)
    tickets = [service.create_ticket(email="carol@example.com", subject=f"Case {n}", body="Help") for n in range(3)]
    clock.advance(hours=2)
    service.rebuild_sla()
    hours = SlaPolicies.from_config({}).with_setting("timezone", "Asia/Tokyo")
    rebuilder = TicketService(store, clock=clock, sla=hours)
    other_store = open_store(db_path)  # another agent: its own connection
    other = TicketService(other_store, clock=clock, actor="bob", sla=hours)
    replay = rebuilder._replay_sla
    calls = []

    def replay_then_someone_answers(*args, **chosen):  # type: ignore[no-untyped-def]
        result = replay(*args, **chosen)
        if not calls:
            other.reply(tickets[1], "On it")  # after the snapshot, before the write
        calls.append(chosen)
        return result

    rebuilder._replay_sla = replay_then_someone_answers  # type: ignore[method-assign]
    try:
        assert rebuilder.rebuild_sla() == 3
    finally:
        other_store.close()
    assert calls == [{"after_id": 0}, {"ids": [tickets[1]]}]  # the changed ticket replayed again
    after = store.query(f"SELECT {SLA_COLUMNS} FROM tickets ORDER BY id")
    assert queries.get_ticket(store, tickets[1]).sla_running_since is None  # paused by the reply
    TicketService(store, clock=clock, sla=hours).rebuild_sla()
    assert store.query(f"SELECT {SLA_COLUMNS} FROM tickets ORDER BY id") == after


def test_purge_many_checks_each_ticket_as_purge_does(service, store, clock, now, make_ticket) -> None:
    first = deleted(service, clock, days_ago=40)
    second = deleted(service, clock, days_ago=40)
    changed = deleted(service, clock, days_ago=40)
    alive = make_ticket("open")
    version = {t: queries.get_ticket(store, t).version for t in (first, second, changed, alive)}
    service.tag(changed, add=["keep"])  # a newer version than the one asked for
    done = service.purge_many(
        [(second, version[second]), (first, None), (changed, version[changed]), (alive, None), (999, None)],
        actor="system",
    )
    assert [(c.ticket_id, c.kind) for c in done] == [(second, "purged"), (first, "purged")]
    assert store.scalar("SELECT count(*) FROM purged WHERE actor = 'system'") == 2
    assert status(store, changed) == "deleted" and status(store, alive) == "open"
    assert service.purge_many([]) == []


# The whole-store replay (epoch seconds, one pass) must give exactly what the reference replay gives.
_HOURS = [
    BusinessHours.always(),
    BusinessHours.parse(),
    BusinessHours.parse(timezone="Europe/Tallinn", holidays=["2026-03-27", "2026-03-30"]),
    BusinessHours.parse(days="mon-sun", start="22:00", end="24:00", timezone="America/New_York"),
    BusinessHours.parse(days="fri-mon", start="00:00", end="00:30", timezone="Australia/Lord_Howe"),
]
_STATUSES = ["new", "open", "answered", "resolved", "postponed", "spam", "deleted", "waiting-on-supplier"]
_MEANINGS = {**BUILTIN_MEANINGS, "waiting-on-supplier": Meaning.HOLD}
_BASE = int(datetime(2026, 3, 20, tzinfo=UTC).timestamp())


@settings(max_examples=300, deadline=None)
@given(
    hours=st.sampled_from(_HOURS),
    changes=st.lists(
        st.tuples(st.integers(0, 20 * 86400), st.sampled_from(_STATUSES)), min_size=0, max_size=8
    ),
    first=st.one_of(st.none(), st.integers(0, 21 * 86400)),
    now=st.integers(0, 22 * 86400),
    microseconds=st.integers(0, 999_999),
    shuffle=st.booleans(),
    spread=st.sampled_from([1, 1, 37]),  # 37: histories over two years, so the opening table grows
    first_target=st.sampled_from([None, 60, 3600, 8 * 3600, 20 * 3600]),
    resolution_target=st.sampled_from([None, 3600, 40 * 3600, 400 * 3600, 3000 * 3600]),
)
def test_fast_rebuild_equals_the_reference_replay(
    hours, changes, first, now, microseconds, shuffle, spread, first_target, resolution_target
) -> None:
    targets = SlaTargets(first_target, resolution_target, hours)
    changes = [(t * spread, s) for t, s in changes]
    first = first * spread if first is not None else None
    now *= spread
    history = sorted(((_BASE + t, s) for t, s in changes), key=lambda c: c[0])
    if shuffle:
        history.reverse()
    moment = datetime.fromtimestamp(_BASE + now, UTC).replace(microsecond=microseconds)

    def meaning_of(key: str) -> str:
        return _MEANINGS.get(key, Meaning.ATTENTION)

    paused = frozenset(k for k, m in _MEANINGS.items() if m is not Meaning.ATTENTION)
    expected = sla_tracking.rebuilt(
        [(datetime.fromtimestamp(t, UTC), s) for t, s in history],
        meaning_of,
        datetime.fromtimestamp(_BASE + first, UTC) if first is not None else None,
        targets,
        moment,
    )
    got = sla_tracking.rebuilt_from_epochs(
        history, paused, _BASE + first if first is not None else None, targets, int(moment.timestamp() // 1)
    )
    assert got == expected


def test_stored_times_parse_fast_and_strictly() -> None:
    assert from_text("2026-03-02T09:00:00Z") == datetime(2026, 3, 2, 9, tzinfo=UTC)
    for bad in ("2026-03-02T09:00:00.5Z", "2026-13-02T09:00:00Z", "2026-03-02 09:00:00Z", "x" * 20):
        with pytest.raises(ValueError):
            from_text(bad)


def test_system_is_the_actor() -> None:
    assert rules.SYSTEM == "system"

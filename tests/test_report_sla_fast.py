"""SLA compliance judged in SQL by each target's cutoff (store/report_sla_queries.py,
docs/issue16/report-sla.md) gives the same report as judging every running clock in Python
(``build_report(scan=True)``, the reference): with business hours, at the very second a
clock breaches, for priorities the policies do not know, and on a store migrated to the
indexes it reads.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from test_report_summary import NOW, busy_desk
from test_report_summary import POLICIES as ALWAYS

from tui_desk.core.reports import GROUPINGS, build_report
from tui_desk.core.sla import SlaPolicies
from tui_desk.domain.clock import from_text
from tui_desk.store import Store, open_store, report_sla_queries
from tui_desk.store.report_sla_schema import INDEXES

pytestmark = pytest.mark.both_backends

TALLINN = ZoneInfo("Europe/Tallinn")
# Business hours, a department with its own hours and targets, and a priority without a
# resolution target: cutoffs that differ per department and priority.
OFFICE = SlaPolicies.from_config(
    {
        "sla": {
            "first_response": "4h",
            "resolution": "2d",
            "hours": {"days": "mon-fri", "start": "09:00", "end": "17:00", "timezone": "Europe/Tallinn"},
            "policy": [
                {"priority": "urgent", "first_response": "1h", "resolution": "none"},
                {"department": "Billing", "first_response": "2h", "resolution": "1d", "hours": {"end": "20:00"}},
                {"department": "Billing", "priority": "low", "first_response": "none"},
            ],
        }
    },
    local_timezone=TALLINN,
)


def same(
    store: Store, policies: SlaPolicies, now: datetime, groupings=(None, *GROUPINGS), periods=("2026-03-02", "2020-01-01")
) -> None:
    for since in periods:
        for by in groupings:
            fast = build_report(store, policies, since=since, until=None, by=by, now=now, timezone=TALLINN)
            full = build_report(store, policies, since=since, until=None, by=by, now=now, timezone=TALLINN, scan=True)
            assert fast == full, (since, by, now)


@pytest.fixture
def desk(store: Store):
    return busy_desk(store)


def test_business_hours_give_the_same_report_as_judging_each_clock(store: Store, desk) -> None:
    report = build_report(store, OFFICE, since="2026-03-02", now=NOW, timezone=TALLINN)
    assert report.sla_first_response.breached and report.sla_first_response.met  # both kinds judged
    for now in (NOW, NOW + timedelta(hours=7, minutes=13), NOW + timedelta(days=2, hours=21), NOW + timedelta(days=9)):
        same(store, OFFICE, now)


@pytest.mark.parametrize("office", [True, False], ids=["business hours", "always open"])
def test_each_running_clock_at_the_second_it_breaches(store: Store, desk, office: bool) -> None:
    """Just before, at, and just after the moment each running clock uses up each target
    (always open: the moment the upper bound, every second since the clock started, reaches it)."""
    policies = OFFICE if office else ALWAYS
    departments = dict(store.conn.execute("SELECT id, name FROM departments").fetchall())
    rows = store.conn.execute(
        "SELECT department_id, priority, sla_elapsed, sla_running_since, sla_first_elapsed FROM tickets"
        " WHERE sla_running_since IS NOT NULL"
    ).fetchall()
    assert any(row[2] > 0 for row in rows) and any(row[2] == 0 for row in rows)  # resumed ones, and not
    moments = set()
    for department_id, priority, elapsed, running_since, first_elapsed in rows:
        targets = policies.for_ticket(departments.get(department_id), priority)
        for target in (targets.first_response if first_elapsed is None else None, targets.resolution):
            if target is not None and target >= elapsed:
                moments.add(targets.hours.add(from_text(running_since), target - elapsed))
    assert len(moments) >= 8
    for moment in sorted(moments):
        for offset in (-1, 0, 0.5, 1):
            # From before the desk's first ticket (busy_desk starts on 2026-03-01): every clock, without
            # the six years of days "2020-01-01" reads one by one (two minutes on PostgreSQL here).
            same(store, policies, moment + timedelta(seconds=offset), groupings=(None, "department"),
                 periods=("2026-03-02", "2026-02-01"))


def test_a_priority_the_policies_do_not_know_is_judged_like_the_reference(store: Store, desk) -> None:
    """Written by hand or by an old import: the judge reads "Urgent " as urgent, SQL cannot."""
    with store.transaction() as conn:
        for condition in ("sla_running_since IS NULL", "sla_elapsed = 0 AND sla_running_since IS NOT NULL",
                          "sla_elapsed > 0 AND sla_running_since IS NOT NULL"):
            conn.execute(f"UPDATE tickets SET priority = 'Urgent ' WHERE id = (SELECT min(id) FROM tickets WHERE {condition})")  # noqa: S608
            conn.execute(f"UPDATE tickets SET priority = 'someday' WHERE id = (SELECT max(id) FROM tickets WHERE {condition})")  # noqa: S608
    assert store.conn.execute("SELECT count(*) FROM tickets WHERE priority IN ('Urgent ', 'someday')").fetchone()[0] == 6
    same(store, OFFICE, NOW)
    same(store, OFFICE, NOW + timedelta(days=3))


def test_more_tickets_in_a_group_than_a_packed_count_holds_give_the_same_report(
    store: Store, desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past MAX_PACKED tickets a group (millions) is counted by outcome instead: here past 1."""
    monkeypatch.setattr(report_sla_queries, "MAX_PACKED", 1)
    same(store, OFFICE, NOW, periods=("2026-03-02",))
    same(store, ALWAYS, NOW + timedelta(days=3), periods=("2026-03-02",))


def test_business_hours_that_never_open_fall_back_to_the_reference(store: Store, desk) -> None:
    """Opening hours only on a holiday-free day that never comes: no cutoff within reach."""
    closed = SlaPolicies.from_config(
        {"sla": {"first_response": "4h", "resolution": "2d",
                 "hours": {"days": "sun", "start": "09:00", "end": "09:01", "timezone": "UTC"}}},
        local_timezone=UTC,
    )
    same(store, closed, NOW)


def test_a_store_made_before_the_indexes_gets_them(db_path, backend: str) -> None:
    store = open_store(db_path)
    busy_desk(store)
    with store.transaction() as conn:  # back to the schema before them
        for statement in INDEXES:
            conn.execute("DROP INDEX " + statement.split()[2])
        if backend == "postgresql":
            conn.execute("DELETE FROM schema_version WHERE version = 8")
        else:
            conn.execute("PRAGMA user_version = 11")
    store.close()
    store = open_store(db_path)
    if backend == "postgresql":
        found = {r[0] for r in store.conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'tickets'")}
    else:
        found = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"tickets_report_sla", "tickets_sla_resumed"} <= found
    same(store, OFFICE, NOW)
    store.close()

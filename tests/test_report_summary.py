"""Reports read per-hour summary tables kept by triggers (store/report_summary.py, docs/issue16/reports.md;
store/report_tag_summary.py, docs/issue16/report-durations.md) and first replies and resolutions
day by day (core/report_durations.py).

The fast path must give the same Report, every figure, as the full scan of the
tickets and events (``build_report(scan=True)``, the reference), after every
kind of change: replies, resolutions, reopenings, spam, deletion and restore,
merges, undo, purges; and the migration must fill the tables for a store that
existed before them.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from support import FakeClock

from tui_desk.core.actions import perform, undo_last
from tui_desk.core.lifecycle import TicketService
from tui_desk.core.reports import GROUPINGS, build_report
from tui_desk.core.sla import SlaPolicies
from tui_desk.domain.clock import from_text, to_text
from tui_desk.store import Store, open_store
from tui_desk.store import report_durations as rd
from tui_desk.store import report_queries as rq
from tui_desk.store.desk_copy import copy_desk
from tui_desk.store.report_sla_schema import INDEXES as SLA_INDEXES
from tui_desk.store.report_summary import BACKFILL, TRIGGERS_ON
from tui_desk.store.report_tag_summary import BACKFILL as TAG_BACKFILL
from tui_desk.store.report_tag_summary import INDEXES as TAG_INDEXES
from tui_desk.store.report_tag_summary import TRIGGERS_ON as TAG_TRIGGERS_ON
from tui_desk.store.schema import SCHEMA_VERSION

pytestmark = pytest.mark.both_backends

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
POLICIES = SlaPolicies.from_config(
    {
        "sla": {
            "first_response": "2h",
            "resolution": "1d",
            "hours": {"days": "mon-sun", "start": "00:00", "end": "24:00", "timezone": "UTC"},
            "policy": [{"priority": "urgent", "first_response": "30m"}],
        }
    },
    local_timezone=UTC,
)
PERIODS = [("2026-03-02", "2026-03-10"), ("2026-03-06", "2026-03-08"), ("2020-01-01", "2026-03-10")]


SUMMARIES = ("report_created", "report_moves", "report_tags")


def assert_same_reports(store: Store) -> None:
    """Summary tables and full scan agree for several periods and every grouping; a time zone off
    the whole hour (tags by the scan there, durations day by day still) too."""
    for since, until in PERIODS:
        for by in (None, *GROUPINGS):
            fast = build_report(store, POLICIES, since=since, until=until, by=by, now=NOW, timezone=UTC)
            full = build_report(store, POLICIES, since=since, until=until, by=by, now=NOW, timezone=UTC, scan=True)
            assert fast == full, (since, until, by)
    for by in (None, "tag"):
        zone = ZoneInfo("Asia/Kolkata")
        fast = build_report(store, POLICIES, since="2026-03-02", by=by, now=NOW, timezone=zone)
        assert fast == build_report(store, POLICIES, since="2026-03-02", by=by, now=NOW, timezone=zone, scan=True)
    # Counted from scratch: the same rows (zero rows left by changes aside).
    for table, rebuild in zip(SUMMARIES, [*BACKFILL, TAG_BACKFILL], strict=True):
        select = rebuild[rebuild.index("SELECT"):]
        kept = store.conn.execute(f"SELECT * FROM {table} WHERE n <> 0").fetchall()  # noqa: S608
        assert sorted(map(tuple, kept)) == sorted(map(tuple, store.conn.execute(select).fetchall()))


def busy_desk(store: Store) -> tuple[TicketService, FakeClock, list[int]]:
    """Forty tickets over nine days: departments, agents, tags, priorities, replies, resolutions,
    reopenings, SLA breaches (late or missing replies), spam and deleted tickets."""
    clock = FakeClock()
    service = TicketService(store, clock=clock, actor="alice", sla=POLICIES)
    rng = random.Random(16)
    ids = []
    for n in range(40):
        clock.now = datetime(2026, 3, 1, 8, 0, tzinfo=UTC) + timedelta(hours=5 * n + rng.randint(0, 3))
        kwargs = {}
        if n % 3:
            kwargs["department"] = rng.choice(["Billing", "Technical"])
        ticket = service.create_ticket(
            email=f"c{n % 7}@example.com", subject=f"Ticket {n}", body="Help",
            priority=rng.choice(["low", "normal", "high", "urgent"]), **kwargs,
        )
        ids.append(ticket)
        if n % 4:
            service.assign(ticket, rng.choice(["alice", "bob", "carl"]))
        if n % 5:
            service.tag(ticket, add=rng.sample(["billing", "bug", "vip", "login"], rng.randint(1, 2)))
        step = n % 8
        if step == 7:
            continue  # never answered: breaches its first response once old enough
        clock.advance(minutes=rng.choice([10, 50, 200]))  # 200 min: a late first reply
        service.reply(ticket, "On it")
        if step in (1, 2, 3):
            clock.advance(hours=rng.choice([1, 30]))
            service.resolve(ticket)
        if step == 2:
            clock.advance(hours=3)
            service.add_customer_message(ticket, "It came back")  # reopens
        if step == 3:
            clock.advance(hours=2)
            service.reopen(ticket)
            clock.advance(hours=1)
            service.resolve(ticket)
        if step == 4:
            service.mark_spam(ticket)
        if step == 5:
            clock.advance(minutes=30)
            service.delete(ticket)
        if step == 6:
            service.postpone(ticket, clock.now + timedelta(days=20))
    clock.now = NOW - timedelta(minutes=30)
    return service, clock, ids


@pytest.fixture
def desk(store: Store) -> tuple[TicketService, FakeClock, list[int]]:
    return busy_desk(store)


def test_summary_tables_give_the_same_report_as_the_full_scan(store: Store, desk) -> None:
    assert store.conn.execute("SELECT count(*) FROM report_moves").fetchone()[0] > 0
    assert_same_reports(store)


def test_still_the_same_after_spam_delete_restore_reopen(store: Store, desk) -> None:
    service, _clock, ids = desk
    service.mark_spam(ids[1])  # a resolved ticket: leaves the figures with its history
    service.restore(ids[4])  # spam back to work
    service.delete(ids[9])
    service.restore(ids[13])  # deleted back
    service.reopen(ids[17])
    assert_same_reports(store)


def test_still_the_same_after_a_merge_and_its_undo(store: Store, desk) -> None:
    service, clock, ids = desk
    merged = perform(service, "merge", [ids[10]], lambda i: service.merge(i, ids[11]))
    assert merged.changed
    assert_same_reports(store)
    clock.advance(minutes=1)
    resolved = perform(service, "resolve", [ids[8], ids[16]], service.resolve)
    assert resolved.changed
    assert_same_reports(store)
    assert undo_last(service).changed  # the resolutions
    assert_same_reports(store)
    assert undo_last(service).changed  # the merge
    assert_same_reports(store)


def test_still_the_same_after_a_purge(store: Store, desk) -> None:
    service, _clock, ids = desk
    service.purge(ids[5])  # deleted earlier (step 5)
    service.delete(ids[2])
    service.purge(ids[2])
    assert_same_reports(store)


def test_a_store_made_before_the_tables_is_filled_by_the_migration(db_path, backend: str) -> None:
    store = open_store(db_path)
    busy_desk(store)
    expected = {t: store.conn.execute(f"SELECT * FROM {t} WHERE n <> 0").fetchall() for t in SUMMARIES}  # noqa: S608
    # Back to the schema before them (three migrations): no tables, no triggers, no indexes.
    with store.transaction() as conn:
        for name, table in [*TRIGGERS_ON, *TAG_TRIGGERS_ON]:
            conn.execute(f"DROP TRIGGER {name}" + (f" ON {table}" if backend == "postgresql" else ""))
            if backend == "postgresql":
                conn.execute(f"DROP FUNCTION {name}()")
        for table in SUMMARIES:
            conn.execute(f"DROP TABLE {table}")
        for index in [*TAG_INDEXES, *SLA_INDEXES]:  # and the SLA indexes' migration after them
            conn.execute("DROP INDEX " + index.split()[2])
        if backend == "postgresql":
            conn.execute("DELETE FROM schema_version WHERE version > (SELECT max(version) - 3 FROM schema_version)")
        else:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 3}")
    store.close()

    store = open_store(db_path)
    for table, rows in expected.items():
        found = store.conn.execute(f"SELECT * FROM {table} WHERE n <> 0").fetchall()  # noqa: S608
        assert sorted(map(tuple, found)) == sorted(map(tuple, rows))
    assert_same_reports(store)
    store.close()


def test_a_copied_desk_counts_each_ticket_once(store: Store, desk, another_db) -> None:
    """`tui-desk copy`: the target's triggers count the copied rows; the tables are not copied too."""
    target = open_store(another_db("copy.db"))
    copy_desk(store, target)
    assert_same_reports(target)
    for table in SUMMARIES:
        assert target.conn.execute(f"SELECT sum(n) FROM {table}").fetchone() == store.conn.execute(  # noqa: S608
            f"SELECT sum(n) FROM {table}"  # noqa: S608
        ).fetchone()
    target.close()


def test_tags_given_taken_and_deleted_and_times_out_of_order(store: Store, desk) -> None:
    """Top tags and the tag groups follow tags given and taken, a tag deleted with its tickets'
    links, a tagged ticket purged; a reply stamped before the request counts as 0 s."""
    service, clock, ids = desk
    service.tag(ids[0], add=["urgent-fix"], remove=["billing", "bug", "vip", "login"])
    service.tag(ids[7], add=["escalated"])
    service.mark_spam(ids[7])  # a tagged ticket leaves the counts, tags and all
    service.tag(ids[12], remove=["vip", "login"])
    with store.transaction() as conn:
        conn.execute("DELETE FROM tags WHERE name = ?", ["bug"])
        # A clock set wrong where the mail came from: the reply before the request.
        conn.execute(
            "UPDATE tickets SET created_at = ? WHERE id = ?",
            ["2026-03-09T23:00:00Z", ids[30]],
        )
    service.delete(ids[3])
    service.purge(ids[3])
    assert_same_reports(store)
    report = build_report(store, POLICIES, since="2026-03-01", until="2026-03-10", now=NOW, timezone=UTC)
    assert "bug" not in {tag.tag for tag in report.top_tags}
    answered = store.conn.execute("SELECT first_response_at FROM tickets WHERE id = ?", [ids[30]]).fetchone()[0]
    after = to_text(from_text(answered) + timedelta(seconds=1))
    assert rd.seconds(store, rd.FIRST, answered, after, rq.Keys.of(rq.statuses(store)), None) == ([0], None)


@pytest.mark.parametrize("priority", ["", "odd\x1fone"], ids=["empty", "separator"])
def test_a_hand_edited_priority_is_grouped_as_the_reference_groups_it(store: Store, desk, priority: str) -> None:
    """The app writes only its own priorities; a store edited by hand may hold any text."""
    _service, _clock, ids = desk
    with store.transaction() as conn:
        conn.execute("UPDATE tickets SET priority = ? WHERE id IN (?, ?)", [priority, ids[3], ids[9]])
    for since, until in PERIODS:
        fast = build_report(store, POLICIES, since=since, until=until, by="priority", now=NOW, timezone=UTC)
        assert fast == build_report(store, POLICIES, since=since, until=until, by="priority", now=NOW,
                                    timezone=UTC, scan=True)


@pytest.mark.parametrize("zone", [UTC, ZoneInfo("Asia/Kolkata")], ids=["whole hours", "off the hour"])
def test_a_period_before_the_year_1000_is_reported_as_the_reference_reports_it(store: Store, desk, zone) -> None:
    """The backlog history and the tag counts ask one rule whether the day bounds fall on whole
    hours. Its bounds were written "999-03-01T…" (no four-digit year): the history, parsing
    them, refused the report, and as text they sorted after every ticket of the desk."""
    for by in (None, "tag"):
        fast = build_report(store, POLICIES, since="0999-03-01", until="0999-03-03", by=by, now=NOW, timezone=zone)
        full = build_report(store, POLICIES, since="0999-03-01", until="0999-03-03", by=by, now=NOW, timezone=zone,
                            scan=True)
        assert fast == full, by
        assert fast.new_per_day == fast.backlog_per_day == (0, 0, 0)  # the desk opened in 2026

"""Reports: every figure checked against values worked out by hand on a small fixed desk.

The desk (all times UTC, SLA hours 24/7 so business time is wall-clock time;
targets: first response 1h, 30m for urgent; resolution 1 day):

    T0  Mar 1 10:00 created (alice, tag old); replied 10:30; resolved Mar 2 10:00
    T1  Mar 2 09:00 Billing, alice, billing; replied 09:20; resolved 11:00
    T2  Mar 2 10:00 urgent Technical, bob, login+bug; replied 11:00; customer 12:00; replied 13:00
    T3  Mar 3 09:00 unassigned, billing+vip; never answered (New)
    T4  Mar 3 10:00 Billing, alice, billing; spam at 10:05            (left out)
    T5  Mar 5 09:00 high, alice, billing; replied 09:10; resolved 10:00;
        customer Mar 6 09:00 (reopens); replied Mar 6 10:00; resolved Mar 8 12:00
    T6  Mar 7 09:00 Technical, bob, bug; postponed at 09:30 until Mar 20
    T7  Mar 7 11:00 deleted at 11:30                                   (left out)
    T8  Mar 9 09:00 alice, login; replied 12:00; customer 14:00 (Open)
    T9  Mar 10 08:00 bob; replied 08:30; resolved 09:00

The report is made at Mar 10 12:00 for Mar 2 - Mar 10 (9 days).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from support import FakeClock

from tui_desk import cli
from tui_desk.core.lifecycle import TicketService
from tui_desk.core.report_sla import SlaJudge
from tui_desk.core.report_text import sparkline
from tui_desk.core.reports import (
    Compliance,
    Durations,
    build_report,
    duration_text,
    parse_day,
    percentile,
)
from tui_desk.core.sla import BusinessHours, SlaPolicies
from tui_desk.domain.errors import InvalidInput
from tui_desk.store import Store, open_store

pytestmark = pytest.mark.both_backends

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
POLICIES = SlaPolicies.from_config(
    {
        "sla": {
            "first_response": "1h",
            "resolution": "1d",
            "hours": {"days": "mon-sun", "start": "00:00", "end": "24:00", "timezone": "UTC"},
            "policy": [{"priority": "urgent", "first_response": "30m"}],
        }
    },
    local_timezone=UTC,
)
HOUR = 3600
DAY = 86400


def at(clock: FakeClock, day: int, hour: int, minute: int = 0) -> datetime:
    clock.now = datetime(2026, 3, day, hour, minute, tzinfo=UTC)
    return clock.now


def build_desk(store: Store) -> dict[str, int]:
    clock = FakeClock()
    service = TicketService(store, clock=clock, actor="alice", sla=POLICIES)
    ids: dict[str, int] = {}

    def new(key: str, day: int, hour: int, minute: int = 0, **kwargs: str) -> int:
        at(clock, day, hour, minute)
        ids[key] = service.create_ticket(
            email=f"{key.lower()}@example.com", subject=f"Ticket {key}", body="Help", **kwargs
        )
        return ids[key]

    t0 = new("T0", 1, 10)
    service.assign(t0, "alice")
    service.tag(t0, add=["old"])
    service.reply(t0, "On it", at=at(clock, 1, 10, 30))
    at(clock, 2, 10)
    service.resolve(t0)

    t1 = new("T1", 2, 9, department="Billing")
    service.assign(t1, "alice")
    service.tag(t1, add=["billing"])
    service.reply(t1, "Done", at=at(clock, 2, 9, 20))
    at(clock, 2, 11)
    service.resolve(t1)

    t2 = new("T2", 2, 10, priority="urgent", department="Technical")
    service.assign(t2, "bob")
    service.tag(t2, add=["login", "bug"])
    service.reply(t2, "Looking", at=at(clock, 2, 11))
    service.add_customer_message(t2, "Still broken", at=at(clock, 2, 12))
    service.reply(t2, "Fixed?", at=at(clock, 2, 13))

    t3 = new("T3", 3, 9)
    service.tag(t3, add=["billing", "vip"])

    t4 = new("T4", 3, 10, priority="low", department="Billing")
    service.assign(t4, "alice")
    service.tag(t4, add=["billing"])
    at(clock, 3, 10, 5)
    service.mark_spam(t4)

    t5 = new("T5", 5, 9, priority="high")
    service.assign(t5, "alice")
    service.tag(t5, add=["billing"])
    service.reply(t5, "Try this", at=at(clock, 5, 9, 10))
    at(clock, 5, 10)
    service.resolve(t5)
    service.add_customer_message(t5, "It came back", at=at(clock, 6, 9))
    service.reply(t5, "Try that", at=at(clock, 6, 10))
    at(clock, 8, 12)
    service.resolve(t5)

    t6 = new("T6", 7, 9, department="Technical")
    service.assign(t6, "bob")
    service.tag(t6, add=["bug"])
    at(clock, 7, 9, 30)
    service.postpone(t6, datetime(2026, 3, 20, 9, 0, tzinfo=UTC))

    t7 = new("T7", 7, 11)
    at(clock, 7, 11, 30)
    service.delete(t7)

    t8 = new("T8", 9, 9)
    service.assign(t8, "alice")
    service.tag(t8, add=["login"])
    service.reply(t8, "Hm", at=at(clock, 9, 12))
    service.add_customer_message(t8, "Hm?", at=at(clock, 9, 14))

    t9 = new("T9", 10, 8)
    service.assign(t9, "bob")
    service.reply(t9, "Sure", at=at(clock, 10, 8, 30))
    at(clock, 10, 9)
    service.resolve(t9)
    return ids


@pytest.fixture
def desk(store: Store) -> Store:
    build_desk(store)
    return store


def report(store: Store, **kwargs):  # noqa: ANN201
    kwargs.setdefault("since", "2026-03-02")
    kwargs.setdefault("until", "2026-03-10")
    return build_report(store, POLICIES, now=NOW, timezone=UTC, **kwargs)


# --------------------------------------------------------------------------- whole period


def test_period_days_and_exclusions(desk: Store) -> None:
    r = report(desk)
    assert (r.since, r.until) == (date(2026, 3, 2), date(2026, 3, 10))
    assert r.days == tuple(date(2026, 3, d) for d in range(2, 11))
    assert r.timezone == "UTC"
    assert r.excluded == 2  # T4 spam, T7 deleted


def test_backlog_now_by_status(desk: Store) -> None:
    r = report(desk)
    assert [(s.key, s.count) for s in r.backlog] == [
        ("new", 1),  # T3
        ("open", 1),  # T8
        ("answered", 1),  # T2
        ("postponed", 1),  # T6
    ]
    assert r.backlog_total == 4


def test_tickets_per_day(desk: Store) -> None:
    r = report(desk)
    #                         2  3  4  5  6  7  8  9  10
    assert r.new_per_day == (2, 1, 0, 1, 0, 1, 0, 1, 1)
    assert r.new_tickets == 7
    assert r.resolved_per_day == (2, 0, 0, 0, 0, 0, 1, 0, 1)  # T0+T1, T5 (last time), T9
    assert r.resolved_tickets == 4


def test_backlog_over_time_follows_reopening(desk: Store) -> None:
    # End of Mar 2: T2. Mar 3: +T3. Mar 5: T5 opened and closed. Mar 6: T5 reopened.
    # Mar 7: +T6 (postponed is open). Mar 8: T5 resolved again. Mar 9: +T8. Mar 10: T9 in and out.
    r = report(desk)
    assert r.backlog_per_day == (1, 2, 2, 2, 3, 4, 3, 4, 4)
    assert r.backlog_per_day[-1] == r.backlog_total


def test_first_response_times(desk: Store) -> None:
    # First replies in the period: T1 20m, T2 1h, T5 10m, T8 3h, T9 30m (T0's was on Mar 1).
    r = report(desk)
    assert r.first_response == Durations(5, 30 * 60, 3 * HOUR)  # sorted 10m 20m 30m 1h 3h
    per_day = r.first_response_per_day
    assert per_day == (40 * 60, None, None, 10 * 60, None, None, None, 3 * HOUR, 30 * 60)


def test_resolution_times(desk: Store) -> None:
    # Resolved in the period and still resolved: T0 1d, T1 2h, T5 3d 3h (to its last resolution), T9 1h.
    r = report(desk)
    assert r.resolution == Durations(4, (2 * HOUR + DAY) / 2, 3 * DAY + 3 * HOUR)


def test_sla_compliance(desk: Store) -> None:
    r = report(desk)
    # First response: T1 met (20m), T2 breached (1h > 30m urgent), T3 breached (never answered,
    # 7 days waiting), T5 met, T6 pending (30m waited, then postponed), T8 breached (3h), T9 met.
    assert r.sla_first_response == Compliance(tickets=7, met=3, breached=3)
    assert r.sla_first_response.pending == 1
    assert r.sla_first_response.percent_met == 50.0
    # Resolution (1 day of clock): T1 met, T2 pending (2h, waiting on the customer), T3 breached,
    # T5 met (10m + 1h), T6 pending, T8 breached (3h + 22h since the customer wrote), T9 met.
    assert r.sla_resolution == Compliance(tickets=7, met=3, breached=2)
    assert r.sla_resolution.percent_met == 60.0


def test_sla_targets_per_department(desk: Store) -> None:
    # Billing answers within 10 minutes: T1 (Billing, answered after 20m) is now late.
    policies = SlaPolicies.from_config(
        {"sla": {**POLICIES.to_config()["sla"], "policy": [
            {"priority": "urgent", "first_response": "30m"},
            {"department": "Billing", "first_response": "10m"},
        ]}},
        local_timezone=UTC,
    )
    r = build_report(desk, policies, since="2026-03-02", until="2026-03-10", now=NOW, timezone=UTC)
    assert r.sla_first_response == Compliance(tickets=7, met=2, breached=4)
    assert r.sla_resolution == Compliance(tickets=7, met=3, breached=2)


def test_top_tags(desk: Store) -> None:
    r = report(desk)
    # Tickets created in the period (spam T4 left out; T0's "old" is from before).
    assert [(t.tag, t.count) for t in r.top_tags] == [("billing", 3), ("bug", 2), ("login", 2), ("vip", 1)]
    assert [t.tag for t in report(desk, top_tags=2).top_tags] == ["billing", "bug"]


def test_grouped_by_agent(desk: Store) -> None:
    r = report(desk, by="agent")
    groups = {g.key: g for g in r.groups}
    assert [g.key for g in r.groups] == ["bob", "alice", None]  # 3 new each: more backlog first
    alice, bob, nobody = groups["alice"], groups["bob"], groups[None]
    assert (alice.new, alice.backlog) == (3, 1)  # T1 T5 T8; T8 open (T4 is spam)
    assert alice.first_response == Durations(3, 20 * 60, 3 * HOUR)  # 10m 20m 3h
    assert alice.resolution == Durations(3, DAY, 3 * DAY + 3 * HOUR)  # T1 2h, T0 1d, T5 3d 3h
    assert alice.sla_first_response == Compliance(3, 2, 1)
    assert alice.sla_resolution == Compliance(3, 2, 1)
    assert (bob.new, bob.backlog) == (3, 2)  # T2 T6 T9; T2 answered, T6 postponed
    assert bob.first_response == Durations(2, 45 * 60, HOUR)  # 30m 1h
    assert bob.resolution == Durations(1, HOUR, HOUR)
    assert bob.sla_first_response == Compliance(3, 1, 1)
    assert bob.sla_resolution == Compliance(3, 1, 0)
    assert bob.sla_resolution.percent_met == 100.0
    assert (nobody.new, nobody.backlog) == (1, 1)  # T3
    assert nobody.first_response == Durations(0, None, None)
    assert nobody.sla_first_response == Compliance(1, 0, 1)


def test_grouped_by_tag(desk: Store) -> None:
    r = report(desk, by="tag")
    assert [g.key for g in r.groups] == ["billing", "bug", "login", "vip", "old", None]
    groups = {g.key: g for g in r.groups}
    billing = groups["billing"]  # T1 T3 T5 (T4 is spam)
    assert (billing.new, billing.backlog) == (3, 1)
    assert billing.first_response == Durations(2, 15 * 60, 20 * 60)
    assert billing.resolution == Durations(2, (2 * HOUR + 3 * DAY + 3 * HOUR) / 2, 3 * DAY + 3 * HOUR)
    login = groups["login"]  # T2 T8, both open
    assert (login.new, login.backlog) == (2, 2)
    assert login.first_response == Durations(2, 2 * HOUR, 3 * HOUR)
    assert (groups["bug"].new, groups["bug"].backlog) == (2, 2)
    assert (groups["old"].new, groups["old"].resolution.count) == (0, 1)  # only T0's resolution
    untagged = groups[None]  # T9
    assert (untagged.new, untagged.backlog, untagged.first_response.median) == (1, 0, 30 * 60)


def test_grouped_by_priority_and_department(desk: Store) -> None:
    by_priority = report(desk, by="priority")
    assert [(g.key, g.new) for g in by_priority.groups] == [("urgent", 1), ("high", 1), ("normal", 5)]
    by_department = report(desk, by="department")
    assert [(g.key, g.new, g.backlog) for g in by_department.groups] == [
        ("Technical", 2, 2),
        ("Billing", 1, 0),
        (None, 4, 2),
    ]


# --------------------------------------------------------------------------- periods


def test_a_shorter_period(desk: Store) -> None:
    r = report(desk, since="2026-03-03", until="2026-03-05")
    assert r.days == (date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 5))
    assert r.new_per_day == (1, 0, 1)  # T3, T5
    assert r.excluded == 1  # T4
    assert r.backlog_per_day == (2, 2, 2)
    assert r.first_response == Durations(1, 10 * 60, 10 * 60)  # T5
    assert r.resolution == Durations(0, None, None)  # T5's first resolution no longer counts
    assert r.sla_first_response == Compliance(2, 1, 1)  # T5 met, T3 breached


def test_day_boundaries_are_midnight_in_the_report_time_zone(store: Store) -> None:
    clock = FakeClock()
    service = TicketService(store, clock=clock, sla=POLICIES)
    for moment in ("2026-03-02T23:59:59", "2026-03-03T00:00:00", "2026-03-03T22:30:00"):
        clock.now = datetime.fromisoformat(moment).replace(tzinfo=UTC)
        service.create_ticket(email="a@example.com", subject=moment, body="x")
    utc = report(store, since="2026-03-02", until="2026-03-04")
    assert utc.new_per_day == (1, 2, 0)
    assert utc.backlog_per_day == (1, 3, 3)
    # Tallinn is UTC+2 in March, Kolkata UTC+5:30: 22:30 UTC is already the 4th there,
    # 23:59:59 the 3rd.
    for zone in ("Europe/Tallinn", "Asia/Kolkata"):
        local = build_report(
            store, POLICIES, since="2026-03-02", until="2026-03-04", now=NOW, timezone=ZoneInfo(zone)
        )
        assert local.new_per_day == (0, 2, 1), zone
        assert local.backlog_per_day == (0, 2, 3), zone


def test_relative_and_default_periods() -> None:
    today = date(2026, 3, 10)
    assert parse_day("30d", today, end=False) == date(2026, 2, 9)  # 30 days with today
    assert parse_day("4w", today, end=False) == date(2026, 2, 11)
    assert parse_day("7d", today, end=True) == date(2026, 3, 3)
    assert parse_day(" 2026-11-01 ", today, end=True) == date(2026, 11, 1)
    assert parse_day(None, today, end=True) is None


def test_default_period_is_the_last_30_days_and_never_past_today(desk: Store) -> None:
    r = build_report(desk, POLICIES, now=NOW, timezone=UTC)
    assert (r.since, r.until, len(r.days)) == (date(2026, 2, 9), date(2026, 3, 10), 30)
    assert r.new_tickets == 8  # T0 too
    future = report(desk, since="2026-03-09", until="2026-12-31")
    assert future.until == date(2026, 3, 10)


@pytest.mark.parametrize("since, until", [("yesterday", None), ("2026-02-30", None), ("3x", None), (None, "-1d")])
def test_bad_dates_are_refused(desk: Store, since: str | None, until: str | None) -> None:
    with pytest.raises(InvalidInput, match="Cannot understand the date"):
        build_report(desk, POLICIES, since=since, until=until, now=NOW, timezone=UTC)


def test_an_empty_or_backward_period_is_refused(desk: Store) -> None:
    with pytest.raises(InvalidInput, match="empty"):
        report(desk, since="2026-03-05", until="2026-03-04")
    with pytest.raises(InvalidInput, match="empty"):
        report(desk, since="2026-03-11", until=None)
    with pytest.raises(InvalidInput, match="too long"):
        report(desk, since="0001-01-01")


def test_unknown_grouping_is_refused(desk: Store) -> None:
    with pytest.raises(InvalidInput, match="agent, department, tag, priority"):
        report(desk, by="customer")


# --------------------------------------------------------------------------- edge cases and helpers


def test_empty_store(store: Store) -> None:
    r = build_report(store, POLICIES, now=NOW, timezone=UTC, by="tag")
    assert len(r.days) == 30
    assert r.new_per_day == (0,) * 30 and r.backlog_per_day == (0,) * 30
    assert r.first_response_per_day == (None,) * 30
    assert r.backlog_total == 0 and r.new_tickets == 0 and r.excluded == 0
    assert r.first_response == Durations(0, None, None)
    assert r.sla_first_response == Compliance(0, 0, 0)
    assert r.sla_first_response.percent_met is None
    assert r.top_tags == () and r.groups == ()
    json.dumps(r.to_json())


def test_in_memory_store() -> None:
    memory = open_store(":memory:")
    try:
        build_desk(memory)
        r = build_report(memory, POLICIES, since="2026-03-02", until="2026-03-10", now=NOW, timezone=UTC)
        assert r.backlog_per_day == (1, 2, 2, 2, 3, 4, 3, 4, 4)
    finally:
        memory.close()


def test_percentile_and_median_rules() -> None:
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == 9
    assert percentile([5], 90) == 5
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90) == 10
    assert Durations.of([3, 1, 2, 4]) == Durations(4, 2.5, 4)
    assert Durations.of([]) == Durations(0, None, None)


def test_duration_text() -> None:
    assert [duration_text(s) for s in (None, 42, 600, 3600, 3 * HOUR + 20 * 60, DAY, DAY + 4 * HOUR)] == [
        "–", "42s", "10min", "1h", "3h 20min", "1d", "1d 4h",
    ]


def test_sparkline_is_zero_based_and_shows_gaps() -> None:
    assert sparkline([0, 4, 8, None, 1]) == "▁▅█ ▂"
    assert sparkline([0, 0]) == "▁▁"
    assert len(sparkline(list(range(90)), width=30)) == 30


def test_business_time_of_running_clocks_matches_the_sla_module() -> None:
    """The report's day-cached count equals BusinessHours.business_seconds, DST included."""
    hours = BusinessHours.parse("mon-fri", "09:00", "17:00", "Europe/Tallinn", ["2026-03-27"])
    policies = SlaPolicies.from_config(
        {"sla": {"hours": {"days": "mon-fri", "start": "09:00", "end": "17:00",
                           "timezone": "Europe/Tallinn", "holidays": ["2026-03-27"]}}},
        local_timezone=UTC,
    )
    targets = policies.for_ticket(None, "normal")
    now = datetime(2026, 4, 2, 13, 17, 5, tzinfo=UTC)  # after the switch to summer time (Mar 29)
    judge = SlaJudge(policies, {}, now)
    rng = random.Random(7)
    for _ in range(300):
        moment = now - timedelta(seconds=rng.randint(0, 20 * DAY))
        text = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        since = int(moment.timestamp())
        assert judge._business_since(targets, text, since) == hours.business_seconds(moment, now), text


# --------------------------------------------------------------------------- the command


def run_cli(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = cli.main(["--db", db, "report", *args])
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def test_report_json(desk: Store, db_path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    monkeypatch.setenv("TZ", "UTC")  # the command reports in the machine's time zone
    code, out, err = run_cli(capsys, str(db_path), "--since", "2026-03-02", "--until", "2026-03-10", "--json", "--by", "agent")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert set(data) == {
        "period", "generated_at", "by", "backlog", "new_tickets", "resolved_tickets",
        "excluded_spam_or_deleted", "first_response_seconds", "resolution_seconds", "sla",
        "top_tags", "per_day", "groups",
    }
    assert data["period"]["since"] == "2026-03-02" and data["period"]["days"] == 9
    assert data["by"] == "agent"
    assert data["backlog"]["total"] == 4
    assert data["backlog"]["by_status"][0] == {"status": "new", "meaning": "attention", "count": 1}
    assert data["new_tickets"] == 7
    assert set(data["first_response_seconds"]) == {"count", "median", "p90"}
    assert set(data["sla"]["first_response"]) == {"tickets", "met", "breached", "pending", "percent_met"}
    assert data["per_day"][0] == {
        "date": "2026-03-02", "new": 2, "resolved": 2, "backlog": 1, "first_response_median_seconds": 2400,
    }
    assert [g["key"] for g in data["groups"]] == ["bob", "alice", None]
    assert set(data["groups"][0]) == {"key", "new", "backlog", "first_response_seconds", "resolution_seconds", "sla"}


def test_report_text_prints_data_as_data(store: Store, db_path, capsys: pytest.CaptureFixture[str]) -> None:
    service = TicketService(store, sla=POLICIES)
    ticket = service.create_ticket(email="a@example.com", subject="Hi", body="x")
    service.tag(ticket, add=["[red]loud[/]"])
    with store.transaction() as conn:  # a tag from before names were checked (item 4) still prints safely
        conn.execute("INSERT INTO tags(name) VALUES ('esc\x1b[2J')")
        conn.execute("INSERT INTO ticket_tags(ticket_id, tag_id) SELECT ?, id FROM tags WHERE name = 'esc\x1b[2J'", [ticket])
    service.assign(ticket, "[b]bob[/b]")
    code, out, err = run_cli(capsys, str(db_path), "--by", "tag")
    assert (code, err) == (0, "")
    assert "[red]loud[/]" in out
    assert "\x1b" not in out and "esc␛[2J" in out
    assert "Backlog now" in out and "New tickets per day" in out
    code, out, err = run_cli(capsys, str(db_path), "--by", "agent")
    assert "[b]bob[/b]" in out


@pytest.mark.parametrize(
    "args, words",
    [
        (("--since", "last tuesday"), ("Cannot understand the date",)),
        (("--until", "2026-13-01"), ("Cannot understand the date",)),
        (("--by", "customer"), ("Cannot group by",)),
        (("--since", "2026-03-05", "--until", "2026-03-01"), ("empty",)),
    ],
)
def test_report_bad_input_is_one_line_and_exit_1(
    store: Store, db_path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], words: tuple[str, ...]
) -> None:
    code, out, err = run_cli(capsys, str(db_path), *args)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("tui-desk")
    for word in words:
        assert word in err


def test_report_modules_do_not_load_textual() -> None:
    """The report core and its text output run without the UI toolkit (scripts, the command)."""
    code = (
        "import sys, tui_desk.core.reports, tui_desk.store.report_queries, tui_desk.core.report_text; "
        "loaded = [m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'tui_desk.ui'))]; "
        "sys.exit(1 if loaded else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0

"""SLA: business hours, the SLA clock and policies from the config, all with fixed times."""

from __future__ import annotations

import time as perf
import tomllib
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_desk.core.sla import (
    BusinessHours,
    Duration,
    SlaClock,
    SlaPolicies,
    SlaState,
    SlaTargets,
    config_text_with_sla,
    due_at,
    machine_timezone,
    parse_duration,
    remaining_seconds,
    replay,
    sla_state,
    to_config,
)
from tui_desk.domain.errors import InvalidInput
from tui_desk.domain.models import BUILTIN_MEANINGS, Meaning

pytestmark = pytest.mark.both_backends

H = 3600
TALLINN = ZoneInfo("Europe/Tallinn")
OFFICE = BusinessHours.parse()  # Monday-Friday 09:00-17:00 UTC
XMAS = BusinessHours.parse(holidays=["2026-12-24", "2026-12-25"])
ESTONIA = BusinessHours.parse(timezone="Europe/Tallinn")
ALWAYS = BusinessHours.always()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def tallinn(*args: int) -> datetime:
    return datetime(*args, tzinfo=TALLINN)


# 2026-03-02 is a Monday.
MON = date(2026, 3, 2)


def on(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), UTC)


def plus(day: date, days: int) -> date:
    return day + timedelta(days=days)


# --------------------------------------------------------------------------- business hours


@pytest.mark.parametrize(
    ("start", "seconds", "due"),
    [
        pytest.param(on(MON, 10), 2 * H, on(MON, 12), id="within-a-day"),
        pytest.param(on(MON, 16), 2 * H, on(plus(MON, 1), 10), id="across-the-end-of-a-day"),
        pytest.param(on(MON, 16), 1 * H, on(MON, 17), id="ends-exactly-at-closing"),
        pytest.param(on(plus(MON, 4), 16), 2 * H, on(plus(MON, 7), 10), id="over-a-weekend"),
        pytest.param(on(MON, 7), 1 * H, on(MON, 10), id="before-opening"),
        pytest.param(on(MON, 18), 1 * H, on(plus(MON, 1), 10), id="after-closing"),
        pytest.param(on(plus(MON, 5), 12), 1 * H, on(plus(MON, 7), 10), id="on-a-saturday"),
        pytest.param(
            on(plus(MON, 4), 20), 8 * H, on(plus(MON, 7), 17), id="a-whole-day-from-friday-night"
        ),
        pytest.param(on(MON, 9), 5 * 8 * H, on(plus(MON, 4), 17), id="five-business-days"),
        pytest.param(on(MON, 12), 0, on(MON, 12), id="zero"),
        pytest.param(on(plus(MON, 5), 12), 0, on(plus(MON, 5), 12), id="zero-on-a-saturday"),
    ],
)
def test_add_business_time(start: datetime, seconds: int, due: datetime) -> None:
    assert OFFICE.add(start, seconds) == due
    assert OFFICE.business_seconds(start, due) == seconds


def test_add_skips_holidays() -> None:
    # Wednesday 2026-12-23 16:00; 24th and 25th are holidays, then the weekend.
    assert XMAS.add(utc(2026, 12, 23, 16), 2 * H) == utc(2026, 12, 28, 10)
    assert XMAS.business_seconds(utc(2026, 12, 23, 16), utc(2026, 12, 28, 10)) == 2 * H
    assert XMAS.add(utc(2026, 12, 24, 10), 1) == utc(2026, 12, 28, 9, 0, 1)
    # Without the holidays it would be Thursday.
    assert OFFICE.add(utc(2026, 12, 23, 16), 2 * H) == utc(2026, 12, 24, 10)


def test_add_across_spring_dst_change_in_tallinn() -> None:
    # Friday 2026-03-27 16:00 EET (UTC+2); DST starts Sunday 29 March; Monday is EEST (UTC+3).
    start = tallinn(2026, 3, 27, 16)
    due = ESTONIA.add(start, 2 * H)
    assert due == tallinn(2026, 3, 30, 10) == utc(2026, 3, 30, 7)
    assert due.tzinfo is UTC
    assert ESTONIA.business_seconds(start, due) == 2 * H
    # A full business week across the change is still 40 business hours.
    assert ESTONIA.business_seconds(tallinn(2026, 3, 23, 9), tallinn(2026, 3, 30, 9)) == 40 * H


def test_add_across_autumn_dst_change_in_tallinn() -> None:
    # Friday 2026-10-23 16:00 EEST (UTC+3); DST ends Sunday 25 October; Monday is EET (UTC+2).
    assert ESTONIA.add(tallinn(2026, 10, 23, 16), 2 * H) == utc(2026, 10, 26, 8)


def test_plain_time_on_a_dst_day_is_real_time() -> None:
    every_day = BusinessHours.parse(
        days="mon-sun", start="00:00", end="24:00", timezone="Europe/Tallinn"
    )
    assert every_day.is_always
    # The local Sunday of the spring change lasts 23 hours, the autumn one 25.
    assert every_day.business_seconds(tallinn(2026, 3, 29), tallinn(2026, 3, 30)) == 23 * H
    assert every_day.business_seconds(tallinn(2026, 10, 25), tallinn(2026, 10, 26)) == 25 * H
    # Opening hours that contain the change: 02:00-05:00 local is 2 real hours that night.
    night = BusinessHours.parse(days="sun", start="02:00", end="05:00", timezone="Europe/Tallinn")
    assert night.business_seconds(tallinn(2026, 3, 29), tallinn(2026, 3, 30)) == 2 * H
    assert night.business_seconds(tallinn(2026, 3, 22), tallinn(2026, 3, 23)) == 3 * H
    assert night.add(tallinn(2026, 3, 29), 2 * H) == utc(2026, 3, 29, 2)


def test_business_seconds() -> None:
    assert OFFICE.business_seconds(on(MON, 8), on(MON, 18)) == 8 * H
    assert OFFICE.business_seconds(on(MON, 18), on(MON, 8)) == 0
    assert OFFICE.business_seconds(on(MON, 12), on(MON, 12)) == 0
    assert OFFICE.business_seconds(on(plus(MON, 5), 0), on(plus(MON, 7), 0)) == 0
    assert OFFICE.business_seconds(on(MON, 0), on(plus(MON, 14), 0)) == 10 * 8 * H
    # Other time zones and naive datetimes (taken as UTC) mean the same moments.
    assert OFFICE.business_seconds(tallinn(2026, 3, 2, 12), datetime(2026, 3, 2, 17)) == 7 * H


def test_is_open() -> None:
    assert OFFICE.is_open(on(MON, 9))
    assert not OFFICE.is_open(on(MON, 17))
    assert not OFFICE.is_open(on(plus(MON, 5), 12))
    assert not XMAS.is_open(utc(2026, 12, 24, 12))


def test_24_7_hours_are_plain_time() -> None:
    start = utc(2026, 3, 6, 22, 17, 5)
    for seconds in (0, 1, 59, H, 30 * 24 * H + 17):
        assert ALWAYS.add(start, seconds) == start + timedelta(seconds=seconds)
        assert ALWAYS.business_seconds(start, start + timedelta(seconds=seconds)) == seconds
    assert ALWAYS.day_seconds == 24 * H
    assert ALWAYS.week_seconds == 7 * 24 * H


def test_midnight_end_and_odd_hours() -> None:
    evenings = BusinessHours.parse(days="sat-sun", start="22:00", end="24:00")
    assert evenings.day_seconds == 2 * H
    # Monday noon: next opening is Saturday 22:00; 3h is Saturday 22-24 and Sunday 22-23.
    assert evenings.add(on(MON, 12), 3 * H) == on(plus(MON, 6), 23)


def test_add_is_fast() -> None:
    start = tallinn(2026, 12, 18, 16)
    best = float("inf")
    for _ in range(20):
        hours = BusinessHours.parse(
            timezone="Europe/Tallinn", holidays=["2026-12-24", "2026-12-25"]
        )
        began = perf.perf_counter()
        hours.add(start, 30 * hours.day_seconds)  # 30 business days, six calendar weeks
        best = min(best, perf.perf_counter() - began)
    assert best < 0.001


_moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
).map(lambda moment: moment.replace(microsecond=0))
_hours = st.sampled_from(
    [OFFICE, XMAS, ESTONIA, ALWAYS, BusinessHours.parse(days="sat-sun", start="22:00", end="24:00")]
)


@settings(max_examples=300, deadline=None)
@given(hours=_hours, a=_moments, b=_moments)
def test_add_inverts_business_seconds(hours: BusinessHours, a: datetime, b: datetime) -> None:
    seconds = hours.business_seconds(a, b)
    landed = hours.add(a, seconds)
    if b >= a:
        assert landed <= b
        assert hours.business_seconds(landed, b) == 0  # the same business instant
    assert hours.business_seconds(a, landed) == seconds


@settings(max_examples=200, deadline=None)
@given(hours=_hours, a=_moments, seconds=st.integers(min_value=0, max_value=60 * 24 * H))
def test_business_seconds_inverts_add(hours: BusinessHours, a: datetime, seconds: int) -> None:
    landed = hours.add(a, seconds)
    assert landed >= a
    assert hours.business_seconds(a, landed) == seconds
    if seconds:  # the earliest such moment: one second less of business time lands earlier
        assert hours.add(a, seconds - 1) < landed


@settings(max_examples=200, deadline=None)
@given(hours=_hours, moments=st.lists(_moments, min_size=3, max_size=3))
def test_business_seconds_add_up(hours: BusinessHours, moments: list[datetime]) -> None:
    a, b, c = sorted(moments)
    assert hours.business_seconds(a, c) == hours.business_seconds(a, b) + hours.business_seconds(
        b, c
    )


def test_hours_without_days_are_refused() -> None:
    with pytest.raises(InvalidInput):
        BusinessHours(frozenset(), time(9), time(17), UTC)
    with pytest.raises(InvalidInput):
        BusinessHours(frozenset({0}), time(17), time(9), UTC)
    with pytest.raises(InvalidInput):
        BusinessHours.parse(days=[])


# --------------------------------------------------------------------------- the clock


def meaning_of(status: str) -> str:
    custom = {"supplier": Meaning.ATTENTION, "on-site": Meaning.HOLD}
    return custom.get(status) or BUILTIN_MEANINGS[status]


def test_pause_and_resume_count_only_open_business_time() -> None:
    # Open 2h on Monday, Answered for a day, Open again on Tuesday at 11:00.
    history = [(on(MON, 9), "new"), (on(MON, 11), "answered"), (on(plus(MON, 1), 11), "open")]
    now = on(plus(MON, 1), 12)
    clock = replay(history, meaning_of, now, OFFICE)
    assert clock == SlaClock(2 * H, on(plus(MON, 1), 11))
    assert clock.elapsed_at(now, OFFICE) == 3 * H
    # The same by hand.
    by_hand = SlaClock.started(on(MON, 9)).pause(on(MON, 11), OFFICE).resume(on(plus(MON, 1), 11))
    assert by_hand == clock
    # 24/7: the answered day does not count either.
    assert replay(history, meaning_of, now, ALWAYS).elapsed_at(now, ALWAYS) == 3 * H


def test_clock_pauses_outside_attention_statuses() -> None:
    history = [
        (on(MON, 9), "new"),
        (on(MON, 10), "supplier"),  # custom status meaning "needs attention": keeps running
        (on(MON, 11), "postponed"),
        (on(MON, 13), "open"),
        (on(MON, 14), "on-site"),  # custom "on hold"
        (on(MON, 15), "open"),
        (on(MON, 16), "resolved"),
    ]
    clock = replay(history, meaning_of, on(plus(MON, 3), 12), OFFICE)
    assert not clock.running
    assert clock.elapsed == 4 * H
    # Changes after now are not counted yet; the order of the list does not matter.
    early = replay(list(reversed(history)), meaning_of, on(MON, 12), OFFICE)
    assert early == SlaClock(2 * H, None)


def test_pause_and_resume_are_idempotent() -> None:
    running = SlaClock.started(on(MON, 9))
    assert running.resume(on(MON, 10)) == running
    paused = running.pause(on(MON, 10), OFFICE)
    assert paused.pause(on(MON, 12), OFFICE) == paused
    assert paused.elapsed_at(on(plus(MON, 2), 9), OFFICE) == H


def test_replay_stop_at_for_the_first_response() -> None:
    history = [(on(MON, 9), "new"), (on(MON, 13), "answered"), (on(MON, 14), "open")]
    clock = replay(history, meaning_of, on(MON, 16), OFFICE, stop_at=on(MON, 13))
    assert clock == SlaClock(4 * H, None)
    still_waiting = replay(history[:1], meaning_of, on(MON, 12), OFFICE, stop_at=None)
    assert still_waiting.running


def test_due_at() -> None:
    clock = SlaClock(2 * H, on(plus(MON, 1), 11))
    assert due_at(clock, 8 * H, OFFICE) == on(plus(MON, 1), 17)
    assert due_at(clock, 10 * H, OFFICE) == on(plus(MON, 2), 11)
    assert due_at(clock, None, OFFICE) is None
    assert due_at(clock.pause(on(plus(MON, 1), 12), OFFICE), 8 * H, OFFICE) is None
    # Used up before this run: due at the moment it resumed (already past).
    assert due_at(SlaClock(9 * H, on(plus(MON, 1), 11)), 8 * H, OFFICE) == on(plus(MON, 1), 11)


def test_sla_state() -> None:
    target = 8 * H
    clock = SlaClock.started(on(MON, 9))
    assert sla_state(clock, target, OFFICE, on(MON, 10)) == SlaState.OK == "ok"
    assert sla_state(clock, target, OFFICE, on(MON, 15)) == "ok"  # 2h of 8h left: exactly 25%
    assert sla_state(clock, target, OFFICE, on(MON, 15, 1)) == "near"
    assert sla_state(clock, target, OFFICE, on(MON, 16, 59)) == "near"
    assert sla_state(clock, target, OFFICE, on(MON, 17)) == "breached"
    # Overnight the clock does not move: still near on Tuesday before opening.
    assert sla_state(clock, 9 * H, OFFICE, on(plus(MON, 1), 8)) == "near"
    assert sla_state(clock, target, OFFICE, on(MON, 12), near_seconds=6 * H) == "near"
    assert sla_state(clock, target, OFFICE, on(MON, 12), near_fraction=0.5) == "ok"
    assert sla_state(clock, None, OFFICE, on(MON, 12)) == "none"
    paused = clock.pause(on(MON, 12), OFFICE)
    assert sla_state(paused, target, OFFICE, on(plus(MON, 9), 12)) == "paused"
    late = clock.pause(on(MON, 18), OFFICE)
    assert sla_state(late, target, OFFICE, on(plus(MON, 9), 12)) == "breached"
    assert remaining_seconds(late, target, OFFICE, on(MON, 19)) == 0
    assert remaining_seconds(clock, target, OFFICE, on(MON, 12)) == 5 * H
    assert remaining_seconds(clock, None, OFFICE, on(MON, 12)) is None


def test_targets_state_uses_their_near_setting() -> None:
    targets = SlaTargets(first_response=4 * H, resolution=None, hours=OFFICE, near=3 * H)
    clock = SlaClock.started(on(MON, 9))
    assert targets.state(clock, targets.first_response, on(MON, 10, 30)) == "near"
    assert targets.state(clock, targets.resolution, on(MON, 10, 30)) == "none"
    assert targets.due_at(clock, targets.first_response) == on(MON, 13)


# --------------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("text", "duration"),
    [
        ("30m", Duration(minutes=30)),
        ("4h", Duration(minutes=240)),
        ("2d", Duration(days=2)),
        ("1w", Duration(weeks=1)),
        ("1d 4h", Duration(minutes=240, days=1)),
        ("1d4h30m", Duration(minutes=270, days=1)),
        (" 2 hours ", Duration(minutes=120)),
        (90, Duration(minutes=90)),
        ("90", Duration(minutes=90)),
    ],
)
def test_parse_duration(text: object, duration: Duration) -> None:
    assert parse_duration(text) == duration
    assert parse_duration(str(duration)) == duration


def test_business_days_and_weeks_follow_the_hours() -> None:
    assert Duration(days=5).seconds(OFFICE) == 40 * H
    assert Duration(weeks=1).seconds(OFFICE) == 40 * H
    long_days = BusinessHours.parse(days="mon-sat", start="08:00", end="20:00")
    assert Duration(days=1, minutes=30).seconds(long_days) == 12 * H + 1800
    assert Duration(weeks=1).seconds(long_days) == 6 * 12 * H
    assert Duration(days=2).seconds(ALWAYS) == 48 * H


@pytest.mark.parametrize("bad", ["-1h", -5, "4x", "h", "", "1.5h", 1.5, True, None, "0", 0])
def test_parse_duration_refuses(bad: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_duration(bad, "sla.resolution")
    assert "sla.resolution" in str(caught.value)


# --------------------------------------------------------------------------- policies


def test_no_sla_config_gives_the_documented_default() -> None:
    policies = SlaPolicies.from_config({}, local_timezone=TALLINN)
    targets = policies.for_ticket(None, "normal")
    assert targets.first_response == 8 * H
    assert targets.resolution == 5 * 8 * H
    assert targets.near_fraction == 0.25 and targets.near is None
    assert targets.hours == BusinessHours(frozenset(range(5)), time(9), time(17), TALLINN)
    assert policies.for_ticket("Billing", "normal") == targets
    urgent = policies.for_ticket("Billing", "urgent")
    assert (urgent.first_response, urgent.resolution) == (1 * H, 8 * H)
    high = policies.for_ticket(None, "high")
    assert (high.first_response, high.resolution) == (4 * H, 2 * 8 * H)
    low = policies.for_ticket(None, "low")
    assert (low.first_response, low.resolution) == (2 * 8 * H, 10 * 8 * H)
    assert SlaPolicies.from_config(None, local_timezone=TALLINN) == policies
    assert SlaPolicies.from_config({"sla": {}}, local_timezone=TALLINN) == policies


def test_a_configured_default_applies_to_every_priority() -> None:
    policies = SlaPolicies.from_config({"sla": {"first_response": "2h"}}, local_timezone=TALLINN)
    for priority in ("urgent", "high", "normal", "low"):
        assert policies.for_ticket(None, priority).first_response == 2 * H


def test_machine_timezone_follows_tz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Tallinn")
    assert machine_timezone() == TALLINN
    assert SlaPolicies.from_config({}).default_targets.hours.timezone == TALLINN
    monkeypatch.setenv("TZ", ":America/New_York")
    assert machine_timezone() == ZoneInfo("America/New_York")


CONFIG = {
    "sla": {
        "first_response": "8h",
        "resolution": "5d",
        "near": "1h",
        "hours": {
            "days": ["mon", "tue", "wed", "thu", "fri"],
            "start": "09:00",
            "end": "17:00",
            "timezone": "Europe/Tallinn",
            "holidays": ["2026-12-24", "2026-12-25"],
        },
        "policy": [
            {"priority": "urgent", "first_response": "1h", "resolution": "1d"},
            {"department": "Billing", "resolution": "none", "hours": {"end": "19:00"}},
            {"department": "Billing", "priority": "urgent", "first_response": "30m"},
            {"priority": "low", "first_response": 600, "near": "50%"},
            {
                "department": "Technical",
                "hours": {"days": "mon-sun", "start": "00:00", "end": "24:00"},
            },
        ],
    }
}


def test_policy_precedence() -> None:
    policies = SlaPolicies.from_config(CONFIG, local_timezone=UTC)
    office = BusinessHours.parse(timezone="Europe/Tallinn", holidays=["2026-12-24", "2026-12-25"])
    billing_hours = BusinessHours.parse(
        end="19:00", timezone="Europe/Tallinn", holidays=["2026-12-24", "2026-12-25"]
    )

    default = policies.for_ticket(None, "normal")
    assert (default.first_response, default.resolution, default.near) == (8 * H, 40 * H, H)
    assert default.hours == office

    urgent = policies.for_ticket("Sales", "urgent")  # priority policy
    assert (urgent.first_response, urgent.resolution) == (H, 8 * H)

    billing = policies.for_ticket("billing ", "normal")  # department policy, any case
    assert (billing.first_response, billing.resolution) == (8 * H, None)
    assert billing.hours == billing_hours

    # department+priority first, then department, then priority, then [sla]; key by key.
    both = policies.for_ticket("Billing", "urgent")
    assert (both.first_response, both.resolution, both.hours) == (1800, None, billing_hours)

    low = policies.for_ticket(None, "low")
    assert (low.first_response, low.near_fraction, low.near) == (600 * 60, 0.5, None)

    # A business day of 24/7 hours is 24 hours.
    technical = policies.for_ticket("Technical", "high")
    assert technical.resolution == 5 * 24 * H
    assert technical.hours.is_always is False  # holidays are still inherited
    assert technical.hours.holidays == office.holidays

    # Unknown departments and priorities fall back.
    assert policies.for_ticket(None, "custom") == default
    assert policies.for_ticket("", "normal") == default


def test_config_round_trips() -> None:
    policies = SlaPolicies.from_config(CONFIG, local_timezone=UTC)
    written = to_config(policies)
    assert SlaPolicies.from_config(written, local_timezone=UTC) == policies
    assert policies.to_config() == written
    text = config_text_with_sla('language = "et"\n', {}, written["sla"])
    reread = tomllib.loads(text)
    assert reread["language"] == "et"
    assert SlaPolicies.from_config(reread, local_timezone=UTC) == policies
    empty = SlaPolicies.from_config({}, local_timezone=UTC)
    assert to_config(empty) == {"sla": {}}
    assert (
        SlaPolicies.from_config(tomllib.loads(config_text_with_sla("", {}, to_config(empty)["sla"])), local_timezone=UTC)
        == empty
    )


def test_toml_values_are_accepted() -> None:
    text = """
    [sla]
    first_response = 90
    near = 0.1
    [sla.hours]
    days = "mon-wed, fri"
    start = 08:30:00
    end = 16:00:00
    holidays = [2026-12-24]
    """
    policies = SlaPolicies.from_config(tomllib.loads(text), local_timezone=UTC)
    targets = policies.default_targets
    assert targets.first_response == 90 * 60 and targets.near_fraction == 0.1
    assert targets.hours == BusinessHours(
        frozenset({0, 1, 2, 4}),
        time(8, 30),
        time(16),
        policies.local_timezone,
        frozenset({date(2026, 12, 24)}),
    )


def test_with_setting() -> None:
    policies = SlaPolicies.from_config({}, local_timezone=UTC)
    changed = policies.with_setting("first-response", "2h")
    assert changed.default_targets.first_response == 2 * H
    assert changed.with_setting("near", "0.5").default_targets.near_fraction == 0.5
    assert changed.with_setting("near", "2h").default_targets.near == 2 * H
    changed = changed.with_setting("hours.timezone", "Europe/Tallinn")
    assert changed.default_targets.hours.timezone == TALLINN
    changed = changed.with_setting("resolution", "1d", department="Billing", priority="Urgent")
    assert changed.for_ticket("billing", "urgent").resolution == 8 * H
    changed = changed.with_setting("end", "24:00", department="Billing", priority="urgent")
    assert len(changed.rules) == 1
    assert changed.for_ticket("Billing", "urgent").resolution == 15 * H
    assert to_config(changed)["sla"]["policy"] == [  # type: ignore[index]
        {
            "department": "Billing",
            "priority": "urgent",
            "resolution": "1d",
            "hours": {"end": "24:00"},
        }
    ]
    # None removes a setting; a policy with nothing left goes away.
    cleared = changed.with_setting("resolution", None, department="Billing", priority="urgent")
    cleared = cleared.with_setting("end", None, department="Billing", priority="urgent")
    assert cleared.rules == ()
    with pytest.raises(InvalidInput, match="sla.policy\\[1\\].resolution"):
        changed.with_setting("resolution", "-2h", department="billing", priority="urgent")
    with pytest.raises(InvalidInput, match="colour"):
        changed.with_setting("colour", "red")


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"sla": {"hours": {"days": ["mon", "funday"]}}}, "sla.hours.days"),
        ({"sla": {"hours": {"days": []}}}, "sla.hours.days"),
        ({"sla": {"hours": {"start": "17:00", "end": "09:00"}}}, "sla.hours.end"),
        ({"sla": {"hours": {"start": "18:00"}}}, "sla.hours.start"),
        ({"sla": {"hours": {"start": "9am"}}}, "sla.hours.start"),
        ({"sla": {"hours": {"start": "24:00"}}}, "sla.hours.start"),
        ({"sla": {"hours": {"end": "25:00"}}}, "sla.hours.end"),
        ({"sla": {"hours": {"timezone": "Mars/Olympus"}}}, "sla.hours.timezone"),
        ({"sla": {"hours": {"timezone": ""}}}, "sla.hours.timezone"),
        ({"sla": {"hours": {"holidays": ["2026-02-30"]}}}, "sla.hours.holidays"),
        ({"sla": {"hours": {"holidays": "christmas"}}}, "sla.hours.holidays"),
        ({"sla": {"hours": {"lunch": "12:00"}}}, "sla.hours.lunch"),
        ({"sla": {"hours": "9-5"}}, "sla.hours"),
        ({"sla": {"first_response": "-1h"}}, "sla.first_response"),
        ({"sla": {"resolution": -30}}, "sla.resolution"),
        ({"sla": {"resolution": "soon"}}, "sla.resolution"),
        ({"sla": {"near": "120%"}}, "sla.near"),
        ({"sla": {"near": 1.5}}, "sla.near"),
        ({"sla": {"fist_response": "1h"}}, "sla.fist_response"),
        ({"sla": "8h"}, "sla"),
        ({"sla": {"policy": "urgent"}}, "sla.policy"),
        ({"sla": {"policy": [{"priority": "critical"}]}}, "sla.policy[1].priority"),
        ({"sla": {"policy": [{"department": " "}]}}, "sla.policy[1].department"),
        ({"sla": {"policy": [{"first_response": "1h"}]}}, "sla.policy[1]"),
        ({"sla": {"policy": [{"priority": "high"}, {"priority": "HIGH"}]}}, "sla.policy[2]"),
        (
            {"sla": {"policy": [{"priority": "high", "resolution": "1x"}]}},
            "sla.policy[1].resolution",
        ),
        (
            {"sla": {"policy": [{"department": "A", "hours": {"end": "08:00"}}]}},
            "sla.policy[1].hours.end",
        ),
    ],
)
def test_config_errors_are_one_clear_line(config: dict, key: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        SlaPolicies.from_config(config, local_timezone=UTC)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"Bad SLA setting {key}")


def test_config_error_wording() -> None:
    with pytest.raises(InvalidInput) as caught:
        SlaPolicies.from_config(
            {"sla": {"hours": {"start": "17:00", "end": "09:00"}}}, local_timezone=UTC
        )
    assert (
        str(caught.value)
        == 'Bad SLA setting sla.hours.end = "09:00": the end must be after the start 17:00'
    )
    with pytest.raises(InvalidInput) as caught:
        SlaPolicies.from_config({"sla": {"hours": {"days": ["mon", "funday"]}}}, local_timezone=UTC)
    assert str(caught.value) == (
        'Bad SLA setting sla.hours.days = "funday": unknown week day: use mon, tue, wed, thu, fri, sat, sun'
    )

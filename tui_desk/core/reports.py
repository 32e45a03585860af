"""Reports: the backlog, how many tickets come, how fast they are answered and solved, SLAs.

Pure Python (no Textual): the `report` command, the reports screen and scripts
all call :func:`build_report`, which reads the store through
``store/report_queries.py``: aggregate queries, one small row per ticket only
where a median needs it, never one query per ticket.

What each figure means
----------------------
- **Period**: whole days in the report's time zone (the machine's, as
  everywhere in the app), from the first day's midnight to the end of the
  last day, never past today. Default: the last 30 days, today included.
  ``--since``/``--until`` take a date (``2026-11-01``) or a count of days or
  weeks back (``30d``, ``4w``): ``--since 30d`` starts 29 days before today
  (so the period is 30 days with today), ``--until 7d`` ends with the day
  7 days before today. Both ends are included.
- **Left out**: tickets that are spam or deleted now count nowhere (their
  number in the period is given as ``excluded``); purged tickets are gone.
- **Open / backlog**: a ticket is open while its status means "needs
  attention" (New, Open), "waiting on customer" (Answered) or "on hold"
  (Postponed), custom statuses by their meaning; not when resolved (done),
  spam or deleted. **Backlog now**: open tickets per status at this moment.
  **Backlog over time**: open tickets at the end of each day of the period,
  rebuilt from the status events (each records the status before and after):
  the backlog now, minus every change into an open status after that day's
  end, plus every change out of one. Exact, also for reopened tickets.
- **New tickets** per day: tickets created that day. **Resolved** per day:
  tickets resolved that day that are still resolved (or in a custom "done"
  status) now.
- **First response time**: wall-clock time (nights and weekends included)
  from the customer's request to the first agent reply, for tickets whose
  first reply came in the period. **Resolution time**: wall-clock time from
  the request to the (last) resolution, for tickets resolved in the period
  that are still resolved. Both as the median (the middle value; the mean of
  the two middle values for an even count) and the 90th percentile (nearest
  rank: the smallest time that 90% of the tickets were within). The chart
  shows the median first response time of the tickets first answered each
  day.
- **SLA compliance**: for tickets created in the period whose department and
  priority have a target, from the SLA clocks stored with each ticket
  (business time, see core/sla.py). First response: *met* when answered with
  the clock at or under the target, *breached* when answered over it or when
  not answered yet and the clock is already past it; the rest (not answered
  yet and still in time, or closed without a reply) is *pending*. Resolution:
  *breached* when the clock is past the target, whatever the status; *met*
  when resolved within it; otherwise *pending*. ``% met`` is met / (met +
  breached); pending tickets are not counted either way.
- **Top tags**: the tags of the tickets created in the period, most frequent
  first.
- **Grouped** (``by`` agent, department, tag or priority): the same key
  figures per group, by the ticket's assignee, department, tags or priority
  as they are now; a ticket with two tags counts in both. "Backlog" of a
  group is its open tickets now. A group of ``None`` holds the tickets
  without an assignee, department or tag.
"""

from __future__ import annotations

import re
import statistics
from bisect import bisect_right
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from math import ceil
from typing import Any, TypeVar

from ..domain.clock import from_text, to_text
from ..domain.errors import InvalidInput
from ..domain.models import PRIORITY_ORDER
from ..i18n import _
from ..store import Store, queries
from ..store import report_queries as rq
from .sla import SlaPolicies, SlaTargets, machine_timezone, zone_name

T = TypeVar("T")

GROUPINGS = ("agent", "department", "tag", "priority")
DEFAULT_DAYS = 30
MAX_DAYS = 3660  # ten years of days, each one a point of the per-day series
TOP_TAGS = 10

_RELATIVE = re.compile(r"^\s*(\d{1,15})\s*([dw])\s*$", re.IGNORECASE)


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class Durations:
    """Wall-clock seconds: how many tickets, the median and the 90th percentile (None when none)."""

    count: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, seconds: Sequence[int]) -> Durations:
        if not seconds:
            return cls(0, None, None)
        ordered = sorted(seconds)
        return cls(len(ordered), _number(statistics.median(ordered)), _number(percentile(ordered, 90)))

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "median": self.median, "p90": self.p90}


@dataclass(frozen=True)
class Compliance:
    """SLA outcome for the tickets of the period that have the target."""

    tickets: int
    met: int
    breached: int

    @property
    def pending(self) -> int:
        return self.tickets - self.met - self.breached

    @property
    def percent_met(self) -> float | None:
        decided = self.met + self.breached
        return round(100 * self.met / decided, 1) if decided else None

    def to_json(self) -> dict[str, Any]:
        return {
            "tickets": self.tickets,
            "met": self.met,
            "breached": self.breached,
            "pending": self.pending,
            "percent_met": self.percent_met,
        }


@dataclass(frozen=True)
class StatusCount:
    key: str
    name: str  # as stored (a custom status's own name); show it with models.status_label(key, name)
    meaning: str
    count: int


@dataclass(frozen=True)
class TagCount:
    tag: str
    count: int


@dataclass(frozen=True)
class GroupFigures:
    """The key figures of one agent, department, tag or priority (key None: without one)."""

    key: str | None
    new: int
    backlog: int
    first_response: Durations
    resolution: Durations
    sla_first_response: Compliance
    sla_resolution: Compliance

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "new": self.new,
            "backlog": self.backlog,
            "first_response_seconds": self.first_response.to_json(),
            "resolution_seconds": self.resolution.to_json(),
            "sla": {
                "first_response": self.sla_first_response.to_json(),
                "resolution": self.sla_resolution.to_json(),
            },
        }


@dataclass(frozen=True)
class Report:
    since: date  # first day, included
    until: date  # last day, included
    timezone: str
    now: datetime
    by: str | None
    backlog: tuple[StatusCount, ...]  # open statuses now, in status order
    days: tuple[date, ...]
    new_per_day: tuple[int, ...]
    resolved_per_day: tuple[int, ...]
    backlog_per_day: tuple[int, ...]  # open tickets at the end of each day (at `now` for today)
    first_response_per_day: tuple[float | None, ...]  # median seconds, tickets first answered that day
    new_tickets: int
    resolved_tickets: int
    excluded: int  # spam or deleted tickets created in the period, left out
    first_response: Durations
    resolution: Durations
    sla_first_response: Compliance
    sla_resolution: Compliance
    top_tags: tuple[TagCount, ...]
    groups: tuple[GroupFigures, ...] = field(default=())

    @property
    def backlog_total(self) -> int:
        return sum(s.count for s in self.backlog)

    def to_json(self) -> dict[str, Any]:
        """Plain, language-neutral data: keys, numbers, ISO dates; durations in seconds."""
        return {
            "period": {
                "since": self.since.isoformat(),
                "until": self.until.isoformat(),
                "days": len(self.days),
                "timezone": self.timezone,
            },
            "generated_at": to_text(self.now),
            "by": self.by,
            "backlog": {
                "total": self.backlog_total,
                "by_status": [
                    {"status": s.key, "meaning": s.meaning, "count": s.count} for s in self.backlog
                ],
            },
            "new_tickets": self.new_tickets,
            "resolved_tickets": self.resolved_tickets,
            "excluded_spam_or_deleted": self.excluded,
            "first_response_seconds": self.first_response.to_json(),
            "resolution_seconds": self.resolution.to_json(),
            "sla": {
                "first_response": self.sla_first_response.to_json(),
                "resolution": self.sla_resolution.to_json(),
            },
            "top_tags": [{"tag": t.tag, "count": t.count} for t in self.top_tags],
            "per_day": [
                {
                    "date": day.isoformat(),
                    "new": new,
                    "resolved": resolved,
                    "backlog": backlog,
                    "first_response_median_seconds": first,
                }
                for day, new, resolved, backlog, first in zip(
                    self.days,
                    self.new_per_day,
                    self.resolved_per_day,
                    self.backlog_per_day,
                    self.first_response_per_day,
                    strict=True,
                )
            ],
            "groups": [g.to_json() for g in self.groups],
        }


# --------------------------------------------------------------------------- small helpers


def _number(value: float) -> float:
    """Whole numbers as int (3600, not 3600.0) so JSON and text stay tidy."""
    return int(value) if float(value).is_integer() else value


def percentile(ordered: Sequence[float], percent: float) -> float:
    """Nearest-rank percentile of sorted values: the smallest value with `percent`% at or under it."""
    if not ordered:
        raise ValueError("no values")
    rank = max(1, ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def duration_text(seconds: float | None) -> str:
    """A duration in at most two units: 45s, 12m, 3h 20m, 2d 4h; '–' for none."""
    if seconds is None:
        return "–"
    total = int(round(seconds))
    if total < 60:
        return _("{n}s").format(n=total)
    minutes = total // 60
    if minutes < 60:
        return _("{n}m").format(n=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        if minutes:
            return _("{h}h {m}m").format(h=hours, m=minutes)
        return _("{n}h").format(n=hours)
    days, hours = divmod(hours, 24)
    if hours:
        return _("{d}d {h}h").format(d=days, h=hours)
    return _("{n}d").format(n=days)


def percent_text(value: float | None) -> str:
    return "–" if value is None else f"{value:g}%"


def parse_day(text: str | date | None, today: date, *, end: bool) -> date | None:
    """A period bound: a date, ``2026-11-01``, or ``30d`` / ``4w`` back from today.

    For the start (``end=False``) ``Nd`` is the first of the last N days (today
    included); for the end it is the day N days before today.
    """
    if text is None or isinstance(text, date):
        return text
    match = _RELATIVE.match(text)
    if match:
        days = int(match.group(1)) * (7 if match.group(2).lower() == "w" else 1)
        try:
            return today - timedelta(days=days if end else days - 1)
        except OverflowError:
            raise _bad_date(text) from None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _bad_date(text) from None


def _bad_date(text: str) -> InvalidInput:
    return InvalidInput(
        _("Cannot understand the date {text!r}: use e.g. 2026-11-01, 30d or 4w").format(text=text)
    )


def _midnight(day: date, zone: tzinfo) -> datetime:
    """The UTC moment a local day starts."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    zone: tzinfo
    bounds: tuple[str, ...]  # stored-time text of each day's start, and of the end

    @classmethod
    def of(cls, first: date, last: date, zone: tzinfo) -> Period:
        count = (last - first).days + 1
        bounds = tuple(to_text(_midnight(first + timedelta(days=i), zone)) for i in range(count + 1))
        return cls(first, last, zone, bounds)

    @property
    def days(self) -> tuple[date, ...]:
        return tuple(self.first + timedelta(days=i) for i in range(len(self.bounds) - 1))

    @property
    def start(self) -> str:
        return self.bounds[0]

    @property
    def end(self) -> str:
        return self.bounds[-1]

    def day_index(self, stored: str) -> int:
        """-1 before the period, len(days) after it."""
        return bisect_right(self.bounds, stored) - 1


def resolve_period(
    since: str | date | None, until: str | date | None, now: datetime, zone: tzinfo
) -> Period:
    today = now.astimezone(zone).date()
    last = parse_day(until, today, end=True) or today
    try:
        first = parse_day(since, today, end=False) or last - timedelta(days=DEFAULT_DAYS - 1)
    except OverflowError:  # --until 0001-01-01: no 30 days before it
        raise _bad_date(str(until)) from None
    last = min(last, today)
    if first > last:
        raise InvalidInput(
            _("The period is empty: it starts {since} and ends {until}").format(
                since=first.isoformat(), until=last.isoformat()
            )
        )
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(
            _("The period is too long: at most {n} days").format(n=f"{MAX_DAYS:,}")
        )
    try:
        return Period.of(first, last, zone)
    except (OverflowError, ValueError):  # year 1 or 9999 moved across a time zone
        raise _bad_date(str(since if since is not None else until)) from None


# --------------------------------------------------------------------------- building it


class _Tally:
    """Running figures of one group (or of the whole report)."""

    __slots__ = ("new", "first", "resolution", "sla")

    def __init__(self) -> None:
        self.new = 0
        self.first: list[int] = []
        self.resolution: list[int] = []
        self.sla: dict[tuple[int | None, int | None], int] = {}  # (first, resolution) outcome -> tickets

    def add(self, first: int | None, resolution: int | None, tickets: int) -> None:
        """`tickets` new tickets of the period with these SLA outcomes."""
        self.new += tickets
        self.sla[(first, resolution)] = self.sla.get((first, resolution), 0) + tickets

    def compliance(self, which: int) -> Compliance:
        tickets = met = breached = 0
        for outcome, count in self.sla.items():
            judged = outcome[which]
            if judged is None:
                continue
            tickets += count
            if judged == _MET:
                met += count
            elif judged == _BREACHED:
                breached += count
        return Compliance(tickets, met, breached)

    def figures(self, key: str | None, backlog: int) -> GroupFigures:
        return GroupFigures(
            key,
            self.new,
            backlog,
            Durations.of(self.first),
            Durations.of(self.resolution),
            self.compliance(0),
            self.compliance(1),
        )


def build_report(
    store: Store,
    policies: SlaPolicies,
    *,
    since: str | date | None = None,
    until: str | date | None = None,
    by: str | None = None,
    now: datetime,
    timezone: tzinfo | None = None,
    top_tags: int = TOP_TAGS,
) -> Report:
    """Every figure of the report for the period (see the module docstring for definitions).

    Reads (store/report_queries.py), in another thread: the status counts,
    creations and status events since the period began (the backlog history),
    the SLA outcomes of stopped clocks as counts, the tag counts; here: the
    first replies and resolutions of the period (one small row each, for the
    medians), the running clocks (one by one, to count their business time up
    to now), and with `by` the open tickets per group.
    """
    if by is not None and by not in GROUPINGS:
        raise InvalidInput(
            _("Cannot group by {by!r}: use one of {known}").format(by=by, known=", ".join(GROUPINGS))
        )
    zone = timezone or machine_timezone()
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    period = resolve_period(since, until, now, zone)
    days = len(period.bounds) - 1
    start, end = period.start, period.end

    infos = rq.statuses(store)
    keys = rq.Keys.of(infos)
    department_names = rq.names(store, "departments")
    judge = _SlaJudge(policies, department_names, now)
    targets = judge.target_rows([*department_names, None])

    def aggregates() -> tuple[Any, ...]:
        """The pure-SQL part: the backlog and its history, stopped SLA clocks, tags."""
        return (
            _history(store, period, infos, keys),
            rq.sla_outcomes(store, start, end, keys, targets, by),
            rq.sla_outcomes(store, start, end, keys, targets, None) if by == "tag" else None,
            rq.tag_counts(store, start, end, keys),
        )

    # SQLite runs those without holding Python's lock: another thread does them meanwhile.
    background = _meanwhile(store, aggregates)
    total = _Tally()
    tallies: dict[Any, _Tally] = {}

    def tally(key: Any) -> _Tally:
        found = tallies.get(key)
        if found is None:
            found = tallies[key] = _Tally()
        return found

    per_ticket = by == "tag"  # rows come once per tag: count each ticket once in the totals

    def collect(rows: list[tuple[str, int, Any, int]], which: str) -> list[tuple[str, int]]:
        """Each group's durations; returns (when, seconds) once per ticket, for the totals."""
        seen: set[int] = set()
        once = []
        for moment, seconds, key, ticket_id in rows:
            seconds = max(0, seconds)
            if by is not None:
                getattr(tally(key), which).append(seconds)
                if per_ticket:
                    if ticket_id in seen:
                        continue
                    seen.add(ticket_id)
            once.append((moment, seconds))
        return once

    day_of = period.day_index
    first_by_day: list[list[int]] = [[] for _ in range(days)]
    for moment, seconds in collect(rq.first_responses(store, start, end, keys, by), "first"):
        total.first.append(seconds)
        first_by_day[day_of(moment)].append(seconds)
    resolved_per_day = [0] * days
    for moment, seconds in collect(rq.resolutions(store, start, end, keys, by), "resolution"):
        total.resolution.append(seconds)
        resolved_per_day[day_of(moment)] += 1

    # SLA outcomes (and so the new tickets of each group): running clocks one by one here,
    # stopped ones counted in SQL (below).
    judged: dict[int, tuple[int | None, int | None]] = {}
    for row in rq.running_clocks(store, start, end, keys, targets, by):
        key, ticket_id, department_id, priority, elapsed, running_since, first_elapsed, done = row
        outcome = judged.get(ticket_id)
        if outcome is None:
            outcome = judged[ticket_id] = judge.outcomes(
                department_id, priority, elapsed, running_since, first_elapsed, bool(done)
            )
            total.add(*outcome, 1)
        if by is not None:
            tally(key).add(*outcome, 1)

    history, outcomes, total_outcomes, tag_counts = background()
    backlog, new_per_day, backlog_per_day, excluded = history
    for key, first, resolution, count in outcomes:
        if by is not None:
            tally(key).add(first, resolution, count)
        if not per_ticket:
            total.add(first, resolution, count)
    for _key, first, resolution, count in total_outcomes or ():
        total.add(first, resolution, count)

    tag_names = rq.names(store, "tags")
    ranked = sorted(
        ((tag_names.get(tag_id, "?"), count) for tag_id, count in tag_counts),
        key=lambda item: (-item[1], item[0].casefold(), item[0]),
    )
    groups: tuple[GroupFigures, ...] = ()
    if by is not None:
        table = {"agent": "agents", "department": "departments", "tag": "tags"}.get(by)
        groups = _groups(store, by, tallies, rq.names(store, table) if table else {}, keys)

    return Report(
        since=period.first,
        until=period.last,
        timezone=zone_name(zone),
        now=now,
        by=by,
        backlog=backlog,
        days=period.days,
        new_per_day=new_per_day,
        resolved_per_day=tuple(resolved_per_day),
        backlog_per_day=backlog_per_day,
        first_response_per_day=tuple(
            _number(statistics.median(values)) if values else None for values in first_by_day
        ),
        new_tickets=total.new,
        resolved_tickets=sum(resolved_per_day),
        excluded=excluded,
        first_response=Durations.of(total.first),
        resolution=Durations.of(total.resolution),
        sla_first_response=total.compliance(0),
        sla_resolution=total.compliance(1),
        top_tags=tuple(TagCount(name, count) for name, count in ranked[: max(0, top_tags)]),
        groups=groups,
    )


# What happened to an SLA target: still open, met, breached (None: no target).
_PENDING, _MET, _BREACHED = 0, 1, 2


class _SlaJudge:
    """Met / breached / pending from a ticket's stored SLA clock, against the current targets."""

    def __init__(self, policies: SlaPolicies, department_names: dict[int, str], now: datetime) -> None:
        self.policies = policies
        self.department_names = department_names
        self.now = now
        self.now_text = to_text(now)
        self.now_epoch = int(now.timestamp())
        self.targets: dict[tuple[int | None, str], SlaTargets] = {}
        self.days: dict[tuple[int, str], tuple[tuple[tuple[int, int], ...], int]] = {}

    def _targets(self, department_id: int | None, priority: str) -> SlaTargets:
        targets = self.targets.get((department_id, priority))
        if targets is None:
            department = self.department_names.get(department_id) if department_id is not None else None
            targets = self.targets[(department_id, priority)] = self.policies.for_ticket(department, priority)
        return targets

    def target_rows(self, department_ids: Sequence[int | None]) -> list[tuple[int, str, int | None, int | None]]:
        """(department id or -1, priority, first response, resolution) for the SQL of the stopped clocks."""
        rows = []
        for department_id in department_ids:
            for priority in PRIORITY_ORDER:
                targets = self._targets(department_id, priority.value)
                rows.append(
                    (-1 if department_id is None else department_id, priority.value,
                     targets.first_response, targets.resolution)
                )
        return rows

    def outcomes(
        self,
        department_id: int | None,
        priority: str,
        elapsed: int,
        running_since: str | None,
        first_elapsed: int | None,
        done: bool,
    ) -> tuple[int | None, int | None]:
        """(first response, resolution) outcome of one ticket."""
        targets = self._targets(department_id, priority)
        first_target, resolution_target = targets.first_response, targets.resolution
        if running_since is not None:
            # The clock runs: count business time up to now, but only when it could matter
            # (business time never runs faster than the wall clock).
            since = _epoch(running_since)
            upper = elapsed + self.now_epoch - since
            waiting = first_target if first_elapsed is None else None
            if (waiting is not None and elapsed <= waiting < upper) or (
                resolution_target is not None and elapsed <= resolution_target < upper
            ):
                elapsed += self._business_since(targets, running_since, since)
        first: int | None = None
        if first_target is not None:
            if first_elapsed is not None:
                first = _BREACHED if first_elapsed > first_target else _MET
            else:
                first = _BREACHED if elapsed > first_target else _PENDING
        resolution: int | None = None
        if resolution_target is not None:
            resolution = _BREACHED if elapsed > resolution_target else _MET if done else _PENDING
        return first, resolution

    def _business_since(self, targets: SlaTargets, since: str, moment: int) -> int:
        """Business seconds from `since` to now, for many tickets at once.

        Split at the next UTC midnight: the opening hours of that UTC day (as
        epoch spans) and the business time from its end to now are worked out
        once per day and kept, so each ticket costs a few additions.
        """
        hours = targets.hours
        if moment >= self.now_epoch:
            return 0
        day = since[:10]
        key = (id(hours), day)
        known = self.days.get(key)
        if known is None:
            day_start = _epoch(day + "T00:00:00Z")
            day_end = day_start + 86400
            if day_end >= self.now_epoch:
                return hours.business_seconds(from_text(since), self.now)
            spans = []
            utc_day = date.fromisoformat(day)
            for local_day in (utc_day - timedelta(days=1), utc_day, utc_day + timedelta(days=1)):
                # The opening of one local date, as BusinessHours itself computes it.
                opening = hours._interval(local_day)  # same package; a hot path
                if opening is not None:
                    low = max(day_start, int(opening[0].timestamp()))
                    high = min(day_end, int(opening[1].timestamp()))
                    if high > low:
                        spans.append((low, high))
            end_moment = datetime.fromtimestamp(day_end, UTC)
            known = self.days[key] = (tuple(spans), hours.business_seconds(end_moment, self.now))
        spans, rest = known
        return rest + sum(high - (low if low > moment else moment) for low, high in spans if high > moment)


_DAY_EPOCHS: dict[str, int] = {}


def _epoch(stored: str) -> int:
    """Epoch seconds of a stored time (clock.to_epoch, twice as fast: the day part is cached).

    Called for every running SLA clock of the period.
    """
    day = _DAY_EPOCHS.get(stored[:10])
    if day is None:
        day = _DAY_EPOCHS[stored[:10]] = int(datetime.fromisoformat(stored[:10]).replace(tzinfo=UTC).timestamp())
    return day + int(stored[11:13]) * 3600 + int(stored[14:16]) * 60 + int(stored[17:19])


def _meanwhile(store: Store, work: Callable[[], T]) -> Callable[[], T]:
    """Start `work` in another thread, on its own connection; call the result to wait for it.

    SQLite runs a query without holding Python's lock, so a long aggregate there
    overlaps with the ticket pass here. An in-memory store has no second
    connection to the same data: there the work is done at once.
    """
    if store.path == ":memory:":
        done = work()
        return lambda: done

    def run() -> T:
        try:
            return work()
        finally:
            store.close()  # the connection this thread opened

    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report")
    future = executor.submit(run)
    executor.shutdown(wait=False)
    return future.result


def _history(
    store: Store, period: Period, infos: list[rq.StatusInfo], keys: rq.Keys
) -> tuple[tuple[StatusCount, ...], tuple[int, ...], tuple[int, ...], int]:
    """The backlog now, new tickets per day, open tickets at the end of each day, and how many
    spam or deleted tickets the period left out.

    The backlog at the end of a day is the backlog now, minus the tickets
    created after that day, minus the reopenings after it, plus the closings
    after it (status events; see report_queries.backlog_changes). All read in
    one snapshot of the store, so they agree with each other.
    """
    days = len(period.bounds) - 1
    moments = [from_text(b) for b in period.bounds]
    # Buckets as coarse as the day boundaries allow: whole hours almost everywhere.
    if all(m.minute == 0 and m.second == 0 for m in moments):
        length, pad = 13, ":00:00Z"
    elif all(m.second == 0 for m in moments):
        length, pad = 16, ":00Z"
    else:
        length, pad = 20, ""
    with rq.snapshot(store):
        counts = queries.status_counts(store)
        created = rq.creations(store, period.start, length, keys)
        changed = rq.backlog_changes(store, period.start, length, keys)
    backlog = tuple(
        StatusCount(s.key, s.name, s.meaning, counts.get(s.key, 0))
        for s in infos
        if s.meaning in rq.OPEN_MEANINGS
    )
    new = [0] * (days + 1)  # the last slot: after the period
    changes = [0] * (days + 1)
    excluded = 0
    for bucket, count, left_out in created:
        index = min(max(period.day_index(bucket + pad), 0), days)
        new[index] += count
        changes[index] += count
        if index < days:
            excluded += left_out
    for bucket, delta in changed:
        changes[min(max(period.day_index(bucket + pad), 0), days)] += delta
    backlog_per_day = [0] * days
    later = changes[days]
    backlog_now = sum(s.count for s in backlog)
    for index in range(days - 1, -1, -1):
        backlog_per_day[index] = backlog_now - later
        later += changes[index]
    return backlog, tuple(new[:days]), tuple(backlog_per_day), excluded


def _groups(
    store: Store,
    by: str,
    tallies: dict[Any, _Tally],
    names: dict[Any, str],
    keys: rq.Keys,
) -> tuple[GroupFigures, ...]:
    open_counts = rq.open_by_group(store, by, keys)
    keys = set(tallies) | {k for k, n in open_counts.items() if n}
    figures = []
    for key in keys:
        label = key if by == "priority" or key is None else names.get(key, "?")
        figures.append((key, (tallies.get(key) or _Tally()).figures(label, open_counts.get(key, 0))))
    ranks = [p.value for p in PRIORITY_ORDER]

    def order(item: tuple[Any, GroupFigures]) -> tuple:
        key, group = item
        if by == "priority":
            return (ranks.index(key) if key in ranks else len(ranks), str(key))
        return (group.key is None, -group.new, -group.backlog, (group.key or "").casefold())

    return tuple(group for _key, group in sorted(figures, key=order))

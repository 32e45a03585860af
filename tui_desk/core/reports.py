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
  (business time, see core/sla_clock.py). First response: *met* when answered with
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

import statistics
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, tzinfo
from typing import Any, TypeVar

from ..domain.errors import InvalidInput
from ..domain.models import PRIORITY_ORDER
from ..i18n import _
from ..store import Store, queries
from ..store import report_queries as rq
from ..store.report_durations import KeysOutOfStep, tags_per_hour
from .report_compliance import Counts, SlaCounting
from .report_durations import period_seconds
from .report_model import (
    Compliance,
    Durations,
    GroupFigures,
    Report,
    StatusCount,
    TagCount,
    duration_text,
    percent_text,
    percentile,
    rounded,
)
from .report_period import DEFAULT_DAYS, MAX_DAYS, Period, parse_day, resolve_period
from .report_sla import BREACHED, MET, SlaJudge
from .sla import SlaPolicies, machine_timezone, zone_name

__all__ = [
    "DEFAULT_DAYS",
    "GROUPINGS",
    "MAX_DAYS",
    "TOP_TAGS",
    "Compliance",
    "Durations",
    "GroupFigures",
    "Period",
    "Report",
    "StatusCount",
    "TagCount",
    "build_report",
    "duration_text",
    "parse_day",
    "percent_text",
    "percentile",
    "resolve_period",
]

T = TypeVar("T")

GROUPINGS = ("agent", "department", "tag", "priority")
DAYS_READ_ONE_BY_ONE_ON_A_SERVER = 92
TOP_TAGS = 10


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

    def add_counts(self, tickets: int, first: Counts, resolution: Counts) -> None:
        """`tickets` new tickets of the period, with how many had each outcome of each target."""
        self.new += tickets
        for outcome, count in first.items():
            self.sla[(outcome, None)] = self.sla.get((outcome, None), 0) + count
        for outcome, count in resolution.items():
            self.sla[(None, outcome)] = self.sla.get((None, outcome), 0) + count

    def compliance(self, which: int) -> Compliance:
        tickets = met = breached = 0
        for outcome, count in self.sla.items():
            judged = outcome[which]
            if judged is None:
                continue
            tickets += count
            if judged == MET:
                met += count
            elif judged == BREACHED:
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
    scan: bool = False,
) -> Report:
    """Every figure of the report for the period (see the module docstring for definitions).

    Reads (store/report_queries.py), in another thread: the status counts,
    creations and status events since the period began (the backlog history),
    the SLA outcomes of stopped clocks as counts, the tag counts; here: the
    first replies and resolutions of the period (every value, for the medians:
    core/report_durations.py, day by day), the running clocks (one by one, to
    count their business time up to now), and with `by` the open tickets per group.

    The new tickets, the backlog history and the tag counts come from per-hour
    summary tables (store/report_summary.py, store/report_tag_summary.py) when
    the day bounds fall on whole hours; `scan` reads every ticket and event
    instead, and the first replies and resolutions one row per ticket (the
    reference the fast path is tested against; the summaries are also the path
    for time zones off the hour).
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
    judge = SlaJudge(policies, department_names, now)
    sla = SlaCounting(store, judge, [*department_names, None], start, end, keys, scan=scan)

    hourly = period.bucket[0] == rq.HOUR  # tag counts kept per hour

    def aggregates() -> tuple[Any, ...]:
        """The pure-SQL part: the backlog and its history, stopped SLA clocks, tags."""
        return (
            _history(store, period, infos, keys, scan=scan),
            sla.counted(by),
            sla.counted(None) if by == "tag" else None,
            rq.tag_counts(store, start, end, keys) if scan or not hourly else tags_per_hour(store, start, end),
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
    resolved_per_day = [0] * days
    found = None
    # Day by day is two reads per day; on a server each is a round trip (7,300 for ten years), so
    # a long period there reads its values in one go, as the reference does.
    if not scan and (store.dialect == "sqlite" or days <= DAYS_READ_ONE_BY_ONE_ON_A_SERVER):
        try:  # day by day, the values sorted once (core/report_durations.py)
            found = period_seconds(store, period, keys, by)
        except KeysOutOfStep:  # a group key with the separator in it (a hand-edited store)
            found = None
    if found is None:
        for moment, seconds in collect(rq.first_responses(store, start, end, keys, by), "first"):
            total.first.append(seconds)
            first_by_day[day_of(moment)].append(seconds)
        for moment, seconds in collect(rq.resolutions(store, start, end, keys, by), "resolution"):
            total.resolution.append(seconds)
            resolved_per_day[day_of(moment)] += 1
    else:
        total.first, first_by_day = found.first, found.first_per_day
        total.resolution, resolved_per_day = found.resolution, found.resolved_per_day
        for key, values in found.first_groups.items():
            tally(key).first = values
        for key, values in found.resolution_groups.items():
            tally(key).resolution = values

    # SLA outcomes (and so the new tickets of each group): the clocks SQL cannot judge one by
    # one here, the others counted in SQL (below; report_compliance.py).
    judged: dict[int, tuple[int | None, int | None]] = {}

    def judge_each(rows: list[tuple[Any, ...]]) -> None:
        for key, ticket_id, department_id, priority, elapsed, running_since, first_elapsed, done in rows:
            outcome = judged.get(ticket_id)
            if outcome is None:
                outcome = judged[ticket_id] = judge.outcomes(
                    department_id, priority, elapsed, running_since, first_elapsed, bool(done)
                )
                total.add(*outcome, 1)
            if by is not None:
                tally(key).add(*outcome, 1)

    judge_each(sla.one_by_one(by))
    history, outcomes, total_outcomes, tag_counts = background()
    judge_each(sla.without_targets(by))
    backlog, new_per_day, backlog_per_day, excluded = history
    for key, count, first_counts, resolution_counts in outcomes:
        if by is not None:
            tally(key).add_counts(count, first_counts, resolution_counts)
        if not per_ticket:
            total.add_counts(count, first_counts, resolution_counts)
    for _key, count, first_counts, resolution_counts in total_outcomes or ():
        total.add_counts(count, first_counts, resolution_counts)

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
            rounded(statistics.median(values)) if values else None for values in first_by_day
        ),
        new_tickets=total.new,
        resolved_tickets=sum(resolved_per_day),
        excluded=excluded,
        first_response=Durations.of(total.first, ordered=found is not None),
        resolution=Durations.of(total.resolution, ordered=found is not None),
        sla_first_response=total.compliance(0),
        sla_resolution=total.compliance(1),
        top_tags=tuple(TagCount(name, count) for name, count in ranked[: max(0, top_tags)]),
        groups=groups,
    )


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
    store: Store, period: Period, infos: list[rq.StatusInfo], keys: rq.Keys, *, scan: bool = False
) -> tuple[tuple[StatusCount, ...], tuple[int, ...], tuple[int, ...], int]:
    """The backlog now, new tickets per day, open tickets at the end of each day, and how many
    spam or deleted tickets the period left out.

    The backlog at the end of a day is the backlog now, minus the tickets
    created after that day, minus the reopenings after it, plus the closings
    after it (status events; see report_queries.backlog_changes). All read in
    one snapshot of the store, so they agree with each other.
    """
    days = len(period.bounds) - 1
    length, pad = period.bucket  # buckets as coarse as the day bounds allow
    with rq.snapshot(store):
        counts = queries.status_counts(store)
        if length == rq.HOUR and not scan:
            created = rq.created_per_hour(store, period.start)
            changed = rq.backlog_changes_per_hour(store, period.start, keys)
        else:
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
    figures = []
    keys_shown: set[Any] = set(tallies) | {k for k, n in open_counts.items() if n}
    for key in keys_shown:
        label = key if by == "priority" or key is None else names.get(key, "?")
        figures.append((key, (tallies.get(key) or _Tally()).figures(label, open_counts.get(key, 0))))
    ranks = [p.value for p in PRIORITY_ORDER]

    def order(item: tuple[Any, GroupFigures]) -> tuple[Any, ...]:
        key, group = item
        if by == "priority":
            return (ranks.index(key) if key in ranks else len(ranks), str(key))
        return (group.key is None, -group.new, -group.backlog, (group.key or "").casefold())

    return tuple(group for _key, group in sorted(figures, key=order))

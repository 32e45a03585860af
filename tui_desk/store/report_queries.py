"""Reads for reports (core/reports.py): aggregate queries, and small rows where a median needs them.

None of them reads one ticket at a time: each is one pass over a table (the
tickets, or the events for the backlog history). What comes back is small:
counts per hour or per group, or one or two numbers per ticket for the
durations whose median is wanted. Times are compared as stored text (UTC,
fixed width), so text order is time order.

Groups (``by``): "agent" (assignee id), "department" (department id),
"priority", "tag" (tag id; a ticket with two tags comes back once per tag,
with its id so totals count it once), or None (one group).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .db import Store
from .report_summary import EXCLUDED_MEANINGS, STATUS_EVENT_KINDS

# Meanings of a ticket in the backlog: needs attention, waiting on the customer, on hold.
OPEN_MEANINGS = ("attention", "waiting", "hold")

GROUP_COLUMNS = {"agent": "t.assignee_id", "department": "t.department_id", "priority": "t.priority"}


@dataclass(frozen=True)
class StatusInfo:
    key: str
    name: str
    meaning: str
    builtin: bool


@dataclass(frozen=True)
class Keys:
    """Status keys by what they mean, for the queries below."""

    open: tuple[str, ...]
    closed: tuple[str, ...]  # done, spam, deleted
    excluded: tuple[str, ...]  # spam, deleted
    done: tuple[str, ...]

    @classmethod
    def of(cls, infos: Sequence[StatusInfo]) -> Keys:
        return cls(
            tuple(s.key for s in infos if s.meaning in OPEN_MEANINGS),
            tuple(s.key for s in infos if s.meaning not in OPEN_MEANINGS),
            tuple(s.key for s in infos if s.meaning in EXCLUDED_MEANINGS),
            tuple(s.key for s in infos if s.meaning == "done"),
        )


def _marks(values: Sequence[object]) -> str:
    """Placeholders for an IN list; an empty list matches nothing."""
    return ", ".join("?" for _ in values) or "NULL"


def _rows(store: Store, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
    try:
        return store.conn.execute(sql, params).fetchall()
    except store._db_errors as error:  # either backend's driver
        raise store._store_error(error) from None


def _group(by: str | None) -> tuple[str, str]:
    """(SQL of the group key, join it needs)."""
    if by is None:
        return "NULL", ""
    if by == "tag":
        return "tt.tag_id", "LEFT JOIN ticket_tags tt ON tt.ticket_id = t.id"
    return GROUP_COLUMNS[by], ""


@contextmanager
def snapshot(store: Store) -> Iterator[None]:
    """Reads inside see one state of the store (a read transaction; writers are not blocked)."""
    conn = store.conn
    if conn.in_transaction:
        yield
        return
    try:
        conn.execute("BEGIN")
    except store._db_errors as error:  # either backend's driver
        raise store._store_error(error) from None
    try:
        yield
    finally:
        conn.execute("COMMIT")


def statuses(store: Store) -> list[StatusInfo]:
    rows = _rows(store, "SELECT key, name, meaning, builtin FROM statuses ORDER BY position, key")
    return [StatusInfo(key, name, meaning, bool(builtin)) for key, name, meaning, builtin in rows]


def names(store: Store, table: str) -> dict[int, str]:
    """id -> name of agents, departments or tags."""
    if table not in ("agents", "departments", "tags"):
        raise ValueError(table)
    return dict(_rows(store, f"SELECT id, name FROM {table}"))


# --------------------------------------------------------------------------- history


def creations(
    store: Store, since: str, prefix_length: int, keys: Keys
) -> list[tuple[str, int, int]]:
    """Tickets created from `since` on, per time bucket: (bucket, counted, spam or deleted now).

    A bucket is the first `prefix_length` characters of the stored time (13: the hour).
    """
    excluded = _marks(keys.excluded)
    return _rows(
        store,
        f"""SELECT substr(created_at, 1, {int(prefix_length)}) AS slot,
                   sum(CASE WHEN status NOT IN ({excluded}) THEN 1 ELSE 0 END),
                   sum(CASE WHEN status IN ({excluded}) THEN 1 ELSE 0 END)
            FROM tickets WHERE created_at >= ? GROUP BY slot""",
        [*keys.excluded, *keys.excluded, since],
    )


def backlog_changes(store: Store, since: str, prefix_length: int, keys: Keys) -> list[tuple[str, int]]:
    """How the number of open tickets changed after creation, per time bucket, from `since` on.

    Each status event adds +1 when it takes a ticket from a closed status into
    an open one and -1 the other way (a creation, the only event without a
    status before it, is counted by `creations`). Tickets that are spam or
    deleted now are left out entirely, as everywhere in reports.
    """
    if not keys.open or not keys.closed:
        return []
    opened = _marks(keys.open)
    closed = _marks(keys.closed)
    rows = _rows(
        store,
        f"""SELECT substr(e.at, 1, {int(prefix_length)}) AS slot,
                   sum(CASE WHEN e.to_value IN ({opened}) THEN 1 ELSE 0 END - CASE WHEN e.from_value IN ({opened}) THEN 1 ELSE 0 END)
            FROM events e
            WHERE e.at >= ? AND (e.from_value IN ({closed}) OR e.to_value IN ({closed}))
              AND e.kind IN ({_marks(STATUS_EVENT_KINDS)})
              AND e.ticket_id NOT IN (SELECT id FROM tickets WHERE status IN ({_marks(keys.excluded)}))
            GROUP BY slot""",
        [
            *keys.open,
            *keys.open,
            since,
            *keys.closed,
            *keys.closed,
            *STATUS_EVENT_KINDS,
            *keys.excluded,
        ],
    )
    return [(bucket, int(delta)) for bucket, delta in rows if delta]


HOUR = 13  # the stored time's first 13 characters: the hour the summary tables count by


def created_per_hour(store: Store, since: str) -> list[tuple[str, int, int]]:
    """`creations` with hourly buckets, from the summary table (store/report_summary.py)."""
    return _rows(
        store,
        """SELECT hour, sum(CASE WHEN left_out = 0 THEN n ELSE 0 END), sum(CASE WHEN left_out = 1 THEN n ELSE 0 END)
           FROM report_created WHERE hour >= ? GROUP BY hour HAVING sum(n) <> 0""",
        [since[:HOUR]],
    )


def backlog_changes_per_hour(store: Store, since: str, keys: Keys) -> list[tuple[str, int]]:
    """`backlog_changes` with hourly buckets, from the summary table (store/report_summary.py)."""
    if not keys.open or not keys.closed:
        return []
    opened = _marks(keys.open)
    closed = _marks(keys.closed)
    rows = _rows(
        store,
        f"""SELECT hour, sum(n * (CASE WHEN to_value IN ({opened}) THEN 1 ELSE 0 END
                                 - CASE WHEN from_value IN ({opened}) THEN 1 ELSE 0 END))
            FROM report_moves
            WHERE hour >= ? AND left_out = 0 AND (from_value IN ({closed}) OR to_value IN ({closed}))
            GROUP BY hour""",
        [*keys.open, *keys.open, since[:HOUR], *keys.closed, *keys.closed],
    )
    return [(bucket, int(delta)) for bucket, delta in rows if delta]


# --------------------------------------------------------------------------- the period


def _durations(
    store: Store, column: str, start: str, end: str, status_sql: str, statuses: Sequence[str], by: str | None
) -> list[tuple[str, int, object, int]]:
    key, join = _group(by)
    return _rows(
        store,
        f"""SELECT t.{column},
                   CAST(round((julianday(t.{column}) - julianday(t.created_at)) * 86400) AS INTEGER),
                   {key}, t.id
            FROM tickets t {join}
            WHERE t.{column} >= ? AND t.{column} < ? AND t.status {status_sql} ({_marks(statuses)})""",
        [start, end, *statuses],
    )


def first_responses(
    store: Store, start: str, end: str, keys: Keys, by: str | None
) -> list[tuple[str, int, object, int]]:
    """(first_response_at, wall-clock seconds since creation, group, ticket id) of the first
    replies in [start, end), tickets not spam or deleted."""
    return _durations(store, "first_response_at", start, end, "NOT IN", keys.excluded, by)


def resolutions(
    store: Store, start: str, end: str, keys: Keys, by: str | None
) -> list[tuple[str, int, object, int]]:
    """(resolved_at, wall-clock seconds since creation, group, ticket id) of tickets resolved in
    [start, end) that are still resolved (a done status)."""
    return _durations(store, "resolved_at", start, end, "IN", keys.done, by)


def durations(
    store: Store, start: str, end: str, keys: Keys, by: str | None
) -> list[tuple[Any, ...]]:
    """`first_responses` and `resolutions` in one pass over the tickets (half the reading).

    (first_response_at, its seconds, resolved_at, its seconds, group, ticket id): a
    ticket comes once (per tag with ``by="tag"``) when either counts; the moment and
    seconds of the one that does not count are None.
    """
    key, join = _group(by)
    first = f"t.first_response_at >= ? AND t.first_response_at < ? AND t.status NOT IN ({_marks(keys.excluded)})"
    resolved = f"t.resolved_at >= ? AND t.resolved_at < ? AND t.status IN ({_marks(keys.done)})"
    first_params = [start, end, *keys.excluded]
    resolved_params = [start, end, *keys.done]
    return _rows(
        store,
        f"""SELECT CASE WHEN {first} THEN t.first_response_at END,
                   CAST(round((julianday(t.first_response_at) - julianday(t.created_at)) * 86400) AS INTEGER),
                   CASE WHEN {resolved} THEN t.resolved_at END,
                   CAST(round((julianday(t.resolved_at) - julianday(t.created_at)) * 86400) AS INTEGER),
                   {key}, t.id
            FROM tickets t {join}
            WHERE ({first}) OR ({resolved})""",
        [*first_params, *resolved_params, *first_params, *resolved_params],
    )


Targets = Sequence[tuple[int, str, int | None, int | None]]
"""(department id or -1 for none, priority, first response target, resolution target) rows."""


def _target_sql(targets: Targets, which: int) -> tuple[str, list[Any]]:
    """A CASE giving each ticket its target (2: first response, 3: resolution) from `targets`.

    Per priority, the departments that share the most common target need no
    WHEN of their own, so the expression stays short whatever the number of
    departments.
    """
    by_priority: dict[str, dict[int, int | None]] = {}
    for row in targets:
        by_priority.setdefault(row[1], {})[row[0]] = row[2] if which == 2 else row[3]
    sql, params = ["CASE t.priority"], []
    for priority, per_department in by_priority.items():
        values = list(per_department.values())
        common = max(set(values), key=lambda v: (values.count(v), v is not None, v or 0))
        special = [(d, v) for d, v in per_department.items() if v != common]
        if special:
            whens = " ".join("WHEN ? THEN ?" for _ in special)
            sql.append(f"WHEN ? THEN CASE coalesce(t.department_id, -1) {whens} ELSE ? END")
            params += [priority, *[x for pair in special for x in pair], common]
        else:
            sql.append("WHEN ? THEN ?")
            params += [priority, common]
    sql.append("END")
    return " ".join(sql), params


def _known(targets: Targets) -> tuple[str, list[Any]]:
    """SQL true for the tickets `targets` has an answer for (known priority and department)."""
    priorities = sorted({row[1] for row in targets})
    departments = sorted({row[0] for row in targets})
    return (
        f"t.priority IN ({_marks(priorities)}) AND coalesce(t.department_id, -1) IN ({_marks(departments)})",
        [*priorities, *departments],
    )


def sla_outcomes(
    store: Store, start: str, end: str, keys: Keys, targets: Targets, by: str | None
) -> list[tuple[object, int | None, int | None, int]]:
    """SLA outcomes of the tickets created in [start, end) whose clock is stopped now.

    (group, first response, resolution, tickets), each outcome 0 pending, 1 met,
    2 breached, None without a target; from the stored clocks against `targets`.
    Tickets whose clock runs, or whose department and priority are not in
    `targets`, are left to `running_clocks`. With ``by="tag"`` a ticket counts
    once per tag.
    """
    if not targets:
        return []
    key, join = _group(by)
    first, first_params = _target_sql(targets, 2)
    resolution, resolution_params = _target_sql(targets, 3)
    known, known_params = _known(targets)
    return _rows(
        store,
        f"""SELECT key, CASE WHEN f IS NULL THEN NULL
                             WHEN first_elapsed IS NOT NULL THEN CASE WHEN first_elapsed > f THEN 2 ELSE 1 END
                             ELSE CASE WHEN elapsed > f THEN 2 ELSE 0 END END,
                        CASE WHEN r IS NULL THEN NULL WHEN elapsed > r THEN 2 ELSE done END,
                        count(*)
            FROM (SELECT {key} AS key, t.sla_first_elapsed AS first_elapsed, t.sla_elapsed AS elapsed,
                         CASE WHEN t.status IN ({_marks(keys.done)}) THEN 1 ELSE 0 END AS done, {first} AS f, {resolution} AS r
                  FROM tickets t {join}
                  WHERE t.created_at >= ? AND t.created_at < ? AND t.sla_running_since IS NULL
                    AND t.status NOT IN ({_marks(keys.excluded)}) AND {known}) AS s
            GROUP BY 1, 2, 3""",
        [
            *keys.done,
            *first_params,
            *resolution_params,
            start,
            end,
            *keys.excluded,
            *known_params,
        ],
    )


def running_clocks(
    store: Store, start: str, end: str, keys: Keys, targets: Targets, by: str | None
) -> list[tuple[Any, ...]]:
    """The tickets created in [start, end) that `sla_outcomes` leaves out, to judge one by one.

    (group, ticket id, department id, priority, sla_elapsed, sla_running_since,
    sla_first_elapsed, done now).
    """
    key, join = _group(by)
    known, known_params = _known(targets) if targets else ("1 = 0", [])
    return _rows(
        store,
        f"""SELECT {key}, t.id, t.department_id, t.priority, t.sla_elapsed, t.sla_running_since,
                   t.sla_first_elapsed, t.status IN ({_marks(keys.done)})
            FROM tickets t {join}
            WHERE t.created_at >= ? AND t.created_at < ?
              AND t.status NOT IN ({_marks(keys.excluded)})
              AND (t.sla_running_since IS NOT NULL OR NOT ({known}))""",
        [*keys.done, start, end, *keys.excluded, *known_params],
    )


def tag_counts(store: Store, start: str, end: str, keys: Keys) -> list[tuple[int, int]]:
    """(tag id, tickets) for tickets created in [start, end) that are not spam or deleted."""
    return _rows(
        store,
        f"""SELECT tt.tag_id, count(*) FROM ticket_tags tt JOIN tickets t ON t.id = tt.ticket_id
            WHERE t.created_at >= ? AND t.created_at < ? AND t.status NOT IN ({_marks(keys.excluded)})
            GROUP BY tt.tag_id""",
        [start, end, *keys.excluded],
    )


def open_by_group(store: Store, by: str, keys: Keys) -> dict[object, int]:
    """Tickets in an open status now, per agent id, department id, priority or tag id (None: none)."""
    key, join = _group(by)
    return dict(
        _rows(
            store,
            f"SELECT {key}, count(*) FROM tickets t {join} WHERE t.status IN ({_marks(keys.open)}) GROUP BY 1",
            list(keys.open),
        )
    )

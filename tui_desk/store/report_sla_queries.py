"""SLA compliance of a report without judging every running clock in Python (docs/issue16/report-sla.md).

`report_queries.sla_outcomes` counts the stopped clocks in SQL and leaves every
running clock (a fifth of a demo desk) to Python, which counts its business
time up to now. Most running clocks need no counting: business time from
``sla_running_since`` to now is over a target exactly when ``sla_running_since``
is before one moment, the target's *cutoff* (core/report_sla.py works it out
from the same business time the reference counts). A clock that has run
without a pause since the ticket came (``sla_elapsed`` 0) is judged by its
cutoffs alone, here, with the stopped ones (`sla_counts`); a clock that ran
before, paused and runs again is judged here when its cutoff or the upper bound
decides (`resumed_counts`), else it comes back to be judged one by one
(`resumed_clocks`).

`sla_counts` reads, per priority, a range of a narrow index (store/report_sla_schema.py,
schema migration 12) and sums packed counts instead of grouping by outcome, so
SQLite evaluates each outcome once and sorts nothing (a GROUP BY costs more than
the judging).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..domain.errors import StoreError
from .db import Store
from .report_queries import Keys, _group, _marks, _rows
from .sla_clocks import _epoch_sql

CutoffTargets = Sequence[tuple[int, str, int | None, int | None, str | None, str | None]]
"""(department id or -1, priority, first response target, resolution target, first response
cutoff, resolution cutoff) rows: a target in business seconds, a cutoff as stored time text
(never None where its target is set)."""

# Three counts packed in one integer: pending + met * SLOT + breached * SLOT**2.
SLOT_BITS = 21
SLOT = 1 << SLOT_BITS
MAX_PACKED = SLOT - 1  # tickets per group a packed count holds; more: grouped by outcome instead
PENDING_W, MET_W, BREACHED_W = 1, SLOT, SLOT * SLOT

RESUMED = "t.sla_running_since IS NOT NULL AND t.sla_elapsed > 0"  # as tickets_sla_resumed is made


def unpack(packed: int | None) -> tuple[int, int, int]:
    """(pending, met, breached) of a packed count."""
    value = int(packed or 0)
    return value % SLOT, value // SLOT % SLOT, value // (SLOT * SLOT)


UNSURE = -1  # the weight of an outcome only business time can tell: judged one by one


def _wall(target: int, now_epoch: int) -> tuple[str, list[Any]]:
    """SQL true when the clock stays within `target` even if every second since it started
    counted: the upper bound SlaJudge.outcomes checks first (it then counts nothing)."""
    return f"t.sla_elapsed + ? - {_epoch_sql('t.sla_running_since')} <= ?", [now_epoch, target]


def _first_weight(first: int | None, cutoff: str | None, now_epoch: int | None) -> tuple[str, list[Any]]:
    """The packed weight of one ticket's first response outcome (0 without a target).

    `now_epoch` None: for the tickets of `sla_counts` (stopped clocks, or ``sla_elapsed``
    0); else for the resumed clocks, UNSURE where the cutoff and the upper bound cannot tell.
    """
    if first is None:
        return "0", []
    rest_params: list[Any] = []
    if now_epoch is None:
        rest = f"ELSE {PENDING_W}"
    else:
        wall, rest_params = _wall(first, now_epoch)
        rest = f"WHEN {wall} THEN {PENDING_W} ELSE {UNSURE}"
    return (
        f"""CASE WHEN t.sla_first_elapsed IS NOT NULL THEN
                      CASE WHEN t.sla_first_elapsed > ? THEN {BREACHED_W} ELSE {MET_W} END
                 WHEN t.sla_elapsed > ? THEN {BREACHED_W}
                 WHEN t.sla_running_since < ? THEN {BREACHED_W}
                 {rest} END""",
        [first, first, cutoff, *rest_params],
    )


def _resolution_weight(
    resolution: int | None, cutoff: str | None, keys: Keys, now_epoch: int | None
) -> tuple[str, list[Any]]:
    """The packed weight of one ticket's resolution outcome (0 without a target); see `_first_weight`."""
    if resolution is None:
        return "0", []
    done = f"CASE WHEN t.status IN ({_marks(keys.done)}) THEN {MET_W} ELSE {PENDING_W} END"
    if now_epoch is None:
        rest, rest_params = f"ELSE {done}", [*keys.done]
    else:
        wall, wall_params = _wall(resolution, now_epoch)
        rest, rest_params = f"WHEN {wall} THEN {done} ELSE {UNSURE}", [*wall_params, *keys.done]
    return (
        f"""CASE WHEN t.sla_elapsed > ? THEN {BREACHED_W}
                 WHEN t.sla_running_since < ? THEN {BREACHED_W}
                 {rest} END""",
        [resolution, cutoff, *rest_params],
    )


def _weights(targets: CutoffTargets, keys: Keys, now_epoch: int) -> tuple[str, str, list[Any]]:
    """SQL of the first response and resolution weights of a resumed clock ``t``, and their
    parameters in order; a priority `targets` does not know is UNSURE."""
    first, first_params = _by_policy(targets, lambda f, r, cf, cr: _first_weight(f, cf, now_epoch), str(UNSURE))
    resolution, resolution_params = _by_policy(
        targets, lambda f, r, cf, cr: _resolution_weight(r, cr, keys, now_epoch), str(UNSURE)
    )
    return first, resolution, [*first_params, *resolution_params]


def _by_policy(targets: CutoffTargets, weight: Any, unknown: str) -> tuple[str, list[Any]]:
    """CASE over priority, then department (`_by_department`), giving `weight(row)` of the row
    of `targets` that applies; a priority `targets` does not know gives `unknown`."""
    sql: list[str] = ["CASE t.priority"]
    params: list[Any] = []
    for priority, per_department in _per_priority(targets).items():
        value_sql, value_params = _by_department(per_department, weight)
        sql.append(f"WHEN ? THEN {value_sql}")
        params += [priority, *value_params]
    sql.append(f"ELSE {unknown} END")
    return " ".join(sql), params


def _known_priority(targets: CutoffTargets) -> tuple[str, list[Any]]:
    """SQL: 0 for a ticket whose priority `targets` knows, else 1 (a CASE: cheaper than IN)."""
    priorities = sorted({row[1] for row in targets})
    whens = " ".join("WHEN ? THEN 0" for _ in priorities)
    return f"CASE t.priority {whens} ELSE 1 END", priorities


def _group_key(store: Store, by: str | None) -> tuple[str, str]:
    key, join = _group(by)
    if by is not None and store.dialect == "sqlite":
        # A bare column lets SQLite group through that column's inbox index, reading the
        # table in its order (seconds at a million tickets): "+" makes it sort instead.
        key = "+" + key
    return key, join


def sla_counts(
    store: Store, start: str, end: str, keys: Keys, targets: CutoffTargets, by: str | None
) -> list[tuple[Any, ...]]:
    """Per group, SLA outcomes of the tickets created in [start, end), not spam or deleted, with a
    priority `targets` knows, whose clock is stopped or has run without a pause since the ticket
    came (the rest: `resumed_counts`, `unknown_priority_count`):

    (group, tickets, first response (pending, met, breached), resolution (pending, met,
    breached)); a group can come more than once (once per priority). With ``by="tag"``
    a ticket counts once per tag.

    One part per priority, each a range of the index that starts with the priority: the
    targets are constants there, not a CASE per ticket.
    """
    key, join = _group_key(store, by)
    where = f"""FROM tickets t {join}
            WHERE t.priority = ? AND t.created_at >= ? AND t.created_at < ?
              AND t.status NOT IN ({_marks(keys.excluded)}) AND NOT ({RESUMED})"""
    group = "GROUP BY 1" if by is not None else ""
    parts: list[tuple[str, str, list[Any], list[Any]]] = []  # (first, resolution, their params, where params)
    for priority, per_department in _per_priority(targets).items():
        first, first_params = _by_department(per_department, lambda f, r, cf, cr: _first_weight(f, cf, None))
        resolution, resolution_params = _by_department(
            per_department, lambda f, r, cf, cr: _resolution_weight(r, cr, keys, None)
        )
        parts.append((first, resolution, [*first_params, *resolution_params], [priority, start, end, *keys.excluded]))
    try:
        rows = _rows(
            store,
            " UNION ALL ".join(f"SELECT {key}, count(*), sum({first}), sum({resolution}) {where} {group}"
                               for first, resolution, _w, _p in parts),
            [param for _f, _r, weights, at in parts for param in (*weights, *at)],
        )
    except StoreError:  # SQLite's sum() past 2**63 (millions of breaches in one group): unpacked below
        rows = [(None, MAX_PACKED + 1)]
    if all(row[1] <= MAX_PACKED for row in rows):
        return [(row[0], int(row[1]), unpack(row[2]), unpack(row[3])) for row in rows if row[1]]
    # Too many tickets in a group for the packed counts: group by weight instead (sorts every row).
    return _by_weight(
        _rows(
            store,
            " UNION ALL ".join(f"SELECT {key}, {first}, {resolution}, count(*) {where} GROUP BY 1, 2, 3"
                               for first, resolution, _w, _p in parts),
            [param for _f, _r, weights, at in parts for param in (*weights, *at)],
        )
    )


def unknown_priority_count(store: Store, start: str, end: str, keys: Keys, targets: CutoffTargets) -> int:
    """How many tickets `sla_counts` leaves out for a priority `targets` does not know.

    On SQLite, the ranges of the index between the known priorities (empty, as a rule:
    nothing read); PostgreSQL orders text by its collation, so there a NOT IN.
    """
    known = sorted(_per_priority(targets))
    where = f"""t.created_at >= ? AND t.created_at < ? AND t.status NOT IN ({_marks(keys.excluded)})
                AND NOT ({RESUMED})"""
    at = [start, end, *keys.excluded]
    if store.dialect != "sqlite" or not known:
        sql = f"SELECT count(*) FROM tickets t WHERE t.priority NOT IN ({_marks(known)}) AND {where}"
        return int(_rows(store, sql, [*known, *at])[0][0])
    ranges: list[tuple[str, list[Any]]] = [("t.priority < ?", [known[0]]), ("t.priority > ?", [known[-1]])]
    ranges += [("t.priority > ? AND t.priority < ?", [low, high]) for low, high in zip(known, known[1:], strict=False)]
    rows = _rows(
        store,
        " UNION ALL ".join(f"SELECT count(*) FROM tickets t WHERE {condition} AND {where}" for condition, _p in ranges),
        [param for _c, bounds in ranges for param in (*bounds, *at)],
    )
    return sum(int(row[0]) for row in rows)


def _per_priority(targets: CutoffTargets) -> dict[str, dict[int, tuple[Any, ...]]]:
    """priority -> department id (-1: none) -> (first, resolution, first cutoff, resolution cutoff)."""
    found: dict[str, dict[int, tuple[Any, ...]]] = {}
    for row in targets:
        found.setdefault(row[1], {})[row[0]] = tuple(row[2:])
    return found


def _by_department(per_department: dict[int, tuple[Any, ...]], weight: Any) -> tuple[str, list[Any]]:
    """`weight(row)` of the department's row: a CASE only for the departments whose row is not
    that of "no department" (which a department `targets` does not know gets too, as SlaJudge
    gives it)."""
    common = per_department[-1]
    common_sql, common_params = weight(*common)
    special = [(d, v) for d, v in per_department.items() if v != common]
    if not special:
        return common_sql, common_params
    sql, params = ["CASE coalesce(t.department_id, -1)"], []
    for department, value in special:
        value_sql, value_params = weight(*value)
        sql.append(f"WHEN ? THEN {value_sql}")
        params += [department, *value_params]
    sql.append(f"ELSE {common_sql} END")
    return " ".join(sql), [*params, *common_params]


def _by_weight(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """`sla_counts` rows from (group, first response weight, resolution weight, tickets) rows."""
    found: dict[Any, tuple[list[int], list[int], list[int]]] = {}
    slot = {PENDING_W: 0, MET_W: 1, BREACHED_W: 2}
    for group, first_weight, resolution_weight, count in rows:
        tickets, firsts, resolutions = found.setdefault(group, ([0], [0, 0, 0], [0, 0, 0]))
        tickets[0] += count
        for counts, weight in ((firsts, first_weight), (resolutions, resolution_weight)):
            if weight:  # 0 or None: no target
                counts[slot[int(weight)]] += count
    return [(group, t[0], tuple(f), tuple(r)) for group, (t, f, r) in found.items() if t[0]]


def resumed_counts(
    store: Store, start: str, end: str, keys: Keys, targets: CutoffTargets, by: str | None, now_epoch: int
) -> list[tuple[Any, ...]]:
    """`sla_counts` of the running clocks it leaves out (those that ran, paused and run again),
    but only the ones the cutoffs or the upper bound decide; the rest: `resumed_clocks`."""
    key, join = _group(by)
    first, resolution, params = _weights(targets, keys, now_epoch)
    return _by_weight(  # a few per cent of the tickets: grouping them costs little
        _rows(
            store,
            f"""SELECT key, f, r, count(*)
                FROM (SELECT {key} AS key, {first} AS f, {resolution} AS r
                      FROM tickets t {join}
                      WHERE {RESUMED} AND t.created_at >= ? AND t.created_at < ?
                        AND t.status NOT IN ({_marks(keys.excluded)})) AS s
                WHERE f <> {UNSURE} AND r <> {UNSURE}
                GROUP BY 1, 2, 3""",
            [*params, start, end, *keys.excluded],
        )
    )


def resumed_clocks(
    store: Store, start: str, end: str, keys: Keys, targets: CutoffTargets, by: str | None, now_epoch: int
) -> list[tuple[Any, ...]]:
    """The running clocks `sla_counts` and `resumed_counts` leave out, to judge one by one:
    the rows of `report_queries.running_clocks`."""
    key, join = _group(by)
    first, resolution, params = _weights(targets, keys, now_epoch)
    return _rows(
        store,
        f"""SELECT key, id, department_id, priority, sla_elapsed, sla_running_since, sla_first_elapsed, done
            FROM (SELECT {key} AS key, t.id, t.department_id, t.priority, t.sla_elapsed, t.sla_running_since,
                         t.sla_first_elapsed, t.status IN ({_marks(keys.done)}) AS done,
                         {first} AS f, {resolution} AS r
                  FROM tickets t {join}
                  WHERE {RESUMED} AND t.created_at >= ? AND t.created_at < ?
                    AND t.status NOT IN ({_marks(keys.excluded)})) AS s
            WHERE f = {UNSURE} OR r = {UNSURE}""",
        [*keys.done, *params, start, end, *keys.excluded],
    )


def unknown_priorities(
    store: Store, start: str, end: str, keys: Keys, targets: CutoffTargets, by: str | None
) -> list[tuple[Any, ...]]:
    """The tickets `sla_counts` counted without a known priority (a rare case: it says how
    many), as rows of `report_queries.running_clocks`."""
    key, join = _group(by)
    known, known_params = _known_priority(targets)
    return _rows(
        store,
        f"""SELECT {key}, t.id, t.department_id, t.priority, t.sla_elapsed, t.sla_running_since,
                   t.sla_first_elapsed, t.status IN ({_marks(keys.done)})
            FROM tickets t {join}
            WHERE t.created_at >= ? AND t.created_at < ? AND t.status NOT IN ({_marks(keys.excluded)})
              AND NOT ({RESUMED}) AND {known} = 1""",
        [*keys.done, start, end, *keys.excluded, *known_params],
    )

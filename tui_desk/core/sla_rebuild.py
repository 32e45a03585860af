"""Keeping the stored SLA clocks up to the policies: replayed from the timeline when they change.

A ticket's clock is advanced with every change (core/changes.py). When the
policies change (``sla set``, a new config file), the clocks were counted under
the old ones: ``ensure_sla_current`` notices it from fingerprints stored with
the clocks and brings every clock up to date, cheaply when only targets changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..domain.models import Meaning, Priority
from ..store import Connection, sla_clocks
from ..store.db import data_version
from ..store.sla_clocks import SLA_COLUMNS
from . import sla_tracking
from .changes import STATUS_EVENT_KINDS, TicketChanges
from .sla import SlaTargets, to_config, zone_name

# Ticket id -> (replayed SLA columns, stored SLA columns, version), as SLA_COLUMNS orders them.
Replayed = dict[int, tuple[list[Any], list[Any], int]]


class SlaRebuild(TicketChanges):
    """Fingerprints of the policies the clocks were counted with, and the replay of the clocks."""

    def sla_fingerprint(self) -> str:
        """Identifies the SLA policies the stored clocks were computed with."""
        text = json.dumps(to_config(self.sla), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def sla_hours_fingerprint(self) -> str:
        """Identifies the business hours the stored clocks were counted in, per department and priority."""

        def described(department: str | None, priority: str | None) -> list[Any]:
            hours = self.sla.for_ticket(department, priority).hours
            # The machine's zone is "local", as sla_fingerprint leaves it out: processes
            # started with another $TZ (cron, the app) must not replay every clock in turn.
            zone = "local" if hours.timezone is self.sla.local_timezone else zone_name(hours.timezone)
            return [
                sorted(hours.days),
                hours.start.isoformat(),
                hours.end.isoformat(),
                zone,
                sorted(d.isoformat() for d in hours.holidays),
            ]

        # Every priority's hours, then only the departments whose hours differ from them:
        # a department policy that sets targets only leaves this unchanged.
        priorities = [p.value for p in Priority]
        items: list[Any] = [[None, p, *described(None, p)] for p in priorities]
        for department in sorted({r.department.strip().casefold() for r in self.sla.rules if r.department}):
            for p in priorities:
                if described(department, p) != items[priorities.index(p)][2:]:
                    items.append([department, p, *described(department, p)])
        return hashlib.sha256(json.dumps(items).encode()).hexdigest()[:16]

    def ensure_sla_current(self) -> int:
        """Bring every SLA clock up to the policies if they changed since; returns how many were redone.

        When only targets changed (the business hours of every department and
        priority are the same), the clocks stand and only the due times of the
        running ones are recomputed; otherwise every clock is replayed.
        """
        stored = sla_clocks.fingerprints(self.store.conn)
        fingerprint, hours = self.sla_fingerprint(), self.sla_hours_fingerprint()
        if stored.get("sla_fingerprint") == fingerprint and stored.get("sla_hours_fingerprint") == hours:
            return 0
        if stored.get("sla_hours_fingerprint") == hours and stored.get("sla_fingerprint") not in (None, "stale"):
            return self._refresh_sla_due()
        return self.rebuild_sla()

    def _refresh_sla_due(self) -> int:
        """After a change of targets only: the due times of the running clocks, under the write lock."""
        with self.store.transaction() as conn:
            departments = sla_clocks.department_names(conn)
            rows = sla_clocks.running_clocks(conn)
            updates = []
            used_up: list[int] = []  # targets already used up: their due time is in the timeline
            for ticket_id, department_id, priority, elapsed, running_since, first_elapsed, due in rows:
                targets = self.sla.for_ticket(departments.get(department_id), priority)
                target = targets.first_response if first_elapsed is None else targets.resolution
                if target is not None and (elapsed or 0) >= target:
                    used_up.append(ticket_id)
                    continue
                columns = sla_tracking.columns_from_epochs(elapsed or 0, running_since, first_elapsed, targets)
                if columns["sla_due"] != due:
                    updates.append([columns["sla_due"], columns["sla_key"], ticket_id])
            if used_up:
                replayed = self._replay_sla(conn, self.clock(), ids=used_up)
                for ticket_id, (values, stored, _version) in replayed.items():
                    if values[-2:] != stored[-2:]:
                        updates.append([*values[-2:], ticket_id])
            sla_clocks.write_due(conn, updates)
            self._store_sla_fingerprints(conn)
        return len(rows)

    def _store_sla_fingerprints(self, conn: Connection) -> None:
        sla_clocks.store_fingerprints(conn, self.sla_fingerprint(), self.sla_hours_fingerprint())

    def rebuild_sla(self, after_id: int = 0, chunk: int | None = None) -> int:
        """Replay SLA clocks from the timeline, for every ticket or those with id > after_id.

        Used after a policy change or a bulk fill. Derived columns only: no
        ticket version or event changes, since nothing about the ticket changed.
        Returns how many tickets were replayed.

        The replay reads a snapshot (other agents keep working meanwhile) and
        then writes, under the write lock, only the rows that differ; a ticket
        changed after the snapshot is replayed again under the lock, so no
        concurrent change is overwritten with a stale clock.

        ``chunk``: replay that many ticket ids at a time, each range in a transaction of its
        own: the replay holds every chosen ticket's clock, a GB for a million tickets.
        """
        now = self.clock()
        self.statuses(reload=True)  # custom statuses another process added count too
        # Every ticket row and its timeline is read and many rows are written.
        with self.store.large_cache():
            if chunk is None:
                return self._rebuild_sla(after_id, now)
            highest = sla_clocks.highest_ticket_id(self.store.conn)
            replayed = 0
            for low in range(after_id, highest, max(1, chunk)):
                replayed += self._rebuild_sla(low, now, up_to=min(low + chunk, highest))
            if after_id == 0:
                with self.store.transaction() as conn:
                    self._store_sla_fingerprints(conn)
            return replayed

    def _rebuild_sla(self, after_id: int, now: datetime, up_to: int | None = None) -> int:
        with self.store.read_snapshot() as conn:  # tickets and their timelines as of one moment
            if up_to is None:
                replayed = self._replay_sla(conn, now, after_id=after_id)
            else:
                replayed = self._replay_sla(conn, now, after_id=after_id, up_to=up_to)
            seen = data_version(conn)
        with self.store.transaction() as conn:
            if data_version(conn) == seen:  # nobody else wrote meanwhile
                current = {ticket_id: version for ticket_id, (_v, _s, version) in replayed.items()}
                moved = []
            else:
                current = sla_clocks.versions_after(conn, after_id, up_to)
                moved = [i for i, version in current.items() if i not in replayed or replayed[i][2] != version]
            if moved:  # changed or created since the snapshot: replay those again, now under the lock
                replayed.update(self._replay_sla(conn, now, ids=moved))
            updates: list[list[Any]] = []
            unindexed: list[list[Any]] = []  # sla_key (in the tickets_sla index) unchanged: a cheaper update
            for ticket_id, (values, stored, _version) in replayed.items():
                if ticket_id in current and values != stored:  # rows already right are left alone
                    if values[-1] == stored[-1]:
                        unindexed.append([*values[:-1], ticket_id])
                    else:
                        updates.append([*values, ticket_id])
            sla_clocks.write_clocks(conn, updates)
            sla_clocks.write_clocks(conn, unindexed, with_key=False)
            if after_id == 0 and up_to is None:
                self._store_sla_fingerprints(conn)
        return len(current)

    def _replay_sla(
        self,
        conn: Connection,
        now: datetime,
        *,
        after_id: int | None = None,
        ids: Sequence[int] | None = None,
        up_to: int | None = None,
    ) -> Replayed:
        """The SLA columns replayed for the tickets with an id above ``after_id``, or those of ``ids``."""
        kinds = sorted(STATUS_EVENT_KINDS)
        history: dict[int, list[tuple[int, str]]] = {}
        for ticket_id, at, status in sla_clocks.status_histories(conn, kinds, after_id=after_id, ids=ids, up_to=up_to):
            changes = history.get(ticket_id)
            if changes is None:
                history[ticket_id] = [(at, status)]
            else:
                changes.append((at, status))
        departments = sla_clocks.department_names(conn)
        rows = sla_clocks.clock_rows(conn, after_id=after_id, ids=ids, up_to=up_to)
        rebuilt = sla_tracking.rebuilt_from_epochs
        paused = frozenset(key for key, d in self.statuses().items() if d.meaning is not Meaning.ATTENTION)
        now_epoch = int(now.timestamp() // 1)
        targets: dict[tuple[int | None, str], SlaTargets] = {}
        no_history: tuple[tuple[int, str], ...] = ()
        result = {}
        for ticket_id, version, department_id, priority, first_response_at, *stored in rows:
            key = (department_id, priority)
            found = targets.get(key)
            if found is None:
                found = targets[key] = self.sla.for_ticket(departments.get(department_id), priority)
            columns = rebuilt(history.get(ticket_id, no_history), paused, first_response_at, found, now_epoch)
            result[ticket_id] = ([columns[c] for c in SLA_COLUMNS], stored, version)
        return result


__all__ = ["SlaRebuild"]

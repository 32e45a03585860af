"""Indexes for reports' SLA compliance (store/report_sla_queries.py, docs/issue16/report-sla.md).

Schema migration 12 (SQLite), 8 (PostgreSQL). Every column the SLA counts read:
`sla_counts` reads, per priority, the range of the period in `tickets_report_sla`
(a narrow entry per ticket instead of the ticket row, and the priority's targets
as constants), and `resumed_clocks` reads only the resumed clocks (a few per cent
of the tickets) in `tickets_sla_resumed`.
"""

from __future__ import annotations

_REST = "status, department_id, assignee_id, sla_elapsed, sla_first_elapsed, sla_running_since"
INDEXES = (
    f"CREATE INDEX tickets_report_sla ON tickets(priority, created_at, {_REST})",
    f"CREATE INDEX tickets_sla_resumed ON tickets(created_at, priority, {_REST})"
    " WHERE sla_running_since IS NOT NULL AND sla_elapsed > 0",
)

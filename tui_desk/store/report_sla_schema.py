"""Indexes for reports' SLA compliance (store/report_sla_queries.py, docs/issue16/report-sla.md).

Schema migration 11 (SQLite), 7 (PostgreSQL). Every column the SLA counts read,
the period's column first: `sla_counts` reads a narrow index entry per ticket of
the period instead of the ticket row, and `resumed_clocks` reads only the
resumed clocks (a few per cent of the tickets).
"""

from __future__ import annotations

_SLA_COLUMNS = (
    "created_at, status, priority, department_id, assignee_id, sla_elapsed, sla_first_elapsed, sla_running_since"
)
INDEXES = (
    f"CREATE INDEX tickets_report_sla ON tickets({_SLA_COLUMNS})",
    f"CREATE INDEX tickets_sla_resumed ON tickets({_SLA_COLUMNS})"
    " WHERE sla_running_since IS NOT NULL AND sla_elapsed > 0",
)

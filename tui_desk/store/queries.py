"""Reads: inbox pages in inbox order, one ticket with its thread and timeline, counts.

Every inbox page is read from an index whose order is the inbox order
(bucket, priority_rank, sort_key, id), so the first page and a deep page
cost about the same at any store size.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from ..domain.errors import NotFound
from ..domain.models import Attachment, Event, InboxRow, Message, Ticket
from ..i18n import _
from .db import Store
from .pg_schema import search_query
from .search_hits import search_hits

# Orders of the inbox, each backed by an index that starts with bucket:
# "inbox" (priority, then longest waiting) and "sla" (nearest SLA due first).
ORDER_COLUMNS = {
    "inbox": ("bucket", "priority_rank", "sort_key", "id"),
    "sla": ("bucket", "sla_key", "priority_rank", "sort_key", "id"),
}


def _order(flt: InboxFilter, within_bucket: bool = False) -> str:
    columns = ORDER_COLUMNS.get(flt.order, ORDER_COLUMNS["inbox"])
    if within_bucket:
        columns = columns[1:]
    return ", ".join(f"t.{c}" for c in columns)

# Counting a view or a status stops here: beyond, the app says "10,000+" (the cost of a count
# grows with what it counts; this many index entries take well under a frame).
COUNT_CAP = 10_000
# Finding the selected ticket's place in a view counts the rows before it: no further than this.
POSITION_CAP = 100_000

# Views of the inbox: which buckets or statuses they show.
VIEW_ATTENTION = "attention"
VIEW_ALL = "all"


@dataclass(frozen=True)
class InboxFilter:
    """What the inbox shows. `statuses` empty means the live tickets (not spam, not deleted)."""

    view: str = VIEW_ALL  # "attention", "all", or "status" (then `statuses` applies)
    statuses: tuple[str, ...] = ()
    assignee: str | None = None  # agent name, or "-" for unassigned
    department: str | None = None
    tag: str | None = None
    priority: str | None = None  # a Priority value
    search: str | None = None
    order: str = "inbox"  # or "sla"

    def with_(self, **changes: object) -> InboxFilter:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass
class _Sql:
    where: list[str] = field(default_factory=list)
    params: list[object] = field(default_factory=list)


_FTS_TOKEN = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str | None:
    """A safe FTS5 query from what the user typed: every word must match, the last as a prefix."""
    words = _FTS_TOKEN.findall(text)
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def _filter_sql(flt: InboxFilter, store: Store) -> _Sql:
    sql = _Sql()
    dialect = store.dialect
    if flt.statuses:
        sql.where.append(f"t.status IN ({', '.join('?' for _ in flt.statuses)})")
        sql.params.extend(flt.statuses)
    elif flt.view == VIEW_ATTENTION:
        sql.where.append("t.bucket = 0")
    else:
        sql.where.append("t.bucket < 2")
    if flt.assignee:
        if flt.assignee == "-":
            sql.where.append("t.assignee_id IS NULL")
        else:
            sql.where.append("t.assignee_id = (SELECT id FROM agents WHERE name = ?)")
            sql.params.append(flt.assignee)
    if flt.department:
        sql.where.append("t.department_id = (SELECT id FROM departments WHERE name = ?)")
        sql.params.append(flt.department)
    if flt.priority:
        sql.where.append("t.priority = ?")
        sql.params.append(flt.priority)
    if flt.tag:
        sql.where.append(
            "t.id IN (SELECT tt.ticket_id FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id WHERE g.name = ?)"
        )
        sql.params.append(flt.tag)
    if flt.search:
        # An FTS5 query on SQLite; on PostgreSQL a tsquery over the GIN indexes on
        # search_words(...) (pg_schema), the words FTS5 would find.
        query = search_query(flt.search) if dialect == "postgresql" else fts_query(flt.search)
        if query is None:
            sql.where.append("1 = 0")
        else:
            # The tickets of the newest matches, not of all (store/search_hits.py).
            sql.where.append("t.id IN (SELECT value FROM json_each(?))")
            sql.params.append(search_hits(store, query).ids)
    return sql


_ROW_COLUMNS = """t.id, t.subject, t.status, t.priority, c.email AS customer_email,
    c.name AS customer_name, a.name AS assignee, d.name AS department, t.waiting_since,
    t.updated_at, t.bucket, t.version, t.sla_elapsed, t.sla_running_since, t.sla_first_elapsed, t.sla_due"""

_ROW_JOINS = """JOIN customers c ON c.id = t.customer_id
    LEFT JOIN agents a ON a.id = t.assignee_id
    LEFT JOIN departments d ON d.id = t.department_id"""


def _inbox_row(r: dict[str, Any]) -> InboxRow:
    return InboxRow(
        id=r["id"],
        subject=r["subject"],
        status=r["status"],
        priority=r["priority"],
        customer_email=r["customer_email"],
        customer_name=r["customer_name"],
        assignee=r["assignee"],
        department=r["department"],
        waiting_since=r["waiting_since"],
        updated_at=r["updated_at"],
        needs_attention=r["bucket"] == 0,
        version=r["version"],
        sla_elapsed=r["sla_elapsed"],
        sla_running_since=r["sla_running_since"],
        sla_first_elapsed=r["sla_first_elapsed"],
        sla_due=r["sla_due"],
    )


def inbox_page(store: Store, flt: InboxFilter, offset: int = 0, limit: int = 50) -> list[InboxRow]:
    """One page of the inbox in inbox order.

    The page's ids come from the ordering index alone (a covering scan), and
    only those few rows are then joined to customers and agents.
    """
    sql = _filter_sql(flt, store)
    where = " AND ".join(sql.where) or "1 = 1"
    # One status means one bucket: leave the constant bucket out of the order so that
    # tickets_status_inbox (status, priority_rank, sort_key, id) gives the order without a sort.
    page_order = _order(flt, within_bucket=len(flt.statuses) == 1 and flt.order == "inbox")
    rows = store.query(
        f"""WITH page AS (
                SELECT t.id FROM tickets t WHERE {where}
                ORDER BY {page_order} LIMIT ? OFFSET ?
            )
            SELECT {_ROW_COLUMNS} FROM page JOIN tickets t ON t.id = page.id {_ROW_JOINS}
            ORDER BY {_order(flt)}""",
        [*sql.params, max(0, limit), max(0, offset)],
    )
    return [_inbox_row(r) for r in rows]


def inbox_ids(store: Store, flt: InboxFilter, limit: int) -> list[int]:
    """The ids of the first `limit` tickets of a view, in inbox order (marking a whole view)."""
    sql = _filter_sql(flt, store)
    where = " AND ".join(sql.where) or "1 = 1"
    rows = store.conn.execute(
        f"SELECT t.id FROM tickets t WHERE {where} ORDER BY {_order(flt)} LIMIT ?", [*sql.params, max(0, limit)]
    )
    return [row[0] for row in rows]


def inbox_count(store: Store, flt: InboxFilter) -> int:
    sql = _filter_sql(flt, store)
    return int(store.scalar(f"SELECT count(*) FROM tickets t WHERE {' AND '.join(sql.where) or '1 = 1'}", sql.params))


@dataclass(frozen=True)
class Total:
    """How many tickets a view shows: `count`, or at least `count` when `capped` (counting
    stopped at the cap: there are more rows to scroll to) or `more_matches` (a search found
    more than the newest matches it shows, store/search_hits.py)."""

    count: int
    capped: bool = False
    more_matches: bool = False

    @property
    def at_least(self) -> bool:
        return self.capped or self.more_matches


def _count_upto(store: Store, where: str, params: list[object], cap: int) -> int:
    """count(*) that stops at cap + 1: the cost of counting is bounded by the cap, not the store."""
    return int(
        store.scalar(f"SELECT count(*) FROM (SELECT 1 FROM tickets t WHERE {where} LIMIT ?) AS counted", [*params, cap + 1])
    )


def inbox_total(store: Store, flt: InboxFilter, cap: int | None = None) -> Total:
    """The number of tickets a view shows, counting no further than `cap` (COUNT_CAP)."""
    cap = COUNT_CAP if cap is None else cap
    sql = _filter_sql(flt, store)
    found = _count_upto(store, " AND ".join(sql.where) or "1 = 1", sql.params, cap)
    query = None
    if flt.search:
        query = fts_query(flt.search) if store.dialect == "sqlite" else search_query(flt.search)
    more = query is not None and search_hits(store, query).more
    return Total(min(found, cap), found > cap, more)


def inbox_position(store: Store, flt: InboxFilter, ticket_id: int) -> int | None:
    """Where a ticket sits in the inbox (0-based), to keep the selection across refreshes."""
    sql = _filter_sql(flt, store)
    columns = ORDER_COLUMNS.get(flt.order, ORDER_COLUMNS["inbox"])
    key = store.query_one(f"SELECT {', '.join(columns)} FROM tickets WHERE id = ?", [ticket_id])
    if key is None:
        return None
    where = " AND ".join(sql.where) or "1 = 1"
    inside = store.scalar(f"SELECT count(*) FROM tickets t WHERE t.id = ? AND {where}", [ticket_id, *sql.params])
    if not inside:
        return None
    before = _count_upto(
        store,
        f"{where} AND ({', '.join(f't.{c}' for c in columns)}) < ({', '.join('?' for _ in columns)})",
        [*sql.params, *(key[c] for c in columns)],
        POSITION_CAP,
    )
    return None if before > POSITION_CAP else before  # too deep to find within a frame: start at the top


def get_ticket(store: Store, ticket_id: int) -> Ticket:
    row = store.query_one(
        f"""SELECT t.*, c.email AS customer_email, c.name AS customer_name,
                a.name AS assignee, d.name AS department
            FROM tickets t {_ROW_JOINS} WHERE t.id = ?""",
        [ticket_id],
    )
    if row is None:
        raise NotFound(_("No ticket #{id}").format(id=ticket_id))
    tags = tuple(
        r["name"]
        for r in store.query(
            "SELECT g.name FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.ticket_id = ? ORDER BY g.name",
            [ticket_id],
        )
    )
    return Ticket(
        id=row["id"],
        subject=row["subject"],
        status=row["status"],
        priority=row["priority"],
        customer_id=row["customer_id"],
        customer_email=row["customer_email"],
        customer_name=row["customer_name"],
        assignee=row["assignee"],
        department=row["department"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        waiting_since=row["waiting_since"],
        postponed_until=row["postponed_until"],
        previous_status=row["previous_status"],
        postponed_from=row["postponed_from"],
        first_response_at=row["first_response_at"],
        resolved_at=row["resolved_at"],
        last_customer_message_at=row["last_customer_message_at"],
        message_count=row["message_count"],
        version=row["version"],
        tags=tags,
        sla_elapsed=row["sla_elapsed"],
        sla_running_since=row["sla_running_since"],
        sla_first_elapsed=row["sla_first_elapsed"],
        sla_due=row["sla_due"],
        deleted_at=row["deleted_at"],
        merged_into=row["merged_into"],
    )


def ticket_messages(store: Store, ticket_id: int, limit: int | None = None) -> list[Message]:
    """The thread in order; with `limit`, the latest `limit` messages (long threads)."""
    if limit is None:
        rows = store.query("SELECT * FROM messages WHERE ticket_id = ? ORDER BY id", [ticket_id])
    else:
        rows = store.query(
            # The alias: PostgreSQL before 16 refuses a subquery in FROM without one.
            "SELECT * FROM (SELECT * FROM messages WHERE ticket_id = ? ORDER BY id DESC LIMIT ?) AS latest ORDER BY id",
            [ticket_id, limit],
        )
    attachments: dict[int, list[Attachment]] = {}
    if rows:
        ids = [r["id"] for r in rows]
        for a in store.query(
            f"SELECT id, message_id, filename, content_type, size FROM attachments"
            f" WHERE message_id IN ({', '.join('?' for _ in ids)}) ORDER BY id",
            ids,
        ):
            attachments.setdefault(a["message_id"], []).append(Attachment(**a))
    return [
        Message(
            id=r["id"],
            ticket_id=r["ticket_id"],
            kind=r["kind"],
            author=r["author"],
            body=r["body"],
            created_at=r["created_at"],
            message_id=r["message_id"],
            in_reply_to=r["in_reply_to"],
            references=r["references_"],
            attachments=tuple(attachments.get(r["id"], ())),
            cc=_addresses(r.get("cc")),
            reply_to=r.get("reply_to"),
        )
        for r in rows
    ]


def _addresses(stored: str | None) -> tuple[str, ...]:
    """A JSON array of addresses as the store keeps it; anything else reads as none."""
    try:
        found = json.loads(stored) if stored else []
    except ValueError:
        return ()
    return tuple(a for a in found if isinstance(a, str)) if isinstance(found, list) else ()


def ticket_events(store: Store, ticket_id: int) -> list[Event]:
    return [
        Event(**r)
        for r in store.query(
            "SELECT id, ticket_id, at, actor, kind, from_value, to_value, detail FROM events"
            " WHERE ticket_id = ? ORDER BY id",
            [ticket_id],
        )
    ]


def status_counts_upto(store: Store, cap: int | None = None) -> dict[str, int]:
    """Tickets per status, each counted no further than cap + 1 (COUNT_CAP; more than `cap`
    means at least that). One bounded range of the status index per status, so the top line
    costs the same at any size of the store.
    """
    cap = COUNT_CAP if cap is None else cap
    keys = [r["key"] for r in store.query("SELECT key FROM statuses ORDER BY position, key")]
    return {key: _count_upto(store, "t.status = ?", [key], cap) for key in keys}


def status_counts(store: Store) -> dict[str, int]:
    """Tickets per status (every status, zero included), from the status index."""
    counts = {r["key"]: 0 for r in store.query("SELECT key FROM statuses ORDER BY position, key")}
    for r in store.query("SELECT status, count(*) AS n FROM tickets GROUP BY status"):
        counts[r["status"]] = r["n"]
    return counts


def agent_names(store: Store) -> list[str]:
    return [r["name"] for r in store.query("SELECT name FROM agents WHERE active <> 0 ORDER BY name")]


def department_names(store: Store) -> list[str]:
    return [r["name"] for r in store.query("SELECT name FROM departments ORDER BY name")]


def tag_names(store: Store) -> list[str]:
    return [r["name"] for r in store.query("SELECT name FROM tags ORDER BY name")]


def change_marker(store: Store) -> tuple[int, int, int]:
    """Cheap fingerprint of the store's content: it changes whenever any ticket does."""
    row = store.query_one(
        "SELECT (SELECT max(id) FROM events) AS e, (SELECT count(*) FROM purged) AS p,"
        " (SELECT max(id) FROM messages) AS m"
    )
    assert row is not None
    return (row["e"] or 0, row["p"] or 0, row["m"] or 0)


# -- time rules (core/rules.py): candidates, each read from an index ---------------------------
def answered_before(store: Store, cutoff: str) -> list[tuple[int, int]]:
    """(id, version) of Answered tickets whose last message (reply or customer's) is at or before cutoff.

    Notes do not set last_message_at. Reads the tickets_answered index (status, last_message_at).
    """
    return [
        (r["id"], r["version"])
        for r in store.query(
            "SELECT id, version FROM tickets WHERE status = 'answered' AND last_message_at <= ?"
            " ORDER BY last_message_at, id",
            [cutoff],
        )
    ]


def deleted_before(store: Store, cutoff: str) -> list[tuple[int, int]]:
    """(id, version) of Deleted tickets deleted at or before cutoff (the tickets_deleted index)."""
    return [
        (r["id"], r["version"])
        for r in store.query(
            "SELECT id, version FROM tickets WHERE deleted_at IS NOT NULL AND deleted_at <= ?"
            " AND status = 'deleted' ORDER BY deleted_at, id",
            [cutoff],
        )
    ]

"""Schema migrations, applied forward in order; `PRAGMA user_version` is the index."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .addressing import recipients
from .default_templates import seed_defaults
from .report_sla_schema import INDEXES as report_sla_indexes
from .report_summary import sqlite_statements as report_summary_statements
from .report_tag_summary import sqlite_statements as report_tag_statements
from .routing import ROUTING_TABLES

if TYPE_CHECKING:
    import sqlite_utils

_FTS_TOKENIZER = "unicode61 remove_diacritics 2"

_V1_STATEMENTS = [
    """CREATE TABLE customers (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        name TEXT,
        phone TEXT,
        company TEXT,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE agents (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        full_name TEXT,
        email TEXT,
        active INTEGER NOT NULL DEFAULT 1
    )""",
    """CREATE TABLE departments (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE
    )""",
    """CREATE TABLE statuses (
        key TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        meaning TEXT NOT NULL,
        builtin INTEGER NOT NULL DEFAULT 0,
        position INTEGER NOT NULL DEFAULT 100
    )""",
    """CREATE TABLE tickets (
        id INTEGER PRIMARY KEY,
        subject TEXT NOT NULL,
        customer_id INTEGER NOT NULL REFERENCES customers(id),
        status TEXT NOT NULL REFERENCES statuses(key),
        previous_status TEXT,
        postponed_from TEXT,
        postponed_until TEXT,
        priority TEXT NOT NULL,
        priority_rank INTEGER NOT NULL,
        assignee_id INTEGER REFERENCES agents(id),
        department_id INTEGER REFERENCES departments(id),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        waiting_since TEXT,
        first_response_at TEXT,
        resolved_at TEXT,
        last_customer_message_at TEXT,
        last_agent_reply_at TEXT,
        last_message_at TEXT,
        message_count INTEGER NOT NULL DEFAULT 0,
        bucket INTEGER NOT NULL,
        sort_key INTEGER NOT NULL,
        version INTEGER NOT NULL DEFAULT 1
    )""",
    # Inbox order is (bucket, priority_rank, sort_key, id); every view has an index on it.
    "CREATE INDEX tickets_inbox ON tickets(bucket, priority_rank, sort_key, id)",
    "CREATE INDEX tickets_status_inbox ON tickets(status, priority_rank, sort_key, id)",
    "CREATE INDEX tickets_assignee_inbox ON tickets(assignee_id, bucket, priority_rank, sort_key, id)",
    "CREATE INDEX tickets_department_inbox ON tickets(department_id, bucket, priority_rank, sort_key, id)",
    "CREATE INDEX tickets_customer ON tickets(customer_id)",
    "CREATE INDEX tickets_postponed ON tickets(postponed_until) WHERE postponed_until IS NOT NULL",
    """CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        author TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        message_id TEXT,
        in_reply_to TEXT,
        references_ TEXT,
        content_hash TEXT
    )""",
    "CREATE INDEX messages_ticket ON messages(ticket_id, id)",
    "CREATE UNIQUE INDEX messages_message_id ON messages(message_id) WHERE message_id IS NOT NULL",
    "CREATE INDEX messages_content_hash ON messages(content_hash) WHERE content_hash IS NOT NULL",
    """CREATE TABLE attachments (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        filename TEXT NOT NULL,
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        data BLOB
    )""",
    "CREATE INDEX attachments_message ON attachments(message_id)",
    """CREATE TABLE tags (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE
    )""",
    """CREATE TABLE ticket_tags (
        ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
        tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
        PRIMARY KEY (ticket_id, tag_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX ticket_tags_tag ON ticket_tags(tag_id, ticket_id)",
    """CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        kind TEXT NOT NULL,
        from_value TEXT,
        to_value TEXT,
        detail TEXT
    )""",
    "CREATE INDEX events_ticket ON events(ticket_id, id)",
    # A purged ticket leaves only this trace, so reports can still count it.
    """CREATE TABLE purged (
        ticket_id INTEGER PRIMARY KEY,
        subject TEXT NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL
    )""",
    f"""CREATE VIRTUAL TABLE tickets_fts USING fts5(
        subject, content='tickets', content_rowid='id', tokenize='{_FTS_TOKENIZER}'
    )""",
    f"""CREATE VIRTUAL TABLE messages_fts USING fts5(
        body, content='messages', content_rowid='id', tokenize='{_FTS_TOKENIZER}'
    )""",
    """CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
        INSERT INTO tickets_fts(rowid, subject) VALUES (new.id, new.subject);
    END""",
    """CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
        INSERT INTO tickets_fts(tickets_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
    END""",
    """CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject ON tickets BEGIN
        INSERT INTO tickets_fts(tickets_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
        INSERT INTO tickets_fts(rowid, subject) VALUES (new.id, new.subject);
    END""",
    """CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
    END""",
    """CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    END""",
    """CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
        INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
    END""",
]

BUILTIN_STATUSES = [
    ("new", "New", "attention", 1),
    ("open", "Open", "attention", 2),
    ("answered", "Answered", "waiting", 3),
    ("postponed", "Postponed", "hold", 4),
    ("resolved", "Resolved", "done", 5),
    ("spam", "Spam", "spam", 90),
    ("deleted", "Deleted", "deleted", 91),
]
# Added by migration 4: ("merged", "Merged", "merged", 92).


def _migrate_to_1(db: sqlite_utils.Database) -> None:
    # Plain execute, never executescript: executescript would commit the
    # surrounding migration transaction half-way.
    for statement in _V1_STATEMENTS:
        db.execute(statement)
    for key, name, meaning, position in BUILTIN_STATUSES:
        db.execute(
            "INSERT INTO statuses(key, name, meaning, builtin, position) VALUES (?, ?, ?, 1, ?)",
            [key, name, meaning, position],
        )


_V2_STATEMENTS = [
    # The SLA clock of each ticket (see core/sla_tracking.py), kept by the service.
    "ALTER TABLE tickets ADD COLUMN sla_elapsed INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE tickets ADD COLUMN sla_running_since TEXT",
    "ALTER TABLE tickets ADD COLUMN sla_first_elapsed INTEGER",
    "ALTER TABLE tickets ADD COLUMN sla_due TEXT",
    "ALTER TABLE tickets ADD COLUMN sla_key TEXT NOT NULL DEFAULT '9999-12-31T23:59:59Z'",
    "ALTER TABLE tickets ADD COLUMN deleted_at TEXT",
    "CREATE INDEX tickets_sla ON tickets(bucket, sla_key, priority_rank, sort_key, id)",
    "CREATE INDEX tickets_deleted ON tickets(deleted_at) WHERE deleted_at IS NOT NULL",
    "CREATE INDEX tickets_answered ON tickets(status, last_message_at)",
    # Small facts about the store as a whole, e.g. which SLA policy the clocks were computed with.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # A store from v1 has clocks computed by nobody: mark them for a rebuild.
    "INSERT INTO meta(key, value) VALUES ('sla_fingerprint', 'stale')",
]


def _migrate_to_2(db: sqlite_utils.Database) -> None:
    for statement in _V2_STATEMENTS:
        db.execute(statement)
    db.execute(
        "UPDATE tickets SET deleted_at = (SELECT max(at) FROM events e"
        " WHERE e.ticket_id = tickets.id AND e.kind = 'deleted') WHERE status = 'deleted'"
    )


_V3_STATEMENTS = [
    # Agent replies waiting to be e-mailed (tui_desk/mail/outbox.py). A row is written in the
    # same transaction as its reply; status: queued -> sending -> sent, or back to queued with
    # last_error and a later next_attempt_at (failed after too many attempts).
    """CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL UNIQUE REFERENCES messages(id) ON DELETE CASCADE,
        ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
        status TEXT NOT NULL DEFAULT 'queued',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        claimed_at TEXT,
        created_at TEXT NOT NULL,
        sent_at TEXT
    )""",
    "CREATE INDEX outbox_due ON outbox(status, next_attempt_at)",
]


def _migrate_to_3(db: sqlite_utils.Database) -> None:
    for statement in _V3_STATEMENTS:
        db.execute(statement)


_V4_STATEMENTS = [
    # Merge: the merged ticket stays as a pointer (status 'merged') to the one it went into.
    # No foreign key: purging the target must not be blocked by its pointers.
    "ALTER TABLE tickets ADD COLUMN merged_into INTEGER",
    "CREATE INDEX tickets_merged ON tickets(merged_into) WHERE merged_into IS NOT NULL",
    # Undo (core/actions.py): one row per agent action, one row per ticket it changed with
    # the ticket's fields before it and its version right after it. An undo is allowed while
    # the ticket is still at that version (or got back to it by undoing later actions).
    """CREATE TABLE actions (
        id INTEGER PRIMARY KEY,
        actor TEXT NOT NULL,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        undone_at TEXT
    )""",
    "CREATE INDEX actions_actor ON actions(actor, id)",
    """CREATE TABLE action_tickets (
        action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
        ticket_id INTEGER NOT NULL,
        version_before INTEGER NOT NULL,
        version_after INTEGER NOT NULL,
        before TEXT NOT NULL,
        extra TEXT,
        undone_version INTEGER,
        PRIMARY KEY (action_id, ticket_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX action_tickets_ticket ON action_tickets(ticket_id, undone_version)",
    # Saved replies (core/templates.py): a body with {customer.first_name}-style placeholders.
    """CREATE TABLE templates (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
]


def _free_status_key(db: sqlite_utils.Database, key: str) -> None:
    """Give a custom status that holds `key` another key, so a built-in status can take it."""
    row = db.execute("SELECT name, meaning, position FROM statuses WHERE key = ? AND builtin = 0", [key]).fetchone()
    if row is None:
        return
    taken = {found for (found,) in db.execute("SELECT key FROM statuses")}
    new_key = next(f"{key}-{n}" for n in range(2, len(taken) + 3) if f"{key}-{n}" not in taken)
    db.execute("INSERT INTO statuses(key, name, meaning, builtin, position) VALUES (?, ?, ?, 0, ?)", [new_key, *row])
    for column in ("status", "previous_status", "postponed_from"):
        db.execute(f"UPDATE tickets SET {column} = ? WHERE {column} = ?", [new_key, key])
    # Status events keep keys; tag, assignee and department events keep names, left alone.
    for column in ("from_value", "to_value"):
        db.execute(
            f"UPDATE events SET {column} = ? WHERE {column} = ?"
            " AND kind NOT IN ('tagged', 'untagged', 'assigned', 'priority', 'department')",
            [new_key, key],
        )
    db.execute("DELETE FROM statuses WHERE key = ?", [key])


def _migrate_to_4(db: sqlite_utils.Database) -> None:
    for statement in _V4_STATEMENTS:
        db.execute(statement)
    # A custom status someone named "Merged" under v3 keeps its tickets under a new key.
    _free_status_key(db, "merged")
    db.execute(
        "INSERT INTO statuses(key, name, meaning, builtin, position) VALUES ('merged', 'Merged', 'merged', 1, 92)"
    )
    # The default saved replies (acknowledge, need more info, ...), in the language active now.
    seed_defaults(db.execute)


_V5_STATEMENTS = [
    # A queued reply keeps the recipient and thread it was written for (store/addressing.py):
    # looked up at send time, a merge in between would send it to the other customer.
    "ALTER TABLE outbox ADD COLUMN to_address TEXT",
    "ALTER TABLE outbox ADD COLUMN to_name TEXT",
    "ALTER TABLE outbox ADD COLUMN subject TEXT",
    "ALTER TABLE outbox ADD COLUMN in_reply_to TEXT",
    "ALTER TABLE outbox ADD COLUMN references_ TEXT",
    # Undo: an action that cannot be undone is skipped once refused, so the next undo
    # reaches the action before it.
    "ALTER TABLE actions ADD COLUMN skipped_at TEXT",
    # Due times of clocks resumed on a used-up target were "when it resumed"; the next
    # rules run (or app start) replays them to the moment the target was used up.
    "UPDATE meta SET value = 'stale' WHERE key = 'sla_fingerprint'",
]


def _migrate_to_5(db: sqlite_utils.Database) -> None:
    for statement in _V5_STATEMENTS:
        db.execute(statement)
    # Replies queued before: addressed as they would have been sent now, and fixed from here on.
    waiting = db.execute("SELECT id, ticket_id, message_id FROM outbox WHERE status != 'sent'").fetchall()
    for outbox_id, ticket_id, message_row in waiting:
        fixed = recipients(db.conn, ticket_id, message_row, reply_all=False)  # Cc columns come with schema 8
        if fixed is not None:
            db.execute(
                "UPDATE outbox SET to_address = ?, to_name = ?, subject = ?, in_reply_to = ?, references_ = ?"
                " WHERE id = ?",
                [*(fixed[k] for k in ("to_address", "to_name", "subject", "in_reply_to", "references_")), outbox_id],
            )


def _migrate_to_6(db: sqlite_utils.Database) -> None:
    # One runner for background jobs (store/job_leases.py): who fetches mail, sends the
    # outbox, runs the time rules, until when (seconds since the epoch).
    db.execute(
        "CREATE TABLE job_leases (job TEXT PRIMARY KEY, holder TEXT NOT NULL,"
        " acquired_at REAL NOT NULL, expires_at REAL NOT NULL)"
    )


_V7_STATEMENTS = [
    # Presence (store/presence.py, core/presence.py): which agent has which ticket open or is
    # replying to it, between processes. A row counts while its heartbeat is recent (about
    # 30 s), so an app that dies leaves nothing behind for long. No foreign key: a purge of
    # the ticket must not wait on it, and a stale row is pruned by the next write. `session`
    # tells one agent's apps apart (two terminals): each keeps and clears only its own row.
    """CREATE TABLE presence (
        agent TEXT NOT NULL,
        session TEXT NOT NULL DEFAULT '',
        ticket_id INTEGER NOT NULL,
        doing TEXT NOT NULL,
        since TEXT NOT NULL,
        heartbeat_at TEXT NOT NULL,
        PRIMARY KEY (agent, session, ticket_id)
    )""",
    "CREATE INDEX presence_ticket ON presence(ticket_id, heartbeat_at)",
    "CREATE INDEX presence_heartbeat ON presence(heartbeat_at)",
]


def _migrate_to_7(db: sqlite_utils.Database) -> None:
    for statement in _V7_STATEMENTS:
        db.execute(statement)


# Mail for teams (issue 15, docs/issue15/): who a conversation copies and which mailbox it came
# through. Addresses are JSON arrays of lower-case e-mail addresses.
# - messages.cc: the Cc of a customer's mail as received, or of an agent's reply as sent;
#   messages.reply_to: the customer's Reply-To (where answers to that mail go), else NULL.
# - tickets.cc: whom replies copy (reply-all), never the desk's own addresses;
#   tickets.mailbox: the From identity of the [[mail.imap]] account it came in through
#   ("Billing <billing@example.com>"), NULL for the [mail.smtp] sender.
# - outbox: fixed when queued, as the recipient is (store/addressing.py): cc, from_header,
#   kind ('reply', 'forward', 'acknowledgement') and forward_of (the message a forward carries).
V8_COLUMNS = [
    ("messages", "cc", "TEXT"),
    ("messages", "reply_to", "TEXT"),
    ("tickets", "cc", "TEXT"),
    ("tickets", "mailbox", "TEXT"),
    ("outbox", "cc", "TEXT"),
    ("outbox", "from_header", "TEXT"),
    ("outbox", "kind", "TEXT NOT NULL DEFAULT 'reply'"),
    ("outbox", "forward_of", "INTEGER"),
]


def _migrate_to_8(db: sqlite_utils.Database) -> None:
    for table, column, kind in V8_COLUMNS:
        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
    db.execute("CREATE INDEX outbox_kind_recipient ON outbox(kind, to_address, created_at)")


def _migrate_to_9(db: sqlite_utils.Database) -> None:
    # Routing (issue 18, docs/issue18/routing.md): agents away and round-robin turns.
    for statement in ROUTING_TABLES:
        db.execute(statement)


def _migrate_to_10(db: sqlite_utils.Database) -> None:
    # Reports' per-hour counts kept by triggers, filled from the tickets and events there are
    # (store/report_summary.py, docs/issue16/reports.md).
    for statement in report_summary_statements():
        db.execute(statement)


def _migrate_to_11(db: sqlite_utils.Database) -> None:
    # Reports' tag counts per hour kept by triggers, and indexes for the first replies and
    # resolutions of a period (store/report_tag_summary.py, docs/issue16/report-durations.md).
    for statement in report_tag_statements():
        db.execute(statement)


def _migrate_to_12(db: sqlite_utils.Database) -> None:
    # Reports' SLA compliance: the columns it reads, by creation time (store/report_sla_queries.py,
    # docs/issue16/report-sla.md).
    for statement in report_sla_indexes:
        db.execute(statement)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _migrate_to_1, _migrate_to_2, _migrate_to_3, _migrate_to_4, _migrate_to_5, _migrate_to_6,
    _migrate_to_7, _migrate_to_8, _migrate_to_9, _migrate_to_10, _migrate_to_11,
    _migrate_to_12,
]
SCHEMA_VERSION = len(MIGRATIONS)

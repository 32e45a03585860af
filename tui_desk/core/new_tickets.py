"""New tickets of one import batch, built in Python and written together (docs/issue16/bulk-import.md).

One at a time, a new ticket costs four INSERTs (customer, ticket, message, event) and the
service's transaction machinery around them, about half of what an imported message costs.
While a batch is open (TicketService.new_tickets_together), create_ticket builds the very
same rows (one function builds them for both ways) with the ids they would get one at a
time, and they are written table by table with executemany when the batch ends, or as soon
as something must read them. The message, attachment and event rows of every other change
meanwhile (a customer's follow-up or a trusted reply through TicketChanges.change, the
importer's unverified-sender event) wait with them, with the ids they would get one at a time
(`add_to`; the ticket's own UPDATE is written at once), so the store ends the same, ids
included, as a message-at-a-time import (tests/test_mail_import_batches.py). What reads such
rows back writes the pending rows first: the SLA replay of a ticket that has some
(TicketChanges._sla_used_up_at), a reply's outbox row; the Cc upkeep of a follow-up reads the
ticket, not its message (conversation._remember).

What mail decides is never decided on pending rows: the importer asks `refers_to` before it
looks anything up (duplicates by Message-ID or content hash, threading by In-Reply-To,
References or [#N] with its sender check) and has the pending rows written first when the
message names one of them or a ticket that has some; every check then reads the store, as before. A row given an id
the store already holds fails on the primary key: the importer stores that batch again one
message at a time. On PostgreSQL the ids are the sequences' next values and the sequences move
once the batch is written (store/pg_row_ids.py), and only an address in printable ASCII stays
pending as a customer: its `nocase` collation folds more than ASCII (docs/issue16/pg-import.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..store import Connection, bulk, customers, pg_row_ids
from ..store.connection import dialect

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def nocase(address: str) -> str:
    """The address as SQLite's NOCASE compares it (ASCII letters folded, no others)."""
    return address.translate(_ASCII_LOWER)


class NewTickets:
    """The pending rows of one batch, and the next id of each table (see the module docstring)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._server = dialect(conn) == "postgresql"
        self._next = pg_row_ids.next_row_ids(conn) if self._server else bulk.next_row_ids(conn)
        self._first = dict(self._next)
        self._rows: dict[str, list[dict[str, Any]]] = {table: [] for table in bulk.ROW_TABLES}
        self._customers: dict[str, dict[str, Any]] = {}  # new customers, by nocase(address)
        self._message_ids: set[str] = set()
        self._hashes: set[str] = set()
        self._tickets: set[int] = set()
        self._touched: set[int] = set()  # tickets of the store with pending rows (follow-ups)

    def take(self, table: str) -> int:
        """The id the next row of `table` gets: the one a one-row INSERT would give it."""
        row_id = self._next[table]
        self._next[table] = row_id + 1
        return row_id

    def taken(self) -> int:
        """Grows with every id taken: whether any was taken since."""
        return sum(self._next.values())

    def customer(self, address: str, name: str | None, moment: str) -> int:
        """store.tickets.customer_id, with the customers new in this batch still pending."""
        # PostgreSQL's nocase collation, not ASCII folding, decides whom any other address matches.
        collated = self._server and not (address.isascii() and address.isprintable())
        pending = None if collated else self._customers.get(nocase(address))
        if collated:
            self.write()  # the batch's customers into the store, where the collation compares them
        if pending is not None:
            if name and not pending["name"]:
                pending["name"] = name.strip()
            return int(pending["id"])
        found = customers.known_customer(self.conn, address, name)
        if found is not None:
            return found
        row: dict[str, Any] = {"id": self.take("customers"), "email": address,
                               "name": name.strip() if name else None, "created_at": moment}
        if collated:
            bulk.insert_rows(self.conn, "customers", [row])
        else:
            self._customers[nocase(address)] = row
            self._rows["customers"].append(row)
        return int(row["id"])

    def add(
        self,
        ticket: dict[str, Any],
        message: dict[str, Any],
        event: dict[str, Any],
        attachments: Sequence[tuple[str, str, bytes]],
    ) -> int:
        """A new ticket's rows (as Conversation.new_ticket_rows builds them); returns its id."""
        ticket_id = self.take("tickets")
        message_row = self.take("messages")
        self._rows["tickets"].append({"id": ticket_id, **ticket})
        self._rows["messages"].append({"id": message_row, "ticket_id": ticket_id, **message})
        for filename, content_type, data in attachments:
            self._rows["attachments"].append({
                "id": self.take("attachments"), "message_id": message_row, "filename": filename,
                "content_type": content_type, "size": len(data or b""), "data": data,
            })
        self._rows["events"].append({"id": self.take("events"), "ticket_id": ticket_id, **event})
        self._tickets.add(ticket_id)
        self._remember(message)
        return ticket_id

    def add_to(
        self,
        ticket_id: int,
        message: dict[str, Any] | None,
        attachments: Sequence[tuple[str, str, bytes]],
        events: Sequence[dict[str, Any]],
    ) -> int | None:
        """The rows a change of a stored ticket adds (TicketChanges.change: a follow-up, a trusted
        reply), pending like a new ticket's; returns the message's row id, if any."""
        message_row = None
        if message is not None:
            message_row = self.take("messages")
            self._rows["messages"].append({"id": message_row, "ticket_id": ticket_id, **message})
            for filename, content_type, data in attachments:
                self._rows["attachments"].append({
                    "id": self.take("attachments"), "message_id": message_row, "filename": filename,
                    "content_type": content_type, "size": len(data or b""), "data": data,
                })
            self._remember(message)
        for event in events:
            self._rows["events"].append({"id": self.take("events"), "ticket_id": ticket_id, **event})
        self._touched.add(ticket_id)
        return message_row

    def _remember(self, message: dict[str, Any]) -> None:
        if message.get("message_id"):
            self._message_ids.add(message["message_id"])
        if message.get("content_hash"):
            self._hashes.add(message["content_hash"])

    def holds(self, ticket_id: int) -> bool:
        """Whether the ticket is one of the pending new ones, or has pending rows."""
        return ticket_id in self._tickets or ticket_id in self._touched

    def refers_to(
        self, message_id: str | None, content_hash: str | None, references: Iterable[str], tickets: Iterable[int | None]
    ) -> bool:
        """Whether a message names a pending row: its Message-ID or content hash, one it answers, a
        ticket (its [#N], the ticket our export names)."""
        return (
            (message_id is not None and message_id in self._message_ids)
            or (content_hash is not None and content_hash in self._hashes)
            or any(ticket in self._tickets or ticket in self._touched for ticket in tickets if ticket is not None)
            or any(reference in self._message_ids for reference in references)
        )

    def write(self) -> None:
        """Write the pending rows, table by table; the ids taken stay taken."""
        for table, rows in self._rows.items():
            bulk.insert_rows(self.conn, table, rows)
            rows.clear()
        self._customers.clear()
        self._message_ids.clear()
        self._hashes.clear()
        self._tickets.clear()
        self._touched.clear()

    def finish(self) -> None:
        """The end of the batch: its rows written; on PostgreSQL its sequences moved past its ids."""
        self.write()
        if self._server:
            pg_row_ids.move_sequences(self.conn, self._first, self._next)

"""Export the store (or some tickets) as an mbox or as full-fidelity JSON; import the JSON back.

JSON is the backup format. mbox is for mail programs and for moving tickets
between stores:

mbox: every message of every chosen ticket, with its Message-ID (made up and
stable when it had none), In-Reply-To / References to the previous message
of the thread, ``[#ID]`` in the subject and X-Tui-Desk-* headers (kind,
ticket, status, author, and the state: tags, assignee, priority, department,
postponed_until). `import --restore` of it into an empty store gives the same
tickets, threads, statuses and state; a plain `import` ignores those headers
(anyone can write them in a mail) and gives customer messages. A body with a
line starting "From " is written base64-encoded, so the mbox needs no ">From "
quoting and every mail program reads the text back exactly. Not carried:
timeline events, SLA clocks, custom status definitions, ticket numbers.

JSON: the rows themselves (tickets with customer, assignee, department,
tags, SLA clocks, messages with attachments, timeline events, custom
statuses). ``import_json`` restores them as they were, keeping ticket ids
when they are free, and believes the file entirely (authors, events,
statuses): it is only run on `import --restore`. A restore is not a change
to a ticket, so it writes the rows directly (like the demo filler) instead
of replaying TicketService. A file it cannot read whole changes nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import mailbox
import re
import sqlite3
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Any

from ..domain.clock import from_text
from ..domain.errors import InvalidInput
from ..domain.models import CUSTOM_MEANINGS
from ..domain.text import storable_data
from ..i18n import _
from ..store import Connection, Store, exports
from ..store.exports import chosen_tickets as chosen_tickets  # where the CLI and tests find it
from .parse import AUTHOR_HEADER, KIND_HEADER, STATE_HEADER, STATUS_HEADER, TICKET_HEADER, mime_type
from .restore import state_header

FORMAT = "tui-desk-export"
VERSION = 1


SYNTHETIC_DOMAIN = "export.tui-desk.invalid"


def synthetic_id(ticket_id: int, row_id: int, created_at: str, body: str | None) -> str:
    """The Message-ID an export gives a stored message that has none: the same on every export.

    An import recognises it (mail/importer.py, Importer._exported_copy) by
    computing it again from the stored rows of the ticket in X-Tui-Desk-Ticket.
    """
    digest = hashlib.sha256(f"{ticket_id}|{row_id}|{created_at}|{body}".encode()).hexdigest()[:32]
    return f"<{digest}@{SYNTHETIC_DOMAIN}>"


def _synthetic_id(message: dict[str, Any]) -> str:
    return synthetic_id(message["ticket_id"], message["id"], message["created_at"], message["body"])


_FROM_LINE = re.compile(r"^>*From ", re.MULTILINE)


def export_mbox(store: Store, path: Path, ticket_ids: Sequence[int], our_address: str = "help@tui-desk.invalid") -> int:
    path.unlink(missing_ok=True)
    box = mailbox.mbox(path, create=True)
    count = 0
    box.lock()
    try:
        for ticket_id in ticket_ids:
            ticket = exports.mbox_ticket(store, ticket_id)
            if ticket is None:
                continue
            state = state_header(ticket, exports.tag_names(store, ticket_id))
            previous: list[str] = []
            for message in exports.message_rows(store, ticket_id):
                mail = EmailMessage()
                customer = formataddr((ticket["name"] or "", ticket["email"]))
                if message["kind"] == "customer":
                    mail["From"] = message["author"] if "@" in message["author"] else customer
                    mail["To"] = our_address
                else:
                    mail["From"] = our_address
                    mail["To"] = customer
                    mail[AUTHOR_HEADER] = message["author"]
                mail["Subject"] = f"{ticket['subject']} [#{ticket_id}]" if previous else ticket["subject"]
                message_id = message["message_id"] or _synthetic_id(message)
                mail["Message-ID"] = message_id
                if previous:
                    mail["In-Reply-To"] = previous[-1]
                    mail["References"] = " ".join(previous[-20:])
                mail["Date"] = format_datetime(from_text(message["created_at"]))
                mail[KIND_HEADER] = message["kind"]
                mail[TICKET_HEADER] = str(ticket_id)
                mail[STATUS_HEADER] = ticket["status"]
                mail[STATE_HEADER] = state
                body = message["body"] or ""
                # A line starting "From " would be quoted as ">From " in the mbox, and no reader can
                # tell that from a ">From " the text had: base64 leaves no such line to quote.
                mail.set_content(body, cte="base64" if _FROM_LINE.search(body) else None)
                for a in exports.attachment_rows(store, message["id"]):
                    maintype, _slash, subtype = mime_type(a["content_type"] or "").partition("/")
                    mail.add_attachment(
                        a["data"] or b"", maintype=maintype, subtype=subtype or "octet-stream", filename=a["filename"]
                    )
                box.add(mail)
                previous.append(message_id)
                count += 1
        box.flush()
    finally:
        box.unlock()
        box.close()
    return count


def export_json(store: Store, path: Path, ticket_ids: Sequence[int]) -> int:
    statuses = exports.custom_status_rows(store)
    tickets = []
    for ticket_id in ticket_ids:
        row = exports.json_ticket(store, ticket_id)
        if row is None:
            continue
        for key in ("customer_id", "assignee_id", "department_id"):
            row.pop(key)
        row["tags"] = exports.tag_names(store, ticket_id)
        messages = exports.message_rows(store, ticket_id)
        for message in messages:
            message["attachments"] = [
                {**{k: a[k] for k in ("filename", "content_type", "size")},
                 "data": base64.b64encode(a["data"]).decode() if a["data"] is not None else None}
                for a in exports.attachment_rows(store, message["id"])
            ]
            del message["ticket_id"]
        row["messages"] = messages
        row["events"] = exports.event_rows(store, ticket_id)
        tickets.append(row)
    data = {"format": FORMAT, "version": VERSION, "statuses": statuses, "tickets": tickets}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return len(tickets)


def is_json_export(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(200)
    except OSError:
        return False
    return head.lstrip().startswith(b"{") and FORMAT.encode() in head


def import_json(store: Store, path: Path) -> tuple[int, int, int]:
    """(tickets restored, messages restored, tickets already there). All of them or, on any error, none."""
    try:
        data = storable_data(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(_("Cannot read {path}: {reason}").format(path=path, reason=error)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        raise InvalidInput(_("{path} is not a tui-desk JSON export").format(path=path))
    with store.transaction() as conn:
        try:
            return _restore_json(conn, data)
        except (KeyError, TypeError, ValueError, AttributeError, binascii.Error,
                sqlite3.IntegrityError, sqlite3.InterfaceError, sqlite3.ProgrammingError) as error:
            # The transaction is rolled back: a file restored in part would be worse than none.
            raise InvalidInput(
                _("{path} is not a usable tui-desk JSON export: {reason}").format(
                    path=path, reason=f"{type(error).__name__}: {error}"
                )
            ) from None


# Far past any desk's numbers; a hand-made file's 2**63 - 1 left no number for the next ticket on
# either backend, and PostgreSQL keeps who is on a ticket (presence) in an integer.
MAX_TICKET_ID = 2**31 - 1


def _check_ticket_id(value: object) -> None:
    """A ticket number as an export writes it, else ValueError: 1.5, true, null, -5 or a string were
    stored on one backend and refused on the other."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_TICKET_ID:
        raise ValueError(
            _("ticket id {id} is not a whole number from 1 to {most}").format(id=json.dumps(value), most=MAX_TICKET_ID)
        )


def _restore_json(conn: Connection, data: dict[str, Any]) -> tuple[int, int, int]:
    restored = messages_restored = already = 0
    for status in data.get("statuses", []):
        if status["meaning"] not in {m.value for m in CUSTOM_MEANINGS}:  # the store could not read its statuses
            raise ValueError(_("status {key!r} has an unknown meaning").format(key=status["key"]))
        exports.add_custom_status(conn, status["key"], status["name"], status["meaning"], status.get("position", 50))
    columns = exports.ticket_columns(conn)
    known = exports.status_keys(conn)
    for ticket in data.get("tickets", []):
        _check_ticket_id(ticket["id"])
        first = next((m["message_id"] for m in ticket["messages"] if m.get("message_id")), None)
        same = exports.same_ticket_there(conn, ticket["id"], ticket["created_at"], ticket["subject"])
        if same or (first and exports.message_id_taken(conn, first)):
            already += 1
            continue
        if ticket["status"] not in known:
            raise ValueError(_("ticket #{id} has an unknown status {status!r}").format(id=ticket["id"], status=ticket["status"]))
        customer = exports.get_or_create(conn, "customers", "email", ticket["customer_email"], {
            "name": ticket.get("customer_name"), "phone": ticket.get("customer_phone"),
            "company": ticket.get("customer_company"), "created_at": ticket["created_at"],
        })
        fields = {k: v for k, v in ticket.items() if k in columns}
        if exports.ticket_id_taken(conn, ticket["id"]):
            del fields["id"]
        fields["customer_id"] = customer
        fields["assignee_id"] = exports.get_or_create(conn, "agents", "name", ticket["assignee"], {
            "full_name": ticket.get("assignee_full_name"), "email": ticket.get("assignee_email"),
        }) if ticket.get("assignee") else None
        fields["department_id"] = (
            exports.get_or_create(conn, "departments", "name", ticket["department"], {}) if ticket.get("department") else None
        )
        ticket_id = exports.insert_ticket_row(conn, fields)
        for tag in ticket.get("tags", []):
            exports.add_ticket_tag(conn, ticket_id, exports.get_or_create(conn, "tags", "name", tag, {}))
        for message in ticket["messages"]:
            message_id = message.get("message_id")
            if message_id and exports.message_id_taken(conn, message_id):
                message_id = None
            row_id = exports.insert_message_row(conn, ticket_id, message, message_id)
            for a in message.get("attachments", []):
                blob = base64.b64decode(a["data"]) if a.get("data") is not None else None
                exports.insert_attachment_row(conn, row_id, a["filename"], a["content_type"], a["size"], blob)
            messages_restored += 1
        exports.insert_event_rows(conn, ticket_id, ticket.get("events", []))
        restored += 1
    return restored, messages_restored, already


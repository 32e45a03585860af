"""What an outbox row's mail holds besides its headers: the text and the files.

A reply carries the files stored with it (docs/issue15/attachments-in.md). A forward
(docs/issue15/forward.md) carries the agent's text, then the forwarded message inline under
a "---------- Forwarded message ----------" line with its From, Date, Subject and To, as
Gmail and Thunderbird forward, then the forwarded message's files. The words of that block
stay in English whatever the desk's language: mail programs and people recognise them so.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any

from ..core.lifecycle import Change, TicketService
from ..domain.clock import from_text
from ..domain.errors import InvalidInput
from ..domain.file_names import safe_file_name
from ..i18n import _
from ..store import Store, forwards
from .settings import MailSettings, SmtpSettings

FORWARD_LINE = "---------- Forwarded message ----------"
# A content type as a sender may have written it; anything else goes out as plain bytes.
_TYPE = re.compile(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+")
Files = list[tuple[str, str, bytes]]


def forward_message(
    service: TicketService, settings: MailSettings, message_row: int, to: str, body: str = ""
) -> Change:
    """Forward the desk's message ``message_row`` to ``to``, queued for SMTP; refused when no SMTP is set."""
    if settings.smtp is None:
        raise InvalidInput(_("No SMTP server in the config file: add a [mail.smtp] table to forward mail"))
    return service.forward(
        message_row,
        to,
        body,
        # as outbox.new_message_id makes them (that module imports this one)
        new_message_id=lambda: make_msgid(idstring="tui-desk", domain=settings.message_domain),
        own_addresses=settings.our_addresses,
    )


def content(store: Store, outbox_id: int, row: dict[str, Any], smtp: SmtpSettings) -> tuple[str, Files]:
    """The text and files of an outbox row's mail (``row`` as store/outbox.mail_row gives it)."""
    own = forwards.message_files(store, row["message_row"])
    forward_of = forwards.outbox_forward_of(store, outbox_id)
    if forward_of is None:
        return row["body"], own
    original = forwards.forwarded_message(store.conn, forward_of)
    if original is None:  # the forwarded message was purged with its ticket: the outbox row went too
        raise LookupError(outbox_id)
    return _forward_text(row["body"], original, smtp), forwards.message_files(store, forward_of) + own


def _forward_text(note: str, original: dict[str, Any], smtp: SmtpSettings) -> str:
    customer = formataddr((" ".join((original["customer_name"] or "").split()), original["customer_email"]))
    if original["kind"] == "customer":
        # A customer message may be by someone the customer copied (docs/issue15/recipients.md).
        author = " ".join((original["author"] or "").split())
        by_customer = author.casefold() == (original["customer_email"] or "").casefold()
        sender, recipient = (customer if by_customer or not author else author), smtp.sender
    else:
        sender, recipient = smtp.sender, customer
    block = [
        FORWARD_LINE,
        f"From: {sender}",
        f"Date: {format_datetime(from_text(original['created_at']))}",
        f"Subject: {' '.join(original['subject'].split())}",
        f"To: {recipient}",
        "",
        original["body"],
    ]
    lead = note.strip()
    return (f"{lead}\n\n" if lead else "") + "\n".join(block)


def attach(mail: EmailMessage, files: Files) -> None:
    """The files as attachments (the mail becomes multipart/mixed), byte for byte in base64.

    A stored name or type may be a hostile sender's: the name is made a clean file name, and a
    type that is not a plain type/subtype (or would make a multipart or message part) is sent
    as application/octet-stream.
    """
    for name, content_type, data in files:
        kind = (content_type or "").strip().lower()
        if not _TYPE.fullmatch(kind) or kind.startswith(("multipart/", "message/")):
            kind = "application/octet-stream"
        maintype, subtype = kind.split("/", 1)
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=safe_file_name(name), cte="base64")


__all__ = ["FORWARD_LINE", "attach", "content", "forward_message"]

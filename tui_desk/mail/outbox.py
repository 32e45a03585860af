"""Sending queued agent replies by SMTP.

A reply and its outbox row are written in one transaction
(``TicketService.reply(..., outbox=True)``). ``send_due`` then, per row:

1. claims it (queued -> sending, under the write lock, so two senders never
   take the same row),
2. sends it with the Message-ID stored on the reply (so a receiver sees a
   resend as the same message),
3. marks it sent, or back to queued with the error and the next attempt
   time (exponential backoff: 1, 2, 4 ... minutes, at most 6 hours).

A row left in ``sending`` (the sender died between handing the mail over and
recording it) is retried after ``STALE_AFTER`` with the same Message-ID: at
worst the customer's mail program sees one Message-ID twice, nothing is lost.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from ..domain.clock import Clock, from_text, system_clock, to_text
from ..i18n import _
from ..store import Store, outbox
from ..store.addressing import recipients, reply_subject
from ..store.mailboxes import ACKNOWLEDGEMENT
from . import outgoing
from .copies import cc_header
from .settings import MailSettings, SmtpSettings

MAX_BACKOFF = timedelta(hours=6)
STALE_AFTER = timedelta(minutes=15)
GIVE_UP_AFTER = 20  # attempts; then the row is "failed" and shown, no longer retried


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    errors: list[tuple[int, str]] | None = None


def new_message_id(settings: MailSettings) -> str:
    return make_msgid(idstring="tui-desk", domain=settings.message_domain)


def reply_options(settings: MailSettings) -> dict:
    """Extra arguments for TicketService.reply: queue it for e-mail when SMTP is configured.

    A maker of Message-IDs, not one Message-ID: the same options serve every ticket of a
    bulk reply, and each reply needs its own (the column is unique).
    """
    if settings.smtp is None:
        return {}
    return {"outbox": True, "new_message_id": lambda: new_message_id(settings)}


def unsent_count(store: Store) -> int:
    return outbox.unsent_count(store)


def backoff(attempts: int) -> timedelta:
    return min(MAX_BACKOFF, timedelta(minutes=2 ** max(0, attempts - 1)))


def build_mail(store: Store, outbox_id: int, smtp: SmtpSettings, settings: MailSettings) -> EmailMessage:
    """The e-mail of one outbox row, to the recipient fixed when the reply was queued."""
    row = outbox.mail_row(store, outbox_id)
    if row is None:
        raise LookupError(outbox_id)
    fixed = dict(row)
    if not fixed["to_address"]:
        # Queued by a version that did not fix the recipient (and not filled in when the
        # store was upgraded): addressed as the ticket stands now, and fixed from here on.
        found = recipients(store.conn, row["ticket_id"], row["message_row"])
        if found is None:
            raise LookupError(outbox_id)
        fixed.update(found)
        outbox.fix_recipients(store.conn, outbox_id, found)
    mail = EmailMessage()
    mail["From"] = fixed.get("from_header") or smtp.sender  # the mailbox the ticket came in through
    mail["To"] = formataddr((fixed["to_name"] or "", fixed["to_address"]))
    if cc := cc_header(store, outbox_id, fixed, settings):
        mail["Cc"] = cc
    mail["Subject"] = fixed["subject"] or reply_subject("", row["ticket_id"])
    mail["Message-ID"] = row["message_id"] or new_message_id(settings)
    if fixed["in_reply_to"]:
        mail["In-Reply-To"] = fixed["in_reply_to"]
    if fixed["references_"]:
        mail["References"] = fixed["references_"]
    mail["Date"] = format_datetime(from_text(row["created_at"]))
    mail["X-Tui-Desk-Ticket"] = str(row["ticket_id"])
    if row.get("kind") == ACKNOWLEDGEMENT:  # RFC 3834: machines must not answer it
        mail["Auto-Submitted"] = "auto-replied"
        mail["X-Auto-Response-Suppress"] = "All"
    text, files = outgoing.content(store, outbox_id, row, smtp)
    mail.set_content(text)
    outgoing.attach(mail, files)  # multipart/mixed with the message's files (docs/issue15/attachments-in.md)
    if not row["message_id"]:
        outbox.set_message_id(store.conn, row["message_row"], mail["Message-ID"])
    return mail


def _connect(smtp: SmtpSettings, timeout: float) -> smtplib.SMTP:
    server = smtp.server
    if server.security == "tls":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            server.host, server.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=timeout)
        if server.security == "starttls":
            client.starttls(context=ssl.create_default_context())
    if server.user:
        password = server.password()
        if password is not None:
            client.login(server.user, password)
    return client


def send_due(
    store: Store,
    settings: MailSettings,
    *,
    clock: Clock = system_clock,
    timeout: float = 30.0,
    limit: int = 200,
) -> SendResult:
    """Send every queued reply whose time has come; see the module docstring."""
    result = SendResult(errors=[])
    smtp = settings.smtp
    if smtp is None:
        return result
    now = clock()
    with store.transaction() as conn:
        interrupted = _("interrupted while sending; sent again with the same Message-ID")
        due = outbox.claim_due(conn, to_text(now), to_text(now - STALE_AFTER), interrupted, limit)
    if not due:
        return result
    client: smtplib.SMTP | None = None
    for outbox_id in due:
        try:
            with store.transaction():
                mail = build_mail(store, outbox_id, smtp, settings)
            if client is None:
                client = _connect(smtp, timeout)
            # The envelope sender stays the authenticated [mail.smtp] address whatever From says:
            # servers refuse or mark other senders (docs/issue15/mailboxes.md).
            client.send_message(mail, from_addr=smtp.address)
        except (TimeoutError, smtplib.SMTPException, OSError, ssl.SSLError, LookupError, Exception) as error:  # noqa: B014, BLE001
            text = f"{type(error).__name__}: {error}"[:500]
            _record_failure(store, outbox_id, text, clock())
            result.failed += 1
            result.errors.append((outbox_id, text))  # type: ignore[union-attr]
            if client is not None and isinstance(error, smtplib.SMTPServerDisconnected | OSError):
                client = None
            continue
        with store.transaction() as conn:
            outbox.mark_sent(conn, outbox_id, to_text(clock()))
        result.sent += 1
    if client is not None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            client.quit()
    return result


def _record_failure(store: Store, outbox_id: int, error: str, now: datetime) -> None:
    with store.transaction() as conn:
        attempts = outbox.attempts(conn, outbox_id) + 1
        status = "failed" if attempts >= GIVE_UP_AFTER else "queued"
        outbox.record_attempt(conn, outbox_id, status, attempts, error, to_text(now + backoff(attempts)))


def outbox_rows(store: Store) -> list[dict]:
    return outbox.unsent_rows(store)

"""Fetching new mail by IMAP (imaplib) and importing it.

Unseen messages are read with BODY.PEEK (which sets no flag), imported in
batches, and only after a batch's transaction has committed are its
messages marked \\Seen (or moved). A crash in between leaves them unseen:
the next fetch reads them again and the import, idempotent by Message-ID or
content hash, adds nothing twice. Only messages that are in the store are
flagged or moved: one the desk could not store stays unseen where it is, and
the summary names it. A message counts from its arrival (INTERNALDATE), see
mail/dates.py.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import re
import ssl
from collections.abc import Iterator
from datetime import datetime

from ..core.lifecycle import TicketService
from ..domain.errors import InvalidInput
from ..i18n import _
from .acknowledge import Arrival, check
from .dates import MessageDates, internaldate
from .importer import Importer, ImportSummary
from .settings import ImapSettings, MailSettings

# Tests only: exit at once after the first committed batch, before any flag is set.
EXIT_AFTER_COMMIT_ENV = "TUI_DESK_TEST_EXIT_AFTER_COMMIT"
FETCH_CHUNK = 100


def _connect(account: ImapSettings, timeout: float) -> imaplib.IMAP4:
    server = account.server
    try:
        if server.security == "tls":
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                server.host, server.port, ssl_context=ssl.create_default_context(), timeout=timeout
            )
        else:
            client = imaplib.IMAP4(server.host, server.port, timeout=timeout)
            if server.security == "starttls":
                client.starttls(ssl_context=ssl.create_default_context())
        client.login(server.user or "", server.password() or "")
    except (imaplib.IMAP4.error, OSError) as error:
        raise InvalidInput(
            _("IMAP {host}:{port}: {reason}").format(host=server.host, port=server.port, reason=error)
        ) from None
    return client


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fetch_account(
    service: TicketService, settings: MailSettings, account: ImapSettings, timeout: float = 60.0
) -> ImportSummary:
    client = _connect(account, timeout)
    try:
        status, _data = client.select(_quote(account.folder))
        if status != "OK":
            raise InvalidInput(_("IMAP: no folder {folder!r}").format(folder=account.folder))
        status, data = client.uid("SEARCH", None, "UNSEEN")  # type: ignore[arg-type]  # None: no CHARSET
        uids = data[0].split() if status == "OK" and data and data[0] else []

        def done(labels: list[str]) -> None:  # after each committed batch
            if os.environ.get(EXIT_AFTER_COMMIT_ENV):
                os._exit(0)
            batch = ",".join(label.rpartition(":")[2] for label in labels)
            if not batch:
                return
            if account.move_to and client.uid("MOVE", batch, _quote(account.move_to))[0] == "OK":
                return
            if account.move_to and client.uid("COPY", batch, _quote(account.move_to))[0] == "OK":
                client.uid("STORE", batch, "+FLAGS.SILENT", "(\\Deleted \\Seen)")
                if "UIDPLUS" in client.capabilities:  # expunge these, not what others marked \Deleted
                    client.uid("EXPUNGE", batch)
                else:
                    client.expunge()
            else:  # no move wanted, or the copy failed: the message stays here, seen
                client.uid("STORE", batch, "+FLAGS.SILENT", "(\\Seen)")

        arrivals: dict[str, datetime] = {}
        importer = Importer(
            service,
            settings.our_addresses,
            batch_size=FETCH_CHUNK,
            after_commit=done,
            trust_own_address=settings.trusts_own_address(account),
            dates=MessageDates.LIVE,
            arrival=lambda label: arrivals.pop(label, None),
            department=account.department,
            on_new_ticket=Arrival(service, settings, account),
            # What a routing rule's `mailbox` pattern is tried on: the account's From, login and folder.
            mailbox=[v for v in (account.identity, account.server.user, account.folder) if v],
        )
        return importer.run(_messages(client, account, uids, arrivals))
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()


def _messages(
    client: imaplib.IMAP4, account: ImapSettings, uids: list[bytes], arrivals: dict[str, datetime]
) -> Iterator[tuple[str, bytes | None, str | None]]:
    """(label, raw bytes or None, error) of each message; their arrival times go into `arrivals` by label."""
    for start in range(0, len(uids), FETCH_CHUNK):
        chunk = uids[start : start + FETCH_CHUNK]
        status, data = client.uid("FETCH", b",".join(chunk).decode(), "(UID INTERNALDATE BODY.PEEK[])")
        if status != "OK":
            for uid in chunk:
                yield f"{account.folder}:{uid.decode()}", None, _("IMAP fetch failed")
            continue
        got: dict[str, bytes] = {}
        for item in data:
            if isinstance(item, tuple) and len(item) >= 2:
                match = re.search(rb"UID (\d+)", item[0])
                if match:
                    got[match.group(1).decode()] = item[1]
                    arrived = internaldate(item[0])
                    if arrived is not None:
                        arrivals[f"{account.folder}:{match.group(1).decode()}"] = arrived
        for uid in chunk:
            key = uid.decode()
            raw = got.get(key)
            yield f"{account.folder}:{key}", raw, None if raw is not None else _("not returned by the server")


def fetch_all(service: TicketService, settings: MailSettings) -> list[tuple[ImapSettings, ImportSummary]]:
    if not settings.imap:
        raise InvalidInput(_("No IMAP account in the config file: add a [[mail.imap]] table"))
    for account in settings.imap:  # before any mail is read: a refused setting stops them all
        check(service, settings, account)
    return [(account, fetch_account(service, settings, account)) for account in settings.imap]

"""Mail into tickets: sources (mbox, Maildir, .eml), threading, idempotent batched import.

Every message goes through TicketService (create_ticket, add_customer_message,
reply, add_note) inside one outer transaction per batch of messages: one commit
per few hundred messages instead of one each. Every message that can be read
is stored: one that fails as what it claims to be is undone alone and stored
again as a new customer ticket (see Importer._one). Only what cannot be read or
written at all (an I/O error, a store that refuses every write) is reported as
skipped, and after_commit never hears of it: IMAP leaves it unseen. Large
imports are parsed by other processes while this one stores (see
Importer.run_sources).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..core.lifecycle import TicketService
from ..core.recipients import is_automated, mailbox_key
from ..domain.clock import to_text
from ..domain.errors import InvalidInput, StoreError, TuiDeskError
from ..domain.models import EventKind
from ..i18n import _, ngettext, number
from ..store import mail_records, search_index, writes
from ..store import recipients as copies
from .dates import MessageDates, message_time
from .export import SYNTHETIC_DOMAIN, synthetic_id
from .parse import _TAG, UNKNOWN_SENDER, ParsedMail, parse_message
from .restore import read_state, restore_ticket
from .sources import Item, Source, can_fork, find_sources, mbox_spans, parsed_elsewhere

# Where callers and tests have found them.
__all__ = ["BATCH_SIZE", "ImportSummary", "Importer", "Item", "Source", "find_sources", "import_paths", "mbox_spans"]

BATCH_SIZE = 400
PARALLEL_FROM = 1000  # messages; fewer are parsed in this process


@dataclass
class ImportSummary:
    tickets_created: int = 0
    messages_added: int = 0
    duplicates: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (which message, why): NOT stored
    restore_headers_ignored: int = 0  # messages with X-Tui-Desk-* headers, not a restore
    unverified_own_address: int = 0  # messages From our address kept as a customer's (flagged)

    @property
    def seen(self) -> int:
        return self.messages_added + self.duplicates + len(self.skipped)

    def line(self) -> str:
        parts = [
            ngettext("{n} ticket created", "{n} tickets created", self.tickets_created),
            ngettext("{n} message added", "{n} messages added", self.messages_added),
            ngettext("{n} already there", "{n} already there", self.duplicates),
            ngettext("{n} skipped", "{n} skipped", len(self.skipped)),
        ]
        counts = (self.tickets_created, self.messages_added, self.duplicates, len(self.skipped))
        return ", ".join(part.format(n=number(count)) for part, count in zip(parts, counts, strict=True))


# -- the importer --------------------------------------------------------------------------------
class _Redo(Exception):
    """A message failed after writing part of itself, in a batch without savepoints."""


class Importer:
    """Threads and stores messages; see the module docstring.

    Mail is data, never a command. ``restore``: the messages are the desk's own
    mbox export (`import --restore`), so its X-Tui-Desk-* headers (kind, author,
    ticket, status, state) are believed; otherwise they are ignored and counted
    (``summary.restore_headers_ignored``). ``our_addresses``: mail "From:" these
    claims to be the desk. Anyone can write a From line, so it is an agent reply
    only with ``trust_own_address`` (a folder the user knows holds the desk's own
    mail) or on a restore; otherwise it is a customer message with an
    unverified_sender event. Mail the desk sent itself coming back is already
    there by its Message-ID. ``after_commit`` is called with the labels of each
    committed batch's messages that are in the store (IMAP marks them seen
    then); skipped ones are left out. ``dates``: which time a message counts
    from (mail/dates.py): LIVE for fetched mail, its arrival (``arrival(label)``,
    else now) unless the Date header is close to it; ARCHIVE for old mailboxes,
    the Date header, never later than now.
    """

    def __init__(
        self,
        service: TicketService,
        our_addresses: Iterable[str] = (),
        *,
        batch_size: int = BATCH_SIZE,
        after_commit: Callable[[list[str]], None] | None = None,
        progress: Callable[[int], None] | None = None,
        restore: bool = False,
        trust_own_address: bool = False,
        dates: MessageDates = MessageDates.ARCHIVE,
        arrival: Callable[[str], datetime | None] | None = None,
        department: str | None = None,
        on_new_ticket: Callable[[int, ParsedMail], None] | None = None,
        mailbox: Sequence[str] = (),
        together: bool = True,
    ) -> None:
        self.service = service
        self.together = together  # new tickets written together (core/new_tickets.py); False: the reference way
        self.dates = MessageDates(dates)
        self.arrival = arrival
        self.store = service.store
        self.our = {a.strip().lower() for a in our_addresses if a and a.strip()}
        self._our_mailboxes = {mailbox_key(a) for a in self.our}  # help+x@desk is the desk too
        self._by_tag_only = False  # how _thread found the last ticket (see _add)
        self.restore = restore
        self.trust_own_address = trust_own_address or restore
        self.batch_size = max(1, batch_size)
        self.after_commit = after_commit
        self.progress = progress
        self.summary = ImportSummary()
        self._exported_tickets: dict[int, int] = {}  # ticket id in an exported mbox -> ours
        self._wanted_status: dict[int, str] = {}
        self._wanted_state: dict[int, str] = {}
        self._savepoints = True
        # Fetched mail's account (mail/acknowledge.py): the department and hook of the tickets it creates.
        self.department = department
        self.on_new_ticket = on_new_ticket
        self.mailbox = tuple(mailbox)  # what routing rules' `mailbox` pattern sees (core/routing.py)

    def run(self, items: Iterable[Item]) -> ImportSummary:
        batch: list[Item] = []
        for item in items:
            batch.append(item)
            if len(batch) >= self.batch_size:
                self._batch(batch)
                batch = []
        if batch:
            self._batch(batch)
        self._restore_state()
        return self.summary

    def run_sources(self, sources: Sequence[Source], total: int | None = None) -> ImportSummary:
        workers = min(4, os.cpu_count() or 1)
        if workers < 2 or (total is not None and total < PARALLEL_FROM) or not can_fork():
            return self.run(item for source in sources for item in source.messages())
        # Parsing costs about as much as storing: other processes parse while this one stores.
        with parsed_elsewhere(sources, workers, self.batch_size) as items:
            return self.run(items)

    # -- one batch: one transaction ---------------------------------------------------------------
    def _batch(self, batch: list[Item]) -> None:
        """Store a batch in one transaction, its messages without savepoints of their own.

        A savepoint per message costs about as much as one of its rows, and only
        a message that fails after writing part of itself needs one: then the
        batch is rolled back and stored again with a savepoint per message,
        which undoes that message alone.
        """
        before = self._state()
        try:
            self._store(batch, savepoints=False)
        except _Redo:
            self._restore(before)
            self._store(batch, savepoints=True)
        if self.after_commit is not None:
            not_stored = {label for label, _why in self.summary.skipped[before[0][3] :]}
            self.after_commit([label for label, _raw, _error in batch if label not in not_stored])
        if self.progress is not None:
            self.progress(len(batch))

    def _store(self, batch: list[Item], *, savepoints: bool) -> None:
        """Without savepoints, the new tickets are written together (core/new_tickets.py): any
        failure then has the batch stored again one message at a time, with savepoints."""
        self._savepoints = savepoints
        together = self.together and not savepoints and not self.restore and self.on_new_ticket is None
        written_together = False  # only then is a failure a reason to store the batch again
        try:
            with self.store.transaction(savepoints=savepoints) as conn, search_index.suspended(conn), \
                    (self.service.new_tickets_together(conn) if together else nullcontext()) as pending:
                written_together = pending is not None
                for label, raw, error in batch:
                    if raw is None:
                        self.summary.skipped.append((label, error or _("unreadable")))
                    else:
                        self._one(label, raw)
        except _Redo:
            raise
        except Exception as error:
            if written_together:
                raise _Redo from error
            raise

    def _state(self) -> tuple[tuple[int, ...], dict[int, int], dict[int, str], dict[int, str]]:
        summary = self.summary
        counts = (summary.tickets_created, summary.messages_added, summary.duplicates, len(summary.skipped),
                  summary.restore_headers_ignored, summary.unverified_own_address)
        return counts, dict(self._exported_tickets), dict(self._wanted_status), dict(self._wanted_state)

    def _restore(self, state: tuple[tuple[int, ...], dict[int, int], dict[int, str], dict[int, str]]) -> None:
        (created, added, duplicates, skipped, ignored, unverified), exported, status, state_ = state
        self._exported_tickets, self._wanted_status, self._wanted_state = exported, status, state_
        summary = self.summary
        summary.tickets_created, summary.messages_added, summary.duplicates = created, added, duplicates
        summary.restore_headers_ignored, summary.unverified_own_address = ignored, unverified
        del summary.skipped[skipped:]

    def _one(self, label: str, raw: bytes | ParsedMail) -> None:
        mail = raw if isinstance(raw, ParsedMail) else parse_message(raw)  # parse_message never raises
        pending = self.service.new_tickets
        if pending is not None and pending.refers_to(mail.message_id, mail.content_hash, mail.thread_ids,
                                                     (mail.ticket_tag, mail.exported_ticket)):
            pending.write()  # what this message is checked against is then all in the store
        if self._already_there(mail):
            self.summary.duplicates += 1
            return
        mail.date = self._moment(label, mail)
        written = self._written()
        kind = self._kind(mail)
        try:
            # All _add writes are undone together (a savepoint when the batch has them, see _batch):
            # the message is then stored again another way, never half of it twice.
            with self.store.transaction():
                self._add(mail, kind)
        except Exception as error:  # noqa: BLE001 - one bad message never aborts the import
            # Without savepoints a failed message is undone alone only if it wrote nothing (and took
            # no ids, see _written) and the store kept the transaction (SQLite does; on PostgreSQL
            # any error loses it).
            if not self._savepoints and (self._written() != written or self.store.transaction_lost):
                raise _Redo from error
            if _cannot_write(error) or not self._add_as_new_ticket(mail, kind):
                why = str(error) if isinstance(error, TuiDeskError) else f"{type(error).__name__}: {error}"
                self.summary.skipped.append((label, why))

    def _add_as_new_ticket(self, mail: ParsedMail, kind: str) -> bool:
        """Store a message that failed as what it claims to be (a reply to no known ticket, a
        reply without text...) as what it surely is: a new ticket from its sender. False if even
        that fails."""
        written = self._written()
        try:
            with self.store.transaction():
                self._add(mail, "unverified" if kind == "unverified" else "customer", new_ticket=True)
        except Exception as error:  # noqa: BLE001 - reported by the caller
            if not self._savepoints and (self._written() != written or self.store.transaction_lost):
                raise _Redo from error
            return False
        return True

    def _written(self) -> tuple[int, int]:
        """Rows changed so far, and ids taken for new tickets written together (core/new_tickets.py):
        a message that failed after either is not undone alone."""
        pending = self.service.new_tickets
        return self.store.conn.total_changes, 0 if pending is None else pending.taken()

    def _moment(self, label: str, mail: ParsedMail) -> datetime:
        now = self.service.clock()
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        arrival = self.arrival(label) if self.arrival is not None else None
        return message_time(self.dates, mail.date, arrival, now)

    def _already_there(self, mail: ParsedMail) -> bool:
        """Whether this very message is stored: its Message-ID, if it is the same message, else its bytes.

        A Message-ID is whatever the sender wrote: a broken mailer repeats one, a
        stranger can copy another customer's or one of ours. Taking it alone as
        "already there" would drop such a message (and mark it seen on IMAP). A
        message stored under its Message-ID is the same one when its text is, or
        when it is the desk's own mail coming back From our address; anything
        else is stored without the taken Message-ID, found again by its bytes.
        """
        conn = self.store.conn
        if mail.message_id:
            row = mail_records.message_by_id(conn, mail.message_id)
            if row is None:
                return self._exported_copy(mail)
            if self._same_message(mail, *row):
                return True
            mail.message_id = None
        return mail_records.has_content_hash(conn, mail.content_hash)

    def _exported_copy(self, mail: ParsedMail) -> bool:
        """Whether this is our mbox export of a message stored here without a Message-ID.

        The export made one up from the stored row (export.synthetic_id); the
        row itself still has none, so the made-up ID is computed again for the
        rows of the ticket the export names (followed through merges), and
        believed only with the same text and attachments: a stranger who copies
        such an ID can only drop a copy of what is already stored.
        """
        if not (mail.message_id or "").endswith(f"@{SYNTHETIC_DOMAIN}>") or mail.exported_ticket is None:
            return False
        conn = self.store.conn
        ticket: int | None = mail.exported_ticket
        followed: set[int] = set()
        pending = self.service.new_tickets
        while ticket is not None and ticket not in followed:
            followed.add(ticket)
            if pending is not None and pending.holds(ticket):
                pending.write()  # refers_to saw the ticket the export names, not the one it was merged into
            for row_id, created_at, body in mail_records.messages_without_id(conn, ticket):
                if synthetic_id(mail.exported_ticket, row_id, created_at, body) == mail.message_id:
                    return self._same_content(mail, row_id, body or "")
            ticket = mail_records.merged_into(conn, ticket)
        return False

    def _same_message(self, mail: ParsedMail, stored_id: int, kind: str, body: str) -> bool:
        if kind != "customer" and mail.sender.lower() in self.our:
            return True  # the desk's reply or note (or our export of it) coming back
        return self._same_content(mail, stored_id, body)

    def _same_content(self, mail: ParsedMail, stored_id: int, body: str) -> bool:
        if body.strip() != mail.body.strip():
            return False
        sizes = mail_records.attachment_sizes(self.store.conn, stored_id)
        return sorted(sizes) == sorted(len(data) for _name, _type, data in mail.attachments)

    def _thread(self, mail: ParsedMail, kind: str) -> int | None:
        conn = self.store.conn
        self._by_tag_only = False  # found by [#N] alone, which anyone can write with a forged From
        for reference in mail.thread_ids:
            found = mail_records.ticket_of_message(conn, reference)
            if found is not None:
                return found
        if self.restore and mail.exported_ticket is not None:
            # Our own export: its [#N] tags are the other store's numbers, not ours.
            return self._exported_tickets.get(mail.exported_ticket)
        if mail.ticket_tag is None:
            return None
        self._by_tag_only = True
        if kind in ("reply", "note"):  # the desk's own mail (trusted by the user's choice, or a restore)
            return mail.ticket_tag if mail_records.ticket_exists(conn, mail.ticket_tag) else None
        return mail.ticket_tag if self._writes_in(mail.sender, mail.ticket_tag) else None

    def _writes_in(self, sender: str, ticket_id: int) -> bool:
        """Whether a sender may join a ticket by its [#N]: its customer, someone in its Cc, or who already wrote in it.

        Ticket numbers count up and show in every subject: anyone can guess one.
        A stranger's "[#N]" would reopen another customer's ticket and put his
        words in the thread the agent answers that customer from; his mail is
        a ticket of its own instead. (Quoting a Message-ID of the thread, as a
        reply from a colleague in Cc does, still joins it.)
        """
        if sender == UNKNOWN_SENDER:  # all the people who wrote no address share it: none of them proves anything
            return False
        # The people the ticket copies (its Cc) write in too, as reply-all invites them to.
        writers = [*mail_records.ticket_writers(self.store.conn, ticket_id), *copies.ticket_cc(self.store.conn, ticket_id)]
        # Compared here: SQLite's NOCASE and lower() fold ASCII letters only (JÜRGEN@MÜLLER.DE).
        return sender.casefold() in {str(writer).casefold() for writer in writers}

    def _kind(self, mail: ParsedMail) -> str:
        """customer, reply or note; "unverified" for a customer message From one of our addresses."""
        if not self.restore and (mail.kind or mail.exported_ticket is not None or mail.exported_status
                                 or mail.author or mail.state):
            self.summary.restore_headers_ignored += 1
        if self.restore and mail.kind:
            return mail.kind
        if mail.sender.lower() in self.our:
            return "reply" if self.trust_own_address else "unverified"
        return "customer"

    def _add(self, mail: ParsedMail, kind: str, *, new_ticket: bool = False) -> None:
        service = self.service
        ticket_id = None if new_ticket else self._thread(mail, kind)
        flagged = kind == "unverified"
        kind = "customer" if flagged else kind
        author = mail.author if self.restore else None
        message_id = mail.message_id
        content_hash = None if message_id else mail.content_hash
        if kind == "customer" and ticket_id is None:
            subject = " ".join(_TAG.sub("", mail.subject).split())
            ticket_id = service.create_ticket(
                email=mail.sender,
                name=mail.sender_name,
                subject=subject,
                body=mail.body,
                at=mail.date,
                message_id=message_id,
                in_reply_to=mail.in_reply_to,
                references=" ".join(mail.references) or None,
                content_hash=content_hash,
                attachments=mail.attachments,
                **self._copies(mail),
                department=self.department,
                mailbox=self.mailbox,
                route=not self.restore,  # a restore brings tickets back as they were
            )
            if self.on_new_ticket is not None:
                self.on_new_ticket(ticket_id, mail)
            self.summary.tickets_created += 1
        elif kind == "customer" and ticket_id is not None:
            ticket_id = service.add_customer_message(
                ticket_id,
                mail.body,
                at=mail.date,
                author=mail.sender,
                message_id=message_id,
                in_reply_to=mail.in_reply_to,
                references=" ".join(mail.references) or None,
                content_hash=content_hash,
                attachments=mail.attachments,
                # A forged From with a guessed [#N] joins the thread, but may not redirect or copy
                # the customer's answers: only mail quoting the thread's Message-IDs brings Cc/Reply-To.
                **({} if self._by_tag_only else self._copies(mail)),
            ).ticket_id  # the ticket it went into: another one if this one was merged
        elif ticket_id is None:
            raise InvalidInput(_("sent by the help desk but not part of a known ticket"))
        elif kind == "reply":
            service.reply(
                ticket_id,
                mail.body,
                actor=author or mail.sender,
                message_id=message_id,
                at=mail.date,
                attachments=mail.attachments,
                in_reply_to=mail.in_reply_to,
                references=" ".join(mail.references) or None,
                content_hash=content_hash,
            )
        else:  # an internal note from our own export
            clock = service.clock
            if mail.date is not None:
                service.clock = lambda: mail.date  # type: ignore[assignment,return-value]
            try:
                change = service.add_note(ticket_id, mail.body, actor=author or mail.sender)
            finally:
                service.clock = clock
            if change.message_id is not None:
                if service.new_tickets is not None:
                    service.new_tickets.write()  # the note's row may be pending (core/new_tickets.py)
                mail_records.set_message_identity(self.store.conn, change.message_id, message_id, content_hash)
        if flagged:
            # Anyone can write our address in From: say so where the agent reads the thread.
            moment = to_text(mail.date or service.clock())
            ids = service.new_tickets
            if ids is not None:  # pending with the rows of the message it flags (core/new_tickets.py)
                ids.add_to(ticket_id, None, (), [{"at": moment, "actor": mail.sender, "kind": EventKind.UNVERIFIED_SENDER,
                                                  "from_value": None, "to_value": None, "detail": None}])
            else:
                writes.insert_event(self.store.conn, ticket_id, moment, mail.sender, EventKind.UNVERIFIED_SENDER)
            self.summary.unverified_own_address += 1
        if self.restore and mail.exported_ticket is not None:
            self._exported_tickets.setdefault(mail.exported_ticket, ticket_id)
            if mail.exported_status:
                self._wanted_status[ticket_id] = mail.exported_status
            if mail.state:
                self._wanted_state[ticket_id] = mail.state
        self.summary.messages_added += 1

    def _copies(self, mail: ParsedMail) -> dict[str, Any]:
        """The Cc and Reply-To a customer's mail brings, never one of the desk's own addresses.

        Mail copied to the desk itself would otherwise be copied back to it by every reply: a loop.
        """
        ours = self._our_mailboxes
        cc = [a for a in mail.cc if mailbox_key(a) not in ours]
        reply_to = mail.reply_to
        if reply_to and (mailbox_key(reply_to) in ours or reply_to == mail.sender.lower() or is_automated(reply_to)):
            reply_to = None  # answers go to the sender, as they would without it
        return {"cc": cc, "reply_to": reply_to}

    def _restore_state(self) -> None:
        """A restore of our own mbox export: bring each ticket to the status and state it had."""
        for ticket_id in dict.fromkeys([*self._wanted_status, *self._wanted_state]):
            state = read_state(self._wanted_state.get(ticket_id))
            restore_ticket(self.service, ticket_id, self._wanted_status.get(ticket_id), state)


def import_paths(
    service: TicketService,
    paths: Sequence[str | os.PathLike[str]],
    our_addresses: Iterable[str] = (),
    progress: Callable[[int], None] | None = None,
    *,
    restore: bool = False,
    trust_own_address: bool = False,
) -> ImportSummary:
    sources = find_sources(paths)
    importer = Importer(
        service,
        our_addresses,
        progress=progress,
        restore=restore,
        trust_own_address=trust_own_address,
        dates=MessageDates.ARCHIVE,
    )
    return importer.run_sources(sources, sum(s.count() for s in sources))



def _cannot_write(error: Exception) -> bool:
    """A failure of the store itself (disk full, I/O, damaged or locked file): storing the message
    another way would fail too, so it is reported as not stored."""
    return isinstance(error, (StoreError, sqlite3.Error, OSError, MemoryError))


"""Mail into tickets: sources (mbox, Maildir, .eml), threading, idempotent batched import.

Every message goes through TicketService (create_ticket, add_customer_message,
reply, add_note), each call its own savepoint inside one outer transaction per
batch of messages: one commit per few hundred messages instead of one each,
and a message that fails is undone alone and reported as skipped.
"""

from __future__ import annotations

import contextlib
import mailbox
import multiprocessing
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import InvalidInput, TuiDeskError
from ..core.lifecycle import TicketService
from ..core.models import Status
from ..i18n import _
from .parse import _TAG, ParsedMail, Unusable, parse_message

BATCH_SIZE = 400
PARALLEL_FROM = 1000  # messages; fewer are parsed in this process


@dataclass
class ImportSummary:
    tickets_created: int = 0
    messages_added: int = 0
    duplicates: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (which message, why)

    @property
    def seen(self) -> int:
        return self.messages_added + self.duplicates + len(self.skipped)

    def line(self) -> str:
        return _(
            "{tickets} tickets created, {messages} messages added, {duplicates} already there, {skipped} skipped"
        ).format(
            tickets=self.tickets_created,
            messages=self.messages_added,
            duplicates=self.duplicates,
            skipped=len(self.skipped),
        )


# -- sources -----------------------------------------------------------------------------------
@dataclass
class Source:
    """One mbox file, Maildir folder or .eml file."""

    path: Path
    kind: str  # mbox | maildir | eml
    _box: mailbox.Mailbox | None = None

    def box(self) -> mailbox.Mailbox:
        if self._box is None:
            if self.kind == "mbox":
                self._box = mailbox.mbox(self.path, create=False)
            else:
                self._box = mailbox.Maildir(self.path, factory=None, create=False)
        return self._box

    def count(self) -> int:
        return 1 if self.kind == "eml" else len(self.box())

    def messages(self) -> Iterator[tuple[str, bytes | None, str | None]]:
        """(label, raw bytes or None, error or None) for each message."""
        if self.kind == "eml":
            try:
                yield str(self.path), self.path.read_bytes(), None
            except OSError as error:
                yield str(self.path), None, str(error.strerror or error)
            return
        box = self.box()
        for position, key in enumerate(box.iterkeys(), start=1):
            label = f"{self.path}:{position}" if self.kind == "mbox" else f"{self.path}/{key}"
            try:
                yield label, box.get_bytes(key), None
            except (OSError, KeyError, ValueError) as error:
                yield label, None, str(error)


def find_sources(paths: Sequence[str | os.PathLike[str]]) -> list[Source]:
    """What each path is: a Maildir (cur/new/tmp), a folder of .eml files, an mbox or one message."""
    sources: list[Source] = []
    for given in paths:
        path = Path(given).expanduser()
        if not path.exists():
            raise InvalidInput(_("No such file or folder: {path}").format(path=path))
        if path.is_dir():
            if (path / "cur").is_dir() or (path / "new").is_dir():
                sources.append(Source(path, "maildir"))
            else:
                for child in sorted(path.rglob("*")):
                    if child.is_file() and child.suffix.lower() in (".eml", ".msg", ".mbox", ".mbx"):
                        sources.append(Source(child, "mbox" if _looks_like_mbox(child) else "eml"))
        else:
            sources.append(Source(path, "mbox" if _looks_like_mbox(path) else "eml"))
    return sources


def _looks_like_mbox(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"From "
    except OSError:
        return False


# -- the importer --------------------------------------------------------------------------------
class Importer:
    """Threads and stores messages; see the module docstring.

    ``our_addresses``: mail from these is an agent reply. ``after_commit`` is
    called with the labels of each committed batch (IMAP marks them seen then).
    """

    def __init__(
        self,
        service: TicketService,
        our_addresses: Iterable[str] = (),
        *,
        batch_size: int = BATCH_SIZE,
        after_commit: Callable[[list[str]], None] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.service = service
        self.store = service.store
        self.our = {a.strip().lower() for a in our_addresses if a and a.strip()}
        self.batch_size = max(1, batch_size)
        self.after_commit = after_commit
        self.progress = progress
        self.summary = ImportSummary()
        self._exported_tickets: dict[int, int] = {}  # ticket id in an exported mbox -> ours
        self._wanted_status: dict[int, str] = {}

    def run(self, items: Iterable[tuple[str, bytes | None, str | None]]) -> ImportSummary:
        batch: list[tuple[str, bytes | None, str | None]] = []
        for item in items:
            batch.append(item)
            if len(batch) >= self.batch_size:
                self._batch(batch)
                batch = []
        if batch:
            self._batch(batch)
        self._restore_statuses()
        return self.summary

    def run_sources(self, sources: Sequence[Source], total: int | None = None) -> ImportSummary:
        items = (item for source in sources for item in source.messages())
        workers = min(4, os.cpu_count() or 1)
        if workers < 2 or (total is not None and total < PARALLEL_FROM) or not _can_fork():
            return self.run(items)
        # Parsing costs about as much as storing: other processes parse while this one stores.
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=_lower_priority) as pool:
            return self.run(pool.imap(_parse_item, items, chunksize=64))


    # -- one batch: one transaction, a savepoint per message -----------------------------------
    def _batch(self, batch: list[tuple[str, bytes | None, str | None]]) -> None:
        with self.store.transaction() as conn:
            suspended = _suspend_fts(conn)
            for label, raw, error in batch:
                if isinstance(raw, ParsedMail | Unusable):
                    self._one(label, raw)
                elif raw is None:
                    self.summary.skipped.append((label, error or _("unreadable")))
                else:
                    self._one(label, raw)
            _resume_fts(conn, suspended)
        if self.after_commit is not None:
            self.after_commit([label for label, _raw, _error in batch])
        if self.progress is not None:
            self.progress(len(batch))

    def _one(self, label: str, raw: bytes | ParsedMail | Unusable) -> None:
        try:
            mail = raw if isinstance(raw, ParsedMail) else parse_message(raw) if isinstance(raw, bytes) else None
            if mail is None:
                raise raw  # type: ignore[misc]  # parsed (and found unusable) by a worker
        except Unusable as error:
            self.summary.skipped.append((label, str(error)))
            return
        if self._already_there(mail):
            self.summary.duplicates += 1
            return
        try:
            if mail.kind == "note":  # two writes (the note, then its ids): one savepoint for both
                with self.store.transaction():
                    self._add(mail)
            else:  # one TicketService call, itself a savepoint: a failure undoes this message alone
                self._add(mail)
        except TuiDeskError as error:
            self.summary.skipped.append((label, str(error)))
        except Exception as error:  # noqa: BLE001 - one bad message never aborts the import
            self.summary.skipped.append((label, f"{type(error).__name__}: {error}"))

    def _already_there(self, mail: ParsedMail) -> bool:
        conn = self.store.conn
        if mail.message_id:
            return conn.execute("SELECT 1 FROM messages WHERE message_id = ?", [mail.message_id]).fetchone() is not None
        return conn.execute("SELECT 1 FROM messages WHERE content_hash = ?", [mail.content_hash]).fetchone() is not None

    def _thread(self, mail: ParsedMail) -> int | None:
        conn = self.store.conn
        for reference in mail.thread_ids:
            row = conn.execute("SELECT ticket_id FROM messages WHERE message_id = ?", [reference]).fetchone()
            if row:
                return int(row[0])
        if mail.exported_ticket is not None:
            # Our own export: its [#N] tags are the other store's numbers, not ours.
            return self._exported_tickets.get(mail.exported_ticket)
        if mail.ticket_tag is not None:
            row = conn.execute("SELECT id FROM tickets WHERE id = ?", [mail.ticket_tag]).fetchone()
            if row:
                return int(row[0])
        return None

    def _add(self, mail: ParsedMail) -> None:
        service = self.service
        ticket_id = self._thread(mail)
        kind = mail.kind or ("reply" if mail.sender.lower() in self.our else "customer")
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
            )
            self.summary.tickets_created += 1
        elif kind == "customer":
            service.add_customer_message(
                ticket_id,
                mail.body,
                at=mail.date,
                author=mail.sender,
                message_id=message_id,
                in_reply_to=mail.in_reply_to,
                references=" ".join(mail.references) or None,
                content_hash=content_hash,
                attachments=mail.attachments,
            )
        elif ticket_id is None:
            raise InvalidInput(_("sent by the help desk but not part of a known ticket"))
        elif kind == "reply":
            service.reply(
                ticket_id,
                mail.body,
                actor=mail.author or mail.sender,
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
                change = service.add_note(ticket_id, mail.body, actor=mail.author or mail.sender)
            finally:
                service.clock = clock
            self.store.conn.execute(
                "UPDATE messages SET message_id = ?, content_hash = ? WHERE id = ?",
                [message_id, content_hash, change.message_id],
            )
        if mail.exported_ticket is not None:
            self._exported_tickets.setdefault(mail.exported_ticket, ticket_id)
            if mail.exported_status:
                self._wanted_status[ticket_id] = mail.exported_status
        self.summary.messages_added += 1

    def _restore_statuses(self) -> None:
        """An import of our own mbox export: bring each ticket to the status it had."""
        for ticket_id, wanted in self._wanted_status.items():
            current = self.store.scalar("SELECT status FROM tickets WHERE id = ?", [ticket_id])
            if current is None or current == wanted or wanted in (Status.NEW, Status.ANSWERED):
                continue
            try:
                if wanted == Status.OPEN:
                    if current != Status.NEW:
                        self.service.reopen(ticket_id)
                elif wanted == Status.POSTPONED:
                    continue  # needs its wake-up time, which only the json export carries
                else:
                    self.service.set_status(ticket_id, wanted)
            except TuiDeskError:
                continue


def import_paths(
    service: TicketService,
    paths: Sequence[str | os.PathLike[str]],
    our_addresses: Iterable[str] = (),
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    sources = find_sources(paths)
    return Importer(service, our_addresses, progress=progress).run_sources(sources, sum(s.count() for s in sources))


def _lower_priority() -> None:
    """Parsing workers yield the CPU to the process that stores (the import's bottleneck)."""
    with contextlib.suppress(AttributeError, OSError):
        os.nice(5)


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _parse_item(item: tuple[str, bytes | None, str | None]) -> tuple[str, ParsedMail | Unusable | None, str | None]:
    label, raw, error = item
    if raw is None:
        return label, None, error
    try:
        return label, parse_message(raw), None
    except Unusable as unusable:
        return label, unusable, None


_FTS_INSERT_TRIGGERS = {"messages_fts_insert": "messages", "tickets_fts_insert": "tickets"}


def _suspend_fts(conn: sqlite3.Connection) -> list[tuple[str, str, int]]:
    """Drop the FTS insert triggers for this transaction; _resume_fts indexes the new rows in bulk.

    Per-row FTS triggers cost about a third of an imported message; one
    INSERT ... SELECT at the end of the batch costs almost nothing. The DDL is
    part of the batch's transaction: other connections never see the store
    without its triggers, and a rollback brings them back.
    """
    suspended = []
    for name, table in _FTS_INSERT_TRIGGERS.items():
        row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", [name]).fetchone()
        if row is None:
            continue
        last = conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
        conn.execute(f"DROP TRIGGER {name}")
        suspended.append((row[0], table, int(last)))
    return suspended


def _resume_fts(conn: sqlite3.Connection, suspended: list[tuple[str, str, int]]) -> None:
    for sql, table, last in suspended:
        column = "body" if table == "messages" else "subject"
        conn.execute(
            f"INSERT INTO {table}_fts(rowid, {column}) SELECT id, {column} FROM {table} WHERE id > ?", [last]
        )
        conn.execute(sql)

"""Where imported mail comes from: mbox files, Maildir folders, .eml files, read here or parsed by
other processes while the importer stores (see Importer.run_sources in mail/importer.py)."""

from __future__ import annotations

import collections
import contextlib
import ctypes
import mailbox
import mmap
import multiprocessing
import os
import re
import signal
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from ..domain.errors import InvalidInput
from ..i18n import _
from .parse import ParsedMail, parse_message

_T = TypeVar("_T")

Item = tuple[str, bytes | ParsedMail | None, str | None]  # (which message, it or None, error)


@dataclass
class Source:
    """One mbox file, Maildir folder or .eml file."""

    path: Path
    kind: str  # mbox | maildir | eml
    _box: mailbox.Maildir | None = None
    _count: int | None = None

    def box(self) -> mailbox.Maildir:
        if self._box is None:
            self._box = mailbox.Maildir(self.path, factory=None, create=False)
        return self._box

    def spans(self) -> Iterator[tuple[int, int]]:
        """An mbox's messages as byte offsets (see mbox_spans), found as they are read: a list
        of a million of them would take a hundred MB."""
        return iter_mbox_spans(self.path)

    def count(self) -> int:
        if self.kind == "eml":
            return 1
        if self.kind == "mbox":
            if self._count is None:
                self._count = sum(1 for _span in self.spans())
            return self._count
        return len(self.box())

    def messages(self) -> Iterator[tuple[str, bytes | None, str | None]]:
        """(label, raw bytes or None, error or None) for each message."""
        if self.kind == "eml":
            try:
                yield str(self.path), self.path.read_bytes(), None
            except OSError as error:
                yield str(self.path), None, str(error.strerror or error)
        elif self.kind == "mbox":
            for chunk in self._mbox_chunks():
                yield from _read_mbox(str(self.path), chunk)
        else:
            box = self.box()
            for key in box.iterkeys():
                try:
                    yield f"{self.path}/{key}", box.get_bytes(key), None
                except (OSError, KeyError, ValueError) as error:
                    yield f"{self.path}/{key}", None, str(error)

    def tasks(self) -> Iterator[_Task]:
        """This source's messages in chunks for the parsing processes: an mbox's as offsets they read."""
        if self.kind == "mbox":
            for chunk in self._mbox_chunks():
                yield str(self.path), chunk
        else:
            for items in _chunks(self.messages(), lambda item: len(item[1] or b"")):
                yield None, items

    def _mbox_chunks(self) -> Iterator[list[tuple[str, int, int]]]:
        entries = ((f"{self.path}:{n}", start, stop) for n, (start, stop) in enumerate(self.spans(), start=1))
        return _chunks(entries, lambda entry: entry[2] - entry[1])


_LINESEP = os.linesep.encode()


def mbox_spans(path: Path) -> list[tuple[int, int]]:
    """(start, stop) byte offsets of each message of an mbox, its "From " line left out."""
    return list(iter_mbox_spans(path))


def iter_mbox_spans(path: Path) -> Iterator[tuple[int, int]]:
    """(start, stop) byte offsets of each message of an mbox, its "From " line left out, one by one.

    The messages and bytes mailbox.mbox reads: each line starting with "From "
    starts a message, the empty line before the next one is not part of it.
    mailbox.mbox finds them reading every line in Python, a tenth of an import's
    time; bytes.find over a memory map finds them at C speed.
    """
    with path.open("rb") as handle:
        try:
            data: mmap.mmap | bytes = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # empty, or not a regular file
            data = handle.read()
        try:
            size = len(data)
            # A UTF-8 BOM (written by Windows editors) before the first "From " line: mailbox.mbox
            # would drop the first message.
            first = len(_BOM) if data[: len(_BOM) + 5] == _BOM + b"From " else 0
            start = first if data[first : first + 5] == b"From " else -1
            found = data.find(b"\nFrom ")
            released = 0
            while start >= 0 or found >= 0:
                if start < 0:  # text before the first "From " line: not a message
                    start, found = found + 1, data.find(b"\nFrom ", found + 1)
                    continue
                end = found + 1 if found >= 0 else size
                line_end = data.find(b"\n", start, end)
                first = end if line_end < 0 else line_end + 1
                last_line = data[data.rfind(b"\n", 0, end - 1) + 1 : end]
                yield first, end - len(_LINESEP) if last_line == _LINESEP else end
                if found < 0:
                    break
                if found - released >= _RELEASE_EVERY and isinstance(data, mmap.mmap):
                    released = _release(data, released, found)
                start, found = found + 1, data.find(b"\nFrom ", found + 1)
        finally:
            if isinstance(data, mmap.mmap):
                data.close()


# The pages of the map already searched are given back every so often: they are the file's
# (the page cache keeps them), but counted as this process's memory while mapped, all of a
# 1 GB mbox by its end (docs/issue16/import.md).
_RELEASE_EVERY = 32 << 20


def _release(data: mmap.mmap, released: int, before: int) -> int:
    """Give back the mapped pages from `released` up to the page holding `before`; the new mark."""
    upto = before - before % mmap.PAGESIZE
    if upto > released and hasattr(mmap, "MADV_DONTNEED"):
        with contextlib.suppress(OSError, ValueError):
            data.madvise(mmap.MADV_DONTNEED, released, upto - released)
    return upto


def _read_mbox(path: str, entries: list[tuple[str, int, int]]) -> list[tuple[str, bytes | None, str | None]]:
    """The messages at these offsets of an mbox, read in one go (they follow each other)."""
    first, last = entries[0][1], entries[-1][2]
    try:
        with open(path, "rb") as handle:
            handle.seek(first)
            data = handle.read(max(0, last - first))
    except OSError as error:
        return [(label, None, str(error.strerror or error)) for label, _start, _stop in entries]
    items: list[tuple[str, bytes | None, str | None]] = []
    for label, start, stop in entries:
        raw = data[start - first : stop - first]
        items.append((label, raw if _LINESEP == b"\n" else raw.replace(_LINESEP, b"\n"), None))
    return items


def find_sources(paths: Sequence[str | os.PathLike[str]], not_mail: list[Path] | None = None) -> list[Source]:
    """What each path is: a Maildir (cur/new/tmp), a folder of messages and mboxes, an mbox or one message.

    In a folder, a file named .eml/.msg/.mbox/.mbx is mail; any other is read
    when it starts like a message or an mbox (MH folders number their files,
    people save mail as .txt), else added to ``not_mail`` for the caller to name.
    """
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
                    if not child.is_file():
                        continue
                    if child.suffix.lower() in _MAIL_SUFFIXES or _looks_like_mail(child):
                        sources.append(Source(child, "mbox" if _looks_like_mbox(child) else "eml"))
                    elif not_mail is not None:
                        not_mail.append(child)
        elif not path.is_file():
            # A pipe (`import <(zcat old.mbox.gz)`) can be read only once, and an import
            # reads a mailbox twice: to find its messages, then to parse them.
            raise InvalidInput(
                _("{path} is not a regular file (a pipe?): save it to a file, then import that").format(path=path)
            )
        else:
            sources.append(Source(path, "mbox" if _looks_like_mbox(path) else "eml"))
    return sources


def _looks_like_mbox(path: Path) -> bool:
    """Whether the file starts with a "From " line, after a BOM or blank lines (else the whole
    mailbox would be read as one message of the unknown sender)."""
    try:
        with path.open("rb") as handle:
            start = handle.read(4096)
    except OSError:
        return False
    return start.removeprefix(_BOM).lstrip(b"\r\n").startswith(b"From ")


_BOM = b"\xef\xbb\xbf"
_MAIL_SUFFIXES = (".eml", ".msg", ".mbox", ".mbx")
# Header fields that only mail starts with: "Subject:" or "Note:" alone start many a text file.
_MAIL_FIELDS = frozenset({
    b"from", b"sender", b"received", b"return-path", b"message-id", b"delivered-to", b"date", b"mime-version",
    b"x-original-to", b"envelope-to", b"dkim-signature", b"arc-seal", b"authentication-results",
})
_FIELD = re.compile(rb"([!-9;-~]+)[ \t]*:")  # RFC 5322 field name: printable ASCII but the colon


def _looks_like_mail(path: Path) -> bool:
    """Whether a file starts as an mbox or as a message: header lines (one of them a mail field) up to a
    blank line or the end of what is read."""
    try:
        with path.open("rb") as handle:
            start = handle.read(8192)
    except OSError:
        return False
    if start.removeprefix(_BOM).lstrip(b"\r\n").startswith(b"From "):
        return True
    lines = start.replace(b"\r\n", b"\n").split(b"\n")
    if len(start) == 8192:
        lines = lines[:-1]  # cut off where reading stopped
    fields: list[bytes] = []
    for line in lines:
        if not line:
            break
        if line[:1] in (b" ", b"\t") and fields:
            continue  # a folded header line
        found = _FIELD.match(line)
        if found is None:
            return False
        fields.append(found.group(1).lower())
    return bool(_MAIL_FIELDS.intersection(fields))



# -- parsing in other processes ---------------------------------------------------------------
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _start_parser(importer: int) -> None:
    """A parsing process yields the CPU to the process that stores (the import's bottleneck),
    and ends with it: an importer killed outright (SIGKILL runs no cleanup) would otherwise
    leave its parsers waiting for work for good, since they hold the task queue open themselves."""
    with contextlib.suppress(AttributeError, OSError):
        os.nice(5)
    try:  # Linux; elsewhere the parsers outlive a killed importer as before
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (AttributeError, OSError):
        return
    if os.getppid() != importer:  # it died before the line above
        os._exit(1)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


_CHUNK = 64  # messages per task of a parsing process, at most
_CHUNK_BYTES = 4 << 20
# A chunk of messages for a parsing process: (mbox path, [(label, start, stop)]) to read there, or
# (None, [(label, raw bytes or None, error)]) for messages read here (Maildir, .eml).
_Task = tuple[str | None, list]


def _parsed_in(pool: ProcessPoolExecutor, tasks: Iterator[_Task], window: int) -> Iterator[Item]:
    """The tasks' messages parsed by the pool, in order, with at most `window` tasks under way.

    Submitting every task at once would keep every parsed message until this
    process stores it: the whole mailbox in memory.
    """
    pending: collections.deque[Future[list[Item]]] = collections.deque()
    for task in tasks:
        pending.append(pool.submit(_parse_task, task))
        if len(pending) >= window:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()


def _parse_task(task: _Task) -> list[Item]:
    path, entries = task
    items = _read_mbox(path, entries) if path is not None else entries
    return [_parse_item(item) for item in items]


def _parse_item(item: tuple[str, bytes | None, str | None]) -> Item:
    label, raw, error = item
    if raw is None:
        return label, None, error
    return label, parse_message(raw), None


def _chunks(entries: Iterable[_T], size: Callable[[_T], int]) -> Iterator[list[_T]]:
    """The entries in lists of at most _CHUNK of them and _CHUNK_BYTES bytes (a larger one alone).

    The bytes bound keeps a chunk of huge messages (attachments of many
    megabytes) from costing a parser, and the window of chunks, that much memory.
    """
    chunk: list[_T] = []
    total = 0
    for entry in entries:
        bytes_ = size(entry)
        if chunk and (len(chunk) >= _CHUNK or total + bytes_ > _CHUNK_BYTES):
            yield chunk
            chunk, total = [], 0
        chunk.append(entry)
        total += bytes_
    if chunk:
        yield chunk



@contextlib.contextmanager
def parsed_elsewhere(sources: Sequence[Source], workers: int, batch_size: int) -> Iterator[Iterator[Item]]:
    """The sources' messages parsed by `workers` other processes, in order, while this one stores them.

    ProcessPoolExecutor, not multiprocessing.Pool: the Pool's worker-handler thread wakes up
    on every result that arrives, a tenth of this process's time besides storing.
    """
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_parser, initargs=(os.getpid(),))
    # Tasks are only handed out as parsed messages are taken: while a batch is stored, the
    # parsers work through what is under way. Three batches' worth keeps them ahead.
    window = max(4 * workers, 3 * batch_size // _CHUNK + 1)
    try:
        yield _parsed_in(pool, (task for source in sources for task in source.tasks()), window)
    finally:
        pool.shutdown(cancel_futures=True)  # after an error, no waiting for the parses under way

"""A big mbox is read as a stream (issue 16: a million messages in a few hundred MB): its
messages' places are found one by one, never listed all at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tui_desk.core.lifecycle import TicketService
from tui_desk.mail.importer import import_paths
from tui_desk.mail.sources import Source, iter_mbox_spans, mbox_spans


def _mbox(path: Path, count: int) -> Path:
    with path.open("wb") as out:
        for n in range(count):
            out.write(
                f"From a@example.org Mon Jan  5 08:00:00 2026\nFrom: Ann <ann{n}@example.org>\n"
                f"To: help@desk.example\nSubject: Request {n}\nMessage-ID: <m{n}@example.org>\n\nBody {n}\n\n".encode()
            )
    return path


def test_the_places_of_messages_come_one_by_one(tmp_path: Path) -> None:
    path = _mbox(tmp_path / "big.mbox", 50)
    spans = Source(path, "mbox").spans()
    assert isinstance(spans, Iterator)
    every = mbox_spans(path)
    assert next(iter_mbox_spans(path)) == every[0]
    assert list(spans) == every and len(every) == 50
    assert Source(path, "mbox").count() == 50


def test_an_import_of_a_streamed_mbox_stores_every_message(service: TicketService, tmp_path: Path) -> None:
    path = _mbox(tmp_path / "big.mbox", 120)
    summary = import_paths(service, [path], our_addresses=["help@desk.example"])
    assert summary.seen == 120
    assert service.store.scalar("SELECT count(*) FROM messages") == 120
    assert service.store.scalar("SELECT count(*) FROM tickets") == 120


def _mapped_kb(path: Path) -> int | None:
    """Resident kB of this process's mappings of `path` (Linux /proc/self/smaps), None elsewhere."""
    try:
        lines = Path("/proc/self/smaps").read_text().splitlines()
    except OSError:
        return None
    total, inside = 0, False
    for line in lines:
        fields = line.split()
        if len(fields) >= 5 and "-" in fields[0] and ":" in fields[3]:  # a mapping's first line
            inside = fields[-1] == str(path)
        elif inside and fields and fields[0] == "Rss:":
            total += int(fields[1])
    return total


def test_the_pages_of_a_searched_mbox_are_given_back(tmp_path: Path, monkeypatch) -> None:
    """Finding the messages maps the whole file; a million messages' mbox would count as a GB of
    the import's memory if the pages searched stayed with it (docs/issue16/import.md)."""
    import tui_desk.mail.sources as sources

    path = _mbox(tmp_path / "big.mbox", 30_000)  # about 4 MB
    expected = mbox_spans(path)
    monkeypatch.setattr(sources, "_RELEASE_EVERY", 256 << 10)
    spans = iter_mbox_spans(path)
    found = [next(spans) for _n in range(29_000)]
    resident = _mapped_kb(path)
    found += list(spans)
    assert found == expected
    if resident is not None:
        assert resident < 1024, resident

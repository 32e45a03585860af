"""Files into a reply or a note (issue 15, item 2; docs/issue15/attachments-in.md).

A real SMTP server (aiosmtpd) receives the reply: multipart with the files byte for byte,
to the customer, with the ticket number and the threading headers. An oversized or missing
file is refused in one line before anything is stored or queued.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from support import assert_one_line_error, dump, run_cli
from test_mail_smtp import smtp_server  # noqa: F401 - the fixture

from tui_desk.core.attachment_limit import DEFAULT_LIMIT, limit_from_config, parse_size
from tui_desk.core.lifecycle import TicketService
from tui_desk.domain.errors import InvalidInput
from tui_desk.store import Store, open_store

pytestmark = pytest.mark.both_backends

Run = Callable[..., tuple[int, str, str]]
BINARY = bytes(range(256)) * 40 + b"\r\n\x00end"  # every byte value, CR LF and NUL: nothing may be re-encoded
TEXT = "Lieferschein Nr. 7, Grüße\r\nzweite Zeile ohne Ende".encode()


def write_config(path: Path, port: int | None = None, limit: str | None = None) -> None:
    lines = ["[mail]"]
    if limit is not None:
        lines.append(f'max_attachment_size = "{limit}"')
    if port is not None:
        lines += ["[mail.smtp]", 'host = "127.0.0.1"', f"port = {port}", 'security = "none"',
                  'from = "Example Help <help@desk.example>"']
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def run(db_path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("TUI_DESK_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    open_store(db_path).close()

    def invoke(*args: str) -> tuple[int, str, str]:
        return run_cli(capsys, ["--db", str(db_path), "--as", "alice", *args])

    return invoke


def customer_ticket(run: Run) -> int:
    code, out, err = run("new", "--email", "Carol <carol@example.com>", "--subject", "Delivery note", "--body", "Where is it?")
    assert (code, err) == (0, "")
    return int(out)


def in_store(db_path, query: str, params: list | None = None) -> object:
    store = open_store(db_path)
    try:
        return store.scalar(query, params or [])
    finally:
        store.close()


def test_reply_with_two_files_reaches_the_customer_as_multipart(run: Run, db_path, tmp_path: Path, smtp_server) -> None:  # noqa: F811
    port, handler, _controller = smtp_server
    write_config(tmp_path / "config.toml", port)
    store = open_store(db_path)
    ticket = TicketService(store).create_ticket(email="Carol <carol@example.com>", subject="Delivery note",
                                                body="Where is it?", message_id="<c1@example.com>",
                                                cc=["bob@example.com"])  # her mail copied Bob: a reply-all copies him
    store.close()
    (tmp_path / "scan.pdf").write_bytes(BINARY)
    (tmp_path / "lieferschein.txt").write_bytes(TEXT)

    code, out, err = run("reply", str(ticket), "--body", "Both attached.",
                         "--attach", str(tmp_path / "scan.pdf"), "--attach", str(tmp_path / "lieferschein.txt"))
    assert (code, err) == (0, ""), err
    assert run("send")[0] == 0

    [got] = handler.received
    assert handler.envelopes == [("help@desk.example", ["carol@example.com", "bob@example.com"])]
    assert got.get_content_type() == "multipart/mixed"
    assert got["To"] == "Carol <carol@example.com>"
    assert got["Cc"] == "bob@example.com"
    assert got["Subject"] == f"Re: Delivery note [#{ticket}]"
    assert got["In-Reply-To"] == "<c1@example.com>"
    assert got["References"] == "<c1@example.com>"
    assert got.get_body(("plain",)).get_content().strip() == "Both attached."
    files = [(p.get_filename(), p.get_content_type(), p.get_payload(decode=True)) for p in got.iter_attachments()]
    assert files == [("scan.pdf", "application/pdf", BINARY), ("lieferschein.txt", "text/plain", TEXT)]
    # The agent's message keeps them, each with its id for `attachment save`.
    code, out, _err = run("show", str(ticket), "--json")
    reply = json.loads(out)["messages"][-1]
    assert reply["kind"] == "reply"
    assert [(a["filename"], a["size"]) for a in reply["attachments"]] == [("scan.pdf", len(BINARY)), ("lieferschein.txt", len(TEXT))]
    assert all(isinstance(a["id"], int) for a in reply["attachments"])
    assert in_store(db_path, "SELECT data FROM attachments WHERE id = ?", [reply["attachments"][0]["id"]]) == BINARY


def test_note_with_a_file_keeps_it_and_sends_nothing(run: Run, db_path, tmp_path: Path, smtp_server) -> None:  # noqa: F811
    port, handler, _controller = smtp_server
    write_config(tmp_path / "config.toml", port)
    ticket = customer_ticket(run)
    (tmp_path / "photo.png").write_bytes(BINARY)

    code, out, err = run("note", str(ticket), "--body", "Photo from the warehouse", "--attach", str(tmp_path / "photo.png"))

    assert (code, err) == (0, ""), err
    note = json.loads(run("show", str(ticket), "--json")[1])["messages"][-1]
    assert note["kind"] == "note"
    [attachment] = note["attachments"]
    assert (attachment["filename"], attachment["content_type"], attachment["size"]) == ("photo.png", "image/png", len(BINARY))
    assert in_store(db_path, "SELECT data FROM attachments WHERE id = ?", [attachment["id"]]) == BINARY
    assert in_store(db_path, "SELECT count(*) FROM outbox") == 0
    run("send")
    assert handler.received == []


@pytest.mark.parametrize("command", ["reply", "note"])
def test_oversized_file_is_refused_in_one_line_and_nothing_is_stored(
    run: Run, db_path, tmp_path: Path, command: str, smtp_server  # noqa: F811
) -> None:
    port, _handler, _controller = smtp_server
    write_config(tmp_path / "config.toml", port, limit="1 KB")
    ticket = customer_ticket(run)
    (tmp_path / "small.txt").write_bytes(b"x" * 600)
    (tmp_path / "big.bin").write_bytes(b"x" * 1001)
    store = open_store(db_path)
    before = dump(store)
    store.close()

    code, out, err = run(command, str(ticket), "--body", "see file", "--attach", str(tmp_path / "big.bin"))
    assert_one_line_error(code, out, err, "big.bin", "1 KB", "max_attachment_size")
    # Two files that pass one by one but not together: the one that goes over is named.
    code, out, err = run(command, str(ticket), "--body", "see files",
                         "--attach", str(tmp_path / "small.txt"), "--attach", str(tmp_path / "small.txt"))
    assert_one_line_error(code, out, err, "small.txt", "1.2 KB", "1 KB")
    code, out, err = run(command, str(ticket), "--body", "see file", "--attach", str(tmp_path / "missing.pdf"))
    assert_one_line_error(code, out, err, "missing.pdf", "no such file")
    code, out, err = run(command, str(ticket), "--body", "see file", "--attach", str(tmp_path))
    assert_one_line_error(code, out, err, "not a regular file")

    store = open_store(db_path)
    try:
        assert dump(store) == before
        assert store.scalar("SELECT count(*) FROM outbox") == 0
    finally:
        store.close()


def test_the_service_refuses_past_the_limit_for_the_app_too(service: TicketService, store: Store) -> None:
    ticket = service.create_ticket(email="carol@example.com", subject="S", body="b")
    service.attachment_limit = 1000
    before = dump(store)
    with pytest.raises(InvalidInput, match=r"huge\.zip is 1 KB: over the attachment limit of 1 KB"):
        service.reply(ticket, "here", attachments=[("huge.zip", "application/zip", b"x" * 1001)])
    with pytest.raises(InvalidInput, match=r"b\.txt takes the attachments to 1 KB"):
        service.add_note(ticket, "here", attachments=[("a.txt", "text/plain", b"a" * 600), ("b.txt", "text/plain", b"b" * 401)])
    assert dump(store) == before
    change = service.add_note(ticket, "here", attachments=[("a.txt", "text/plain", b"a" * 1000)])
    assert store.scalar("SELECT size FROM attachments WHERE message_id = ?", [change.message_id]) == 1000


def test_limit_spelling() -> None:
    assert limit_from_config({}) == DEFAULT_LIMIT == 20_000_000
    assert limit_from_config({"mail": {"max_attachment_size": "10 MB"}}) == 10_000_000
    assert parse_size("1.5 mb") == 1_500_000
    assert parse_size("10 MiB") == 10 * 1024 * 1024
    assert parse_size(2048) == 2048
    for bad in ("ten megs", "10 XB", "", 0, -5, True, "0.0001 B"):
        with pytest.raises(InvalidInput, match="max_attachment_size"):
            parse_size(bad)

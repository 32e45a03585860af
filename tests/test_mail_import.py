"""Mail import: the awkward corpus, threading, our own replies, idempotency, export round trips."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest
from support import mail, write_mbox

from tui_desk.cli import main
from tui_desk.core.lifecycle import TicketService
from tui_desk.mail.export import chosen_tickets, export_json, export_mbox, import_json
from tui_desk.mail.importer import Importer, find_sources, import_paths
from tui_desk.mail.parse import html_to_text, parse_message
from tui_desk.store import Store, open_store

pytestmark = pytest.mark.both_backends


def indexed(store: Store, table: str, column: str, word: str) -> int:
    """Rows of a table the full-text index finds by a word (FTS5 on SQLite, GIN on PostgreSQL)."""
    if store.dialect == "postgresql":
        sql = f"SELECT count(*) FROM {table} WHERE search_words({column}) @@ to_tsquery('tui_desk_text', ?)"
    else:
        sql = f"SELECT count(*) FROM {table}_fts WHERE {table}_fts MATCH ?"
    return int(store.scalar(sql, [word]))

CORPUS = Path(__file__).parent / "data" / "mail"
OURS = ["help@desk.example"]




def test_corpus_every_message_imported_or_reported(service: TicketService) -> None:
    files = sorted(CORPUS.glob("*.eml"))
    summary = import_paths(service, files, OURS)
    assert summary.seen == len(files)
    assert summary.skipped == []  # no sender, empty, binary garbage: stored all the same (issue 12 item 6)
    assert summary.messages_added == len(files)
    store = service.store
    unknown = store.scalar("SELECT count(*) FROM tickets t JOIN customers c ON c.id = t.customer_id"
                           " WHERE c.email = 'unknown-sender@tui-desk.invalid'")
    assert unknown == 3
    subjects = {r["subject"] for r in store.query("SELECT subject FROM tickets")}
    assert "Café problem" in subjects and "Ugniježđeno" in subjects and "Račun" in subjects
    assert "\x1b[31mRED\x1b[0m [bold]not bold[/bold] [link=x]" in subjects  # stored as it came
    names = {r["filename"]: r["size"] for r in store.query("SELECT filename, size FROM attachments")}
    assert names["žaba č.pdf"] == 9 and "račun-ü.pdf" in names
    html = store.scalar("SELECT body FROM messages WHERE message_id = '<c7@example.com>'")
    assert "Order & invoice" in html and "• two" in html and "alert" not in html and "color" not in html
    # Importing again adds nothing, also for the message without a Message-ID (content hash).
    again = import_paths(service, files, OURS)
    assert again.messages_added == 0 and again.duplicates == len(files)


def test_cli_import_reports_summary(db_path, capsys) -> None:
    assert main(["import", "--db", str(db_path), str(CORPUS)]) == 0
    out, err = capsys.readouterr()
    assert "12 tickets created, 12 messages added, 0 already there, 0 skipped" in out
    assert "skipped" not in err


def test_threading_by_headers_tag_and_our_replies(service: TicketService, tmp_path: Path) -> None:
    box = write_mbox(tmp_path / "in.mbox", [
        mail("Carol <carol@example.com>", "Printer broken", "It is broken.", "<a1@example.com>"),
        mail("Help <help@desk.example>", "Re: Printer broken", "Try turning it off.", "<a2@desk.example>", "<a1@example.com>"),
        mail("carol@example.com", "Re: Printer broken", "Did not help.", "<a3@example.com>", "<a2@desk.example>"),
        mail("carol@example.com", "Another thing [#1]", "By tag.", "<a4@example.com>"),
        mail("dave@example.com", "New question", "Hello.", None),
    ])
    summary = import_paths(service, [box], OURS, trust_own_address=True)  # e.g. an archive of the desk's own mail
    assert (summary.tickets_created, summary.messages_added) == (2, 5)
    kinds = [r["kind"] for r in service.store.query("SELECT kind FROM messages WHERE ticket_id = 1 ORDER BY id")]
    assert kinds == ["customer", "reply", "customer", "customer"]
    assert service.store.scalar("SELECT status FROM tickets WHERE id = 1") == "open"
    assert service.store.scalar("SELECT name FROM customers WHERE email = 'carol@example.com'") == "Carol"
    assert import_paths(service, [box], OURS, trust_own_address=True).messages_added == 0


def test_maildir_and_batches(service: TicketService, tmp_path: Path) -> None:
    folder = mailbox.Maildir(tmp_path / "Maildir")
    for n in range(25):
        folder.add(mail(f"c{n % 5}@example.com", f"Q{n}", "text", f"<m{n}@x>"))
    committed: list[int] = []
    importer = Importer(service, OURS, batch_size=10, after_commit=lambda labels: committed.append(len(labels)))
    summary = importer.run_sources(find_sources([tmp_path / "Maildir"]))
    assert summary.messages_added == 25 and committed == [10, 10, 5]
    # FTS still finds imported text (the triggers are suspended and rebuilt per batch).
    assert indexed(service.store, "messages", "body", "text") == 25
    assert indexed(service.store, "tickets", "subject", "Q7") == 1
    if service.store.dialect == "sqlite":  # the FTS trigger is back after the batch
        assert service.store.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'messages_fts_insert'") == 1


def test_parallel_parse_path(service: TicketService, tmp_path: Path, monkeypatch) -> None:
    from tui_desk.mail import importer, sources

    monkeypatch.setattr(importer, "PARALLEL_FROM", 1)
    monkeypatch.setattr(sources, "_CHUNK", 7)
    monkeypatch.setattr(sources, "_CHUNK_BYTES", 3000)  # some chunks end by size
    big = EmailMessage()
    big["From"], big["Subject"], big["Message-ID"] = "c@example.com", "Huge", "<huge@x>"
    big.set_content("see attached")
    big.add_attachment(bytes(range(256)) * 24000, maintype="application", subtype="octet-stream", filename="big.bin")
    box = write_mbox(tmp_path / "p.mbox", [mail("a@example.com", f"S{n}", "b", f"<p{n}@x>") for n in range(30)]
                     + [b"Subject: no sender\n\nx", big.as_bytes()])
    folder = mailbox.Maildir(tmp_path / "Maildir")
    for n in range(9):
        folder.add(mail("b@example.com", f"M{n}", "text", f"<md{n}@x>", f"<p{n}@x>"))
    summary = import_paths(service, [box, tmp_path / "Maildir"], OURS)
    assert summary.messages_added == 41 and not summary.skipped
    assert service.store.scalar("SELECT count(*) FROM tickets") == 32
    assert service.store.scalar("SELECT size FROM attachments WHERE filename = 'big.bin'") == 256 * 24000


def test_html_to_text() -> None:
    assert html_to_text("<p>a&amp;b</p><p>c<br>d</p>") == "a&b\n\nc\nd"


def test_parse_never_raises_on_random_bytes() -> None:
    import random

    rng = random.Random(3)
    seed = (CORPUS / "08-attachment-non-ascii.eml").read_bytes()
    for _ in range(300):
        data = bytearray(seed)
        for _ in range(rng.randint(1, 30)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        assert parse_message(bytes(data)).sender  # never raises, always someone's


def _snapshot(store) -> list[tuple]:
    rows = []
    for t in store.query("SELECT t.*, c.email FROM tickets t JOIN customers c ON c.id = t.customer_id ORDER BY created_at, subject"):
        messages = [(m["kind"], m["body"].strip(), m["created_at"]) for m in store.query(
            "SELECT kind, body, created_at FROM messages WHERE ticket_id = ? ORDER BY id", [t["id"]])]
        rows.append((t["subject"], t["email"], t["status"], messages))
    return rows


def _filled(service: TicketService) -> None:
    a = service.create_ticket(email="carol@example.com", subject="Printer", body="Broken", message_id="<x1@e>")
    service.reply(a, "Restart it")
    service.add_customer_message(a, "Works now, thanks")
    service.reply(a, "Great")
    service.resolve(a)
    b = service.create_ticket(email="dave@example.com", subject="Invoice [x]", body="Where?\x1b[31m")
    service.add_note(b, "internal")
    service.mark_spam(service.create_ticket(email="spam@example.com", subject="Buy", body="now"))
    service.create_ticket(email="erin@example.com", subject="Open one", body="hi", attachments=[("ä.txt", "text/plain", b"abc")])


def test_export_import_round_trip(service: TicketService, clock, tmp_path: Path, another_db) -> None:
    _filled(service)
    ids = chosen_tickets(service.store)
    export_json(service.store, tmp_path / "all.json", ids)
    export_mbox(service.store, tmp_path / "all.mbox", ids, "Help <help@desk.example>")
    expected = _snapshot(service.store)
    for name in ("all.json", "all.mbox"):
        other = open_store(another_db(f"{name}.db"))
        if name.endswith(".json"):
            import_json(other, tmp_path / name)
        else:
            summary = import_paths(TicketService(other, clock=clock), [tmp_path / name], OURS, restore=True)
            assert not summary.skipped
        assert _snapshot(other) == expected, name
        if name.endswith(".json"):
            assert other.scalar("SELECT data FROM attachments") == b"abc"
            assert import_json(other, tmp_path / name)[0] == 0  # idempotent
        other.close()


def test_cli_export_filter(db_path, tmp_path: Path, capsys, another_db) -> None:
    service = TicketService(open_store(db_path))
    _filled(service)
    assert main(["export", "--db", str(db_path), "--format", "json", "--status", "resolved", str(tmp_path / "r.json")]) == 0
    assert "Exported 1 ticket to" in capsys.readouterr().out
    assert main(["import", "--db", str(another_db("new.db")), "--restore", str(tmp_path / "r.json")]) == 0
    # Each count agrees with its own noun (docs/issue17/languages.md).
    assert "r.json: 1 ticket restored, 4 messages restored, 0 already there" in capsys.readouterr().out


def _state(message) -> tuple:
    return (message._headers, message._payload, message._unixfrom, message.get_default_type(), message.preamble,
            message.epilogue, [type(d) for d in message.defects])


def test_single_part_messages_built_as_the_email_parser_builds_them() -> None:
    from email import policy
    from email.parser import Parser

    from tui_desk.mail.parse import _single_part

    samples = [path.read_bytes() for path in sorted(CORPUS.glob("*.eml"))]
    samples += [raw.replace(b"\n", b"\r\n") for raw in samples]
    samples += [mail("Ann <ann@example.com>", "Grüße", "Grüße\n" * 3, "<s1@x>", "<s0@x>"), b"",
                b"From: a@b.c\nSubject: x", b"From: a@b.c\nSubject: folded\n  over\n\tlines\n\nbody\n\n",
                b"From: a@b.c\nSubject:   \n next\n\nbody", b"From: a@b.c\nSubject: x\r", b"From: a@b.c\nSubject: x\ry\n\nb",
                b"From: a@b.c\nSubject: no separator\nthis is body", b" continued: first\n\nbody", b"From x@y Mon\nFrom: a@b.c\n\nb",
                b"From: a@b.c\n: no name\n\nbody", b"From: a@b.c\nSubject : spaced\n\nbody", b"From: \xe9t\xe9 <a@b.c>\n\n\xff",
                b"From: a@b.c\nContent-Type: message/rfc822\n\nFrom: c@d.e\n\ninner", b"From: a@b.c\n\n\r\nbody\rmore\r"]
    built = 0
    for raw in samples:
        text = raw.decode("ascii", "surrogateescape")
        message = _single_part(text)
        if message is not None:
            built += 1
            assert _state(message) == _state(Parser(policy=policy.compat32).parsestr(text)), raw
    assert built >= 12


def test_plain_sender_forms_read_as_the_tolerant_parser_reads_them() -> None:
    from tui_desk.mail.addresses import _address, _tolerant_address

    forms = ["Customer 0 <customer0@example.org>", "help@desk.example", "<a@b.c>", " Ann  Lee\t<a.b+c@d-e.f> ", "Ann<a@b>",
             "x <a@b.c>>", "a..b@c", ".a@b", "a@b..c", "a@.b", "a@b.", '"Doe, J." <j@x.org>', "J. Doe <j@x.org>",
             "a@b (Ann)", "Ann <a@b>, Bob <c@d>", "Jürgen <j@x.de>", "a@b@c", "", "  ", "<>", "Ann <a@[1.2.3.4]>"]
    for form in forms:
        assert _address(form) == _tolerant_address(form), form
    assert _address(" Ann  Lee\t<a.b+c@d-e.f> ") == ("Ann Lee", "a.b+c@d-e.f")


def test_mbox_spans_read_what_mailbox_reads(tmp_path: Path) -> None:
    import random

    from tui_desk.mail.importer import Source, mbox_spans

    rng = random.Random(5)
    pieces = [b"From a@b Mon Jan 1\n", b"From x\n", b"From ", b"\n", b"\n\n", b"text\n", b"From: h\n", b">From q\n",
              b"From", b"x", b"\r\n", b"From a\r\n", b"  From no\n", b"\nFrom "]
    cases = [b"", b"\n", b"From ", b"From x", b"From x\n", b"From x\n\n", b"junk\nFrom x\nbody\n", b"From x\nFrom y\n"]
    cases += [b"".join(rng.choice(pieces) for _ in range(rng.randint(1, 25))) for _ in range(400)]
    path = tmp_path / "m.mbox"
    for data in cases:
        path.write_bytes(data)
        box = mailbox.mbox(path, create=False)
        expected = [box.get_bytes(key) for key in box.iterkeys()]
        box.close()
        assert len(mbox_spans(path)) == len(expected)
        assert [raw for _label, raw, _error in Source(path, "mbox").messages()] == expected, data


def test_a_message_failing_after_writing_is_undone_alone(service: TicketService, tmp_path: Path, monkeypatch) -> None:
    from tui_desk.core.new_tickets import NewTickets
    from tui_desk.domain.errors import InvalidInput
    from tui_desk.store import writes

    real = writes.insert_event

    def failing(conn, ticket_id, at, actor, kind, *args, **kwargs):  # noqa: ANN001, ANN202
        if actor == "bad@example.com":  # after the ticket and its message were written
            raise InvalidInput("no events for bad")
        return real(conn, ticket_id, at, actor, kind, *args, **kwargs)

    monkeypatch.setattr(writes, "insert_event", failing)
    real_add_to = NewTickets.add_to

    def failing_add_to(self, ticket_id, message, attachments, events):  # noqa: ANN001, ANN202
        if any(event["actor"] == "bad@example.com" for event in events):  # a follow-up's events in a batch
            raise InvalidInput("no events for bad")
        return real_add_to(self, ticket_id, message, attachments, events)

    monkeypatch.setattr(NewTickets, "add_to", failing_add_to)
    box = write_mbox(tmp_path / "in.mbox", [
        mail("ann@example.com", "First", "one", "<f1@x>"),
        mail("bad@example.com", "Bad", "two", "<f2@x>"),
        mail("Help <help@desk.example>", "Re: First", "three", "<f3@x>", "<f1@x>"),
        mail("Help <help@desk.example>", "Re: Unknown", "four", "<f4@x>", "<nowhere@x>"),  # fails before writing
        mail("bad@example.com", "Re: First", "five", "<f5@x>", "<f3@x>"),
        mail("carl@example.com", "Last", "six", "<f6@x>"),
    ])
    redone: list[bool] = []
    store_batch = Importer._store

    def counting(self, batch, *, savepoints):  # noqa: ANN001, ANN202
        redone.append(savepoints)
        return store_batch(self, batch, savepoints=savepoints)

    monkeypatch.setattr(Importer, "_store", counting)
    summary = import_paths(service, [box], OURS, trust_own_address=True)
    assert redone == [False, True]
    # 4 (a reply to no known ticket) is stored as a new ticket; 2 and 5 fail however they are stored.
    assert (summary.tickets_created, summary.messages_added, summary.duplicates) == (3, 4, 0)
    assert [label.rsplit(":", 1)[1] for label, _why in summary.skipped] == ["2", "5"]
    store = service.store
    assert store.scalar("SELECT count(*) FROM tickets") == 3 and store.scalar("SELECT count(*) FROM messages") == 4
    assert store.scalar("SELECT count(*) FROM events") == 4
    assert indexed(store, "messages", "body", "two") == indexed(store, "messages", "body", "five") == 0
    redone.clear()
    monkeypatch.setattr(writes, "insert_event", real)
    monkeypatch.setattr(NewTickets, "add_to", real_add_to)
    again = import_paths(service, [box], OURS, trust_own_address=True)
    assert redone == [False] and (again.messages_added, again.duplicates, len(again.skipped)) == (2, 4, 0)


def test_batch_threads_and_dedups_its_own_messages_and_follows_merges(service: TicketService, tmp_path: Path) -> None:
    old = service.create_ticket(email="ann@example.com", subject="Old", body="first", message_id="<old@x>")
    kept = service.create_ticket(email="ann@example.com", subject="Kept", body="second")
    service.merge(old, kept)
    no_id = mail("dan@example.com", "No id", "same text", None)
    box = write_mbox(tmp_path / "in.mbox", [
        mail("ann@example.com", "Re: Old", "to the merged one", "<b1@x>", "<old@x>"),
        mail("ann@example.com", "Re: Old", "and again", "<b2@x>", "<b1@x>"),
        mail("ann@example.com", "Re: Old", "and again", "<b2@x>", "<b1@x>"),
        no_id, no_id,
        mail("Help <help@desk.example>", "Re: No id", "answer", "<b3@x>"),
    ])
    summary = import_paths(service, [box], OURS, trust_own_address=True)
    assert (summary.messages_added, summary.duplicates, len(summary.skipped)) == (4, 2, 0)
    store = service.store
    assert [r["ticket_id"] for r in store.query("SELECT ticket_id FROM messages WHERE message_id IN ('<b1@x>', '<b2@x>')")] == [kept, kept]
    assert store.scalar("SELECT count(*) FROM messages WHERE content_hash IS NOT NULL") == 1


def test_a_pipe_is_refused_plainly_and_imports_nothing(db_path, tmp_path: Path, capsys) -> None:
    import contextlib
    import os
    import threading

    fifo = tmp_path / "mail.fifo"
    os.mkfifo(fifo)  # what `tui-desk import <(zcat old.mbox.gz)` hands over

    def feed() -> None:  # a writer, as zcat would be; it waits until someone reads
        with contextlib.suppress(BrokenPipeError), open(fifo, "wb") as pipe:
            pipe.write(b"From x\nFrom: a@b.c\nSubject: s\n\nline\n\nFrom y\nFrom: c@d.e\nSubject: t\n\nbody\n")

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        assert main(["--db", str(db_path), "import", str(fifo)]) == 1
        err = capsys.readouterr().err
        assert "is not a regular file" in err and err.count("\n") == 1
    finally:
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))  # lets the writer finish
        writer.join(5)


def test_huge_content_types_are_not_kept_in_the_charset_cache() -> None:
    from tui_desk.mail import content

    content._charset_for.cache_clear()
    for n in range(20):
        raw = b"From: a@b.c\nSubject: s\nContent-Type: text/plain; charset=utf-8; x=%d%s\n\nhello\n" % (n, b"A" * 100_000)
        assert parse_message(raw).body.strip() == "hello"
    assert content._charset_for.cache_info().currsize == 0


def _refuse_customer(store: Store, email: str) -> None:
    """The store refuses one customer's row, as a constraint of the server or of a file might."""
    if store.dialect == "postgresql":
        store.conn.execute(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            f" IF NEW.email = '{email}' THEN RAISE EXCEPTION 'refused' USING ERRCODE = 'check_violation'; END IF;"
            " RETURN NEW; END $$"
        )
        store.conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON customers FOR EACH ROW EXECUTE FUNCTION refuse()")
    else:
        store.conn.execute(
            f"CREATE TRIGGER refuse BEFORE INSERT ON customers WHEN NEW.email = '{email}'"
            " BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )


def test_a_message_the_store_refuses_at_its_first_row_is_skipped_and_the_batch_is_kept(
    service: TicketService, store: Store
) -> None:
    """Without savepoints (the import's batch), a message whose very first row fails must not take
    the batch with it: on PostgreSQL that error ends the transaction and its COMMIT would silently
    roll back the messages reported as added (an IMAP fetch would then mark them seen: lost)."""
    _refuse_customer(store, "bad@x.example")
    items = [
        ("one", b"Message-ID: <one@x>\nFrom: one@x.example\nSubject: one\n\nfirst", None),
        ("bad", b"Message-ID: <bad@x>\nFrom: bad@x.example\nSubject: bad\n\nrefused", None),
        ("two", b"Message-ID: <two@x>\nFrom: two@x.example\nSubject: two\n\nsecond", None),
    ]
    summary = Importer(service).run(items)
    assert [label for label, _why in summary.skipped] == ["bad"]
    assert summary.messages_added == 2
    stored = [row["message_id"] for row in store.query("SELECT message_id FROM messages ORDER BY id")]
    assert stored == ["<one@x>", "<two@x>"]

"""Issue 12 item 6: mail as real clients (and broken ones) write it is imported, never skipped.

The corpus is built here, message by message, each with the sender the desk
must recover from it. Every one must be stored: a skipped customer mail is a
lost customer mail.

On both backends, with the same stored text: a NUL (in a header, in a body) is stored as
U+FFFD on SQLite as on PostgreSQL, whose text cannot hold it (docs/trust.md, 4).
"""

from __future__ import annotations

import base64

import pytest

from tui_desk.core.lifecycle import TicketService
from tui_desk.mail.importer import Importer
from tui_desk.mail.parse import parse_message

UNKNOWN_SENDER = "unknown-sender@tui-desk.invalid"  # mail/parse.py UNKNOWN_SENDER, spelled out
UNKNOWN = (UNKNOWN_SENDER, "unknown sender")

pytestmark = pytest.mark.both_backends


def _nested_multipart(levels: int, text: bytes) -> bytes:
    body = b"Content-Type: text/plain; charset=utf-8\n\n" + text + b"\n"
    for level in range(levels):
        boundary = b"b%d" % level
        body = (b"Content-Type: multipart/mixed; boundary=" + boundary + b"\n\n--" + boundary + b"\n" + body
                + b"\n--" + boundary + b"--\n")
    return body


def _nested_messages(levels: int) -> bytes:
    body = b"From: inner@x.example\nSubject: innermost\n\ninnermost text\n"
    for _ in range(levels):
        body = b"From: fwd@x.example\nContent-Type: message/rfc822\n\n" + body
    return body


# (name, raw message without Message-ID, (expected address, expected display name), text the body must hold)
CASES: list[tuple[str, bytes, tuple[str, str | None], str]] = [
    ("comma in name", b"From: Smith, John <john@acme.example>\nSubject: s\n\nbody one",
     ("john@acme.example", "Smith, John"), "body one"),
    ("outlook encoded comma", b"From: =?utf-8?q?M=C3=BCller=2C_Hans?= <hans@x.example>\nSubject: s\n\nbody two",
     ("hans@x.example", "Müller, Hans"), "body two"),
    ("encoded word with a raw comma", b"From: =?utf-8?q?M=C3=BCller,_Anna?= <anna@x.example>\nSubject: s\n\nb",
     ("anna@x.example", "Müller, Anna"), "b"),
    ("folded encoded name", b"From:\n\t=?utf-8?q?Fold=2C_Ed?=\n <fold@x.example>\nSubject: s\n\nb",
     ("fold@x.example", "Fold, Ed"), "b"),
    ("quoted name with brackets", b'From: "Support [ACME] <help>" <support@acme.example>\nSubject: s\n\nb',
     ("support@acme.example", "Support [ACME] <help>"), "b"),
    ("unquoted brackets", b"From: Sales [EU] <sales@eu.example>\nSubject: s\n\nb", ("sales@eu.example", "Sales [EU]"), "b"),
    ("angle text in name", b"From: John <Support> Doe <jd@x.example>\nSubject: s\n\nb",
     ("jd@x.example", "John <Support> Doe"), "b"),
    ("bare address after name", b"From: John Smith john.smith@acme.example\nSubject: s\n\nb",
     ("john.smith@acme.example", "John Smith"), "b"),
    ("old comment form", b"From: old@x.example (Old Style)\nSubject: s\n\nb", ("old@x.example", "Old Style"), "b"),
    ("several addresses", b"From: Ann <ann@x.example>, Bob <bob@y.example>\nSubject: s\n\nb", ("ann@x.example", "Ann"), "b"),
    ("group syntax", b"From: Team: lead@x.example, bob@y.example;\nSubject: s\n\nb", ("lead@x.example", None), "b"),
    ("unterminated quote", b'From: "Never closed <nc@x.example>\nSubject: s\n\nb', ("nc@x.example", None), "b"),
    ("huge display name", b"From: " + b"x" * 100_000 + b" <long@x.example>\nSubject: s\n\nb",
     ("long@x.example", "x" * 8192), "b"),  # the name cut as any header is
    ("garbage From, Sender", b"From: ???\nSender: sender@x.example\nSubject: s\n\nb", ("sender@x.example", "???"), "b"),
    ("no From, Reply-To", b"Reply-To: Rita <rita@x.example>\nSubject: s\n\nb", ("rita@x.example", "Rita"), "b"),
    ("no From, Return-Path", b"Return-Path: <bounce@x.example>\nSubject: s\n\nb", ("bounce@x.example", None), "b"),
    ("no sender at all", b"Subject: who wrote this\n\nanonymous body", UNKNOWN, "anonymous body"),
    ("garbage sender only", b"From: @@@ <>\nReturn-Path: <>\nSubject: s\n\ngarbage sender body", UNKNOWN,
     "garbage sender body"),
    ("quoted local part with space", b'From: "john smith"@acme.example\nSubject: s\n\nb', UNKNOWN, "b"),
    ("latin-1 8-bit name", b"From: J\xfcrgen <juergen@x.example>\nSubject: gr\xfc\xdfe\n\nb", ("juergen@x.example", "Jürgen"), "b"),
    ("utf-8 8-bit name with comma", b"From: M\xc3\xbcller, Hans <h2@x.example>\nSubject: s\n\nb",
     ("h2@x.example", "Müller, Hans"), "b"),
    ("NUL in header", b"From: Nul\x00 Name <nul@x.example>\nSubject: s\x00\n\nb", ("nul@x.example", "Nul\ufffd Name"), "b"),
    ("continuation as first line", b" folded first line\nFrom: first@x.example\nSubject: s\n\nfirst body",
     ("first@x.example", None), "first body"),
    ("non-header line in headers", b"From: mid@x.example\nThis is not a header\nSubject: s\n\nbody",
     ("mid@x.example", None), "This is not a header"),
    ("envelope line kept", b"From someone Mon Jan  1 00:00:00 2026\nFrom: env@x.example\n\nenvelope body",
     ("env@x.example", None), "envelope body"),
    ("unknown body charset", b"From: c1@x.example\nContent-Type: text/plain; charset=x-klingon\n\ncaf\xc3\xa9",
     ("c1@x.example", None), "café"),
    ("wrong declared charset", b"From: c2@x.example\nContent-Type: text/plain; charset=utf-8\n\ncaf\xe9",
     ("c2@x.example", None), "café"),
    ("idna body charset", b"From: c3@x.example\nContent-Type: text/plain; charset=idna\n\nhi \xe9 there",
     ("c3@x.example", None), "there"),
    ("codec that is no charset", b"From: c4@x.example\nContent-Type: text/plain; charset=zlib\n\nplain words",
     ("c4@x.example", None), "plain words"),
    ("odd utf-16", b"From: c5@x.example\nContent-Type: text/plain; charset=utf-16\n\n\xff\xfeh\x00i\x00!",
     ("c5@x.example", None), "hi"),
    ("idna encoded word", b"From: =?idna?q?Ca=C3=A9?= <w1@x.example>\nSubject: =?idna?q?caf=C3=A9?= x\n\nb",
     ("w1@x.example", "Caé"), "b"),
    ("unknown-codec encoded word", b"From: =?x-klingon?q?Qa=27pla?= <w2@x.example>\nSubject: =?x-klingon?q?hi?=\n\nb",
     ("w2@x.example", "Qa'pla"), "b"),
    ("zlib encoded word", b"From: w3@x.example\nSubject: =?zlib?b?eJzLSM3JyQcABiwCFQ==?=\n\nb", ("w3@x.example", None), "b"),
    ("broken base64 word", b"From: =?utf-8?b?@@@?= <w4@x.example>\nSubject: =?utf-8?b?!!?=\n\nb", ("w4@x.example", None), "b"),
    ("deep nesting 200", b"From: deep@x.example\nSubject: deep\n" + _nested_multipart(200, b"deep body text"),
     ("deep@x.example", None), "deep body text"),
    ("nesting past the recursion limit", b"From: deeper@x.example\nSubject: deeper\n" + _nested_multipart(3000, b"deepest"),
     ("deeper@x.example", None), "deepest"),
    ("forwards nested 200", b"From: fw@x.example\nSubject: fwd\n" + _nested_messages(200), ("fw@x.example", None), ""),
    ("forwards past the recursion limit", b"From: fw2@x.example\nSubject: fwd\n" + _nested_messages(3000),
     ("fw2@x.example", None), "innermost text"),
    ("broken base64 body", b"From: b64@x.example\nContent-Transfer-Encoding: base64\n\naGVsbG8gd29ybGQ*!!=\n",
     ("b64@x.example", None), "hello world"),
    ("broken base64 attachment",
     b"From: att@x.example\nSubject: att\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
     b"see file\n--b\nContent-Type: application/pdf; name*=bogus''%ZZ%\nContent-Disposition: attachment; "
     b"filename*=utf-8''%E2%28\nContent-Transfer-Encoding: base64\n\n!!!notbase64@@@\n--b--\n",
     ("att@x.example", None), "see file"),
    ("missing boundary", b"From: nb@x.example\nSubject: nb\nContent-Type: multipart/mixed\n\n--x\n"
     b"Content-Type: text/plain\n\nboundary-less text\n--x--\n", ("nb@x.example", None), "boundary-less text"),
    ("boundary never used", b"From: nu@x.example\nSubject: nu\nContent-Type: multipart/mixed; boundary=zzz\n\n--x\n"
     b"Content-Type: text/plain\n\nunused boundary text\n--x--\n", ("nu@x.example", None), "unused boundary text"),
    ("headers only", b"From: h@x.example\n\n", ("h@x.example", None), ""),
    ("bad dates", b"From: d@x.example\nDate: not a date at all\nSubject: s\n\nb", ("d@x.example", None), "b"),
    ("quoted-printable gone wrong", b"From: qp@x.example\nContent-Transfer-Encoding: quoted-printable\n\nbad =ZZ soft=\n",
     ("qp@x.example", None), "bad"),
]

# Messages without any header to put a Message-ID in: checked by their unknown sender and body.
HEADERLESS = [("empty", b""), ("binary garbage", bytes(range(256)) * 4), ("NUL bytes only", b"\x00" * 16)]


def _with_id(n: int, raw: bytes) -> bytes:
    return b"Message-ID: <awkward-%d@test.example>\n" % n + raw


def test_item6_every_awkward_message_is_imported(service: TicketService) -> None:
    items = [(name, _with_id(n, raw), None) for n, (name, raw, _sender, _text) in enumerate(CASES)]
    items += [(name, raw, None) for name, raw in HEADERLESS]
    summary = Importer(service).run(items)
    assert summary.skipped == []
    assert summary.messages_added == len(items)
    store = service.store
    for n, (name, _raw, (address, display), text) in enumerate(CASES):
        row = store.query(
            "SELECT m.author, m.body, c.email, c.name FROM messages m JOIN tickets t ON t.id = m.ticket_id"
            " JOIN customers c ON c.id = t.customer_id WHERE m.message_id = ?",
            [f"<awkward-{n}@test.example>"],
        )
        assert len(row) == 1, name
        assert (row[0]["author"], row[0]["email"]) == (address, address), name
        assert row[0]["name"] == display or address == UNKNOWN_SENDER, name
        assert text in row[0]["body"], name
    assert store.scalar("SELECT name FROM customers WHERE email = ?", [UNKNOWN_SENDER]) == "unknown sender"
    headerless = store.scalar(
        "SELECT count(*) FROM messages WHERE author = ? AND message_id IS NULL", [UNKNOWN_SENDER]
    )
    assert headerless == len(HEADERLESS)
    nul_only = "\ufffd" * 16  # HEADERLESS "NUL bytes only": what both stores hold
    assert store.scalar("SELECT count(*) FROM messages WHERE body = ?", [nul_only]) == 1
    assert store.scalar("SELECT subject FROM tickets WHERE id = (SELECT ticket_id FROM messages WHERE message_id = ?)",
                        [f"<awkward-{[c[0] for c in CASES].index('NUL in header')}@test.example>"]) == "s\ufffd"
    texts = store.query("SELECT m.body AS a, c.name AS b, t.subject AS c FROM messages m"
                        " JOIN tickets t ON t.id = m.ticket_id JOIN customers c ON c.id = t.customer_id")
    assert [row for row in texts if "\x00" in "".join(v or "" for v in row.values())] == []


def test_item6_awkward_messages_also_through_the_parsing_processes(service: TicketService, tmp_path, monkeypatch) -> None:
    from tui_desk.mail import importer

    monkeypatch.setattr(importer, "PARALLEL_FROM", 1)
    folder = tmp_path / "eml"
    folder.mkdir()
    for n, (_name, raw, _sender, _text) in enumerate(CASES):
        (folder / f"{n:03d}.eml").write_bytes(_with_id(n, raw))
    summary = importer.import_paths(service, [folder])
    assert summary.skipped == [] and summary.messages_added == len(CASES)
    # The parsing processes hand over the same text as the parse in this process.
    assert service.store.scalar("SELECT count(*) FROM customers WHERE name = ?", ["Nul\ufffd Name"]) == 1


@pytest.mark.parametrize(("name", "raw", "sender", "text"), CASES, ids=[case[0] for case in CASES])
def test_item6_parse_recovers_sender_and_text(name: str, raw: bytes, sender: tuple[str, str | None], text: str) -> None:
    mail = parse_message(raw)
    assert mail.sender == sender[0]
    assert text in mail.body or any(text.encode() in data for _n, _t, data in mail.attachments)


def test_item6_sender_fast_path_unchanged_for_plain_forms() -> None:
    mail = parse_message(b"From: Carol Lee <carol@example.com>\nSubject: s\n\nb")
    assert (mail.sender, mail.sender_name) == ("carol@example.com", "Carol Lee")
    encoded = base64.b64encode("Zoë, Ann".encode()).decode()
    mail = parse_message(f"From: =?utf-8?b?{encoded}?= <zoe@example.com>\nSubject: s\n\nb".encode())
    assert (mail.sender, mail.sender_name) == ("zoe@example.com", "Zoë, Ann")

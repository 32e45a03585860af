"""One raw e-mail message -> a ParsedMail, never an exception for bad input.

Standard library only (``email``). The structure is parsed with the
``compat32`` policy and headers are decoded here (RFC 2047 words, raw 8-bit
bytes): the same result as policy ``default`` at seven times its speed, which
the import's 2,000 messages/s needs (policy ``default`` alone parses about
1,000/s). Single-part messages, most mail, skip even the compat32 parser's
line-by-line reading: the same Message is built from one match per header
(_single_part). Any declared charset is honoured; bytes it cannot decode are replaced. HTML-only messages
become readable text. Nothing a sender writes makes a message unusable: a
From line no parser agrees on is read tolerantly (then Sender, Reply-To,
Return-Path; else the "unknown sender" address), unknown or wrong charsets
decode with replacements, and a message the email package cannot read at all
(nesting deeper than Python's recursion) is read as its header lines and text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import Message
from email.parser import Parser
from functools import cached_property

from ..core.recipients import clean_cc, plain_address
from ..domain.text import storable_data
from ..i18n import _
from .addresses import UNKNOWN_SENDER, addresses_in, sender_of
from .autoreply import automatic
from .content import html_to_text, mime_type, text_and_attachments
from .headers import (
    COMPAT32,
    MSGID,
    BoundedMessage,
    HeaderReader,
    decode_bytes,
    decode_words,
    first_id,
    header,
    parse_date,
)

# Where the importer, the export and tests have found them.
__all__ = [
    "UNKNOWN_SENDER", "ParsedMail", "content_hash", "decode_words", "header", "html_to_text", "mime_type",
    "parse_message",
]

# Our own headers, written by the mbox export so an import restores what mail cannot say.
KIND_HEADER = "X-Tui-Desk-Kind"  # customer | reply | note
TICKET_HEADER = "X-Tui-Desk-Ticket"  # the ticket id in the exporting store
STATUS_HEADER = "X-Tui-Desk-Status"  # the ticket's status when exported
AUTHOR_HEADER = "X-Tui-Desk-Author"  # the agent's name for replies and notes
STATE_HEADER = "X-Tui-Desk-State"  # JSON: tags, assignee, priority, department, postponed_until
# All of them are believed only by `import --restore` (see Importer): anyone can write them in a mail.

_TAG = re.compile(r"\[#(\d{1,12})\]")


@dataclass
class ParsedMail:
    message_id: str | None
    in_reply_to: str | None
    references: list[str]
    subject: str
    sender: str  # the address
    sender_name: str | None
    date: datetime | None
    body: str
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)
    content_hash: str = ""
    kind: str | None = None  # from X-Tui-Desk-Kind
    ticket_tag: int | None = None  # [#123] in the subject
    exported_ticket: int | None = None  # X-Tui-Desk-Ticket
    exported_status: str | None = None  # X-Tui-Desk-Status
    author: str | None = None  # X-Tui-Desk-Author
    state: str | None = None  # X-Tui-Desk-State
    cc: list[str] = field(default_factory=list)  # To and Cc but the sender: plain lower-case addresses, at most MAX_CC
    reply_to: str | None = None  # the Reply-To address, if a plain one
    automatic: str | None = None  # the header that forbids an automatic reply (mail/autoreply.py)

    @cached_property  # asked twice a message by the importer; in_reply_to and references never change
    def thread_ids(self) -> list[str]:
        """Message-IDs this one answers, the most direct first."""
        ids = [self.in_reply_to] if self.in_reply_to else []
        ids.extend(reversed(self.references))
        return list(dict.fromkeys(i for i in ids if i))


_PARSER = Parser(_class=BoundedMessage, policy=policy.compat32)  # on text decoded as BytesParser does: ASCII, bytes kept as surrogates


def content_hash(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw.replace(b"\r\n", b"\n").strip()).hexdigest()


def parse_message(raw: bytes) -> ParsedMail:
    """Parse one message; never raises: what cannot be read properly is read plainly.

    Its text is as the store keeps it (`domain.text.storable`: a NUL, in a header or decoded
    from the body, becomes U+FFFD), so what the import stores is what it compares against.
    """
    text = raw.decode("ascii", "surrogateescape")
    try:
        message = _single_part(text) or _PARSER.parsestr(text)
        return _storable(_parsed(message, raw))
    except Exception:  # noqa: BLE001 - e.g. RecursionError on absurd nesting: degrade, never skip
        pass
    try:
        return _storable(_parsed(_plain_message(text), raw))
    except Exception:  # noqa: BLE001
        return _storable(_bare(raw))


def _storable(mail: ParsedMail) -> ParsedMail:
    for name, value in vars(mail).items():
        if isinstance(value, str | list) and value:
            setattr(mail, name, storable_data(value))
    return mail


def _plain_message(text: str) -> Message:
    """The message's header lines as they can be read, and everything after them as plain text.

    For messages the email package fails on: the customer's words stay readable
    (MIME boundaries and all) rather than being lost.
    """
    message = BoundedMessage(policy=COMPAT32)
    position, end = 0, len(text)
    while position < end:
        if text.startswith("\n", position) or text.startswith("\r\n", position):
            position = text.index("\n", position) + 1
            break
        header = _HEADER.match(text, position)
        if header is None:  # not a header line: skipped, the next one may be
            stop = text.find("\n", position)
            position = end if stop < 0 else stop + 1
            continue
        if header[1].lower() not in ("content-type", "content-transfer-encoding"):
            message.set_raw(header[1], header[2].rstrip("\r\n"))
        position = header.end()
    message.set_payload(text[position:])
    return message


def _bare(raw: bytes) -> ParsedMail:
    """The last resort: the whole message as text from the unknown sender."""
    return ParsedMail(
        message_id=None,
        in_reply_to=None,
        references=[],
        subject="",
        sender=UNKNOWN_SENDER,
        sender_name=_("unknown sender"),
        date=None,
        body=decode_bytes(raw, "utf-8"),
        content_hash=content_hash(raw),
    )


# One header as the feed parser reads it: a name (its headerRE, at least one character), the colon,
# blanks, then the rest of the line and its continuation lines (starting with a blank). Only CRLF and
# LF end a line: at a lone CR the match stops short and the message is left to the parser.
_HEADER = re.compile(r"([\041-\071\073-\176]+):[ \t]*([^\r\n]*(?:\r?\n)?(?:[ \t][^\r\n]*(?:\r?\n)?)*)")


def _single_part(text: str) -> Message | None:
    """The Message the email parser builds from `text`, built directly; None unless it is simple.

    Simple: header lines ending at an empty line (or at the end), and a content
    type that is neither multipart nor message/*. For those the parser's whole
    work is splitting the header lines and taking the rest as the payload; line
    by line, that is a third of the parse time, one regular expression per
    header is a fraction. Anything else (a first line that is a continuation,
    an envelope "From " line, a line that is no header, a lone CR) is left to
    the parser and its defect handling.
    """
    message = BoundedMessage(policy=COMPAT32)
    position, end = 0, len(text)
    while position < end:
        if text.startswith("\n", position):
            position += 1
            break
        if text.startswith("\r\n", position):
            position += 2
            break
        header = _HEADER.match(text, position)
        if header is None:
            return None
        # What policy compat32's header_source_parse returns for these lines.
        message.set_raw(header[1], header[2].rstrip("\r\n"))
        position = header.end()
    if message.get_content_maintype() in ("multipart", "message"):
        return None
    message.set_payload(text[position:])
    return message


def _parsed(message: Message, raw: bytes) -> ParsedMail:
    header = HeaderReader(message)  # the same as headers.header(), read once
    sender_name, sender = sender_of(header)
    subject = " ".join(header(message, "Subject").split())
    body, attachments = text_and_attachments(message)
    tag = _TAG.search(subject)
    kind = header(message, KIND_HEADER).strip().lower() or None
    exported = header(message, TICKET_HEADER).strip()
    return ParsedMail(
        message_id=first_id(header(message, "Message-ID")),
        in_reply_to=first_id(header(message, "In-Reply-To")),
        references=MSGID.findall(header(message, "References")),
        subject=subject,
        sender=sender,
        sender_name=sender_name or None,
        date=parse_date(header(message, "Date")),
        body=body,
        attachments=attachments,
        content_hash=content_hash(raw),
        kind=kind if kind in ("customer", "reply", "note") else None,
        ticket_tag=int(tag.group(1)) if tag else None,
        # Bounded as [#N] is: a sender's 30 digits must not overflow the store's integer.
        exported_ticket=int(exported) if exported.isascii() and exported.isdigit() and len(exported) <= 12 else None,
        exported_status=header(message, STATUS_HEADER).strip() or None,
        author=header(message, AUTHOR_HEADER).strip() or None,
        state=header(message, STATE_HEADER).strip() or None,
        cc=clean_cc([*addresses_in(header.raw("To")), *addresses_in(header.raw("Cc"))], leave_out=[sender]),
        reply_to=next((plain_address(a) for a in addresses_in(header.raw("Reply-To"))), None),
        automatic=automatic(message, header),
    )


# The usual sender forms, "Name <address>", "<address>" and "address", in characters for which

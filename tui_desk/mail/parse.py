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

import codecs
import functools
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import Parser
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import cast

from ..core.lifecycle import normalize_email
from ..domain.errors import TuiDeskError
from ..i18n import _

# Our own headers, written by the mbox export so an import restores what mail cannot say.
KIND_HEADER = "X-Tui-Desk-Kind"  # customer | reply | note
TICKET_HEADER = "X-Tui-Desk-Ticket"  # the ticket id in the exporting store
STATUS_HEADER = "X-Tui-Desk-Status"  # the ticket's status when exported
AUTHOR_HEADER = "X-Tui-Desk-Author"  # the agent's name for replies and notes
STATE_HEADER = "X-Tui-Desk-State"  # JSON: tags, assignee, priority, department, postponed_until
# All of them are believed only by `import --restore` (see Importer): anyone can write them in a mail.

_MSGID = re.compile(r"<[^<>\s]+>")
_TAG = re.compile(r"\[#(\d{1,12})\]")
_MAX_HEADER = 8192  # longer header values are cut: a huge header must not become a huge subject
_MAX_ENCODED = 4 * _MAX_HEADER  # of a value's encoded words, as many as decode to _MAX_HEADER characters


# The customer of messages whose sender cannot be recovered: they are stored, never skipped,
# and the reserved .invalid domain (RFC 2606) makes sure no reply is ever delivered anywhere.
UNKNOWN_SENDER = "unknown-sender@tui-desk.invalid"


@dataclass
class ParsedMail:
    message_id: str | None
    in_reply_to: str | None
    references: list[str]
    subject: str
    sender: str  # the address
    sender_name: str | None
    recipients: str  # the To header as it came
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

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this one answers, the most direct first."""
        ids = [self.in_reply_to] if self.in_reply_to else []
        ids.extend(reversed(self.references))
        return list(dict.fromkeys(i for i in ids if i))


class _Message(Message):
    """A Message whose header parameters are read from the first _MAX_PARAMS characters of the header.

    The email package splits parameters in quadratic time: a Content-Type of a
    megabyte of "; a=b" took ten seconds (the parser itself reads a multipart's
    boundary so), 25 MB of it most of an hour. Real parameters fit many times over.
    """

    def _get_params_preserve(self, failobj, header):  # noqa: ANN001, ANN202 - the email package's signature
        value = self.get(header)
        if isinstance(value, str) and len(value) > _MAX_PARAMS:
            probe = Message(policy=_COMPAT32)
            probe[header] = value[:_MAX_PARAMS]
            return probe._get_params_preserve(failobj, header)
        return super()._get_params_preserve(failobj, header)


_MAX_PARAMS = 8192
_PARSER = Parser(_class=_Message, policy=policy.compat32)  # on text decoded as BytesParser does: ASCII, bytes kept as surrogates


def content_hash(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw.replace(b"\r\n", b"\n").strip()).hexdigest()


def parse_message(raw: bytes) -> ParsedMail:
    """Parse one message; never raises: what cannot be read properly is read plainly."""
    text = raw.decode("ascii", "surrogateescape")
    try:
        message = _single_part(text) or _PARSER.parsestr(text)
        return _parsed(message, raw)
    except Exception:  # noqa: BLE001 - e.g. RecursionError on absurd nesting: degrade, never skip
        pass
    try:
        return _parsed(_plain_message(text), raw)
    except Exception:  # noqa: BLE001
        return _bare(raw)


def _plain_message(text: str) -> Message:
    """The message's header lines as they can be read, and everything after them as plain text.

    For messages the email package fails on: the customer's words stay readable
    (MIME boundaries and all) rather than being lost.
    """
    message = _Message(policy=_COMPAT32)
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
        recipients="",
        date=None,
        body=_decode(raw, "utf-8"),
        content_hash=content_hash(raw),
    )


# One header as the feed parser reads it: a name (its headerRE, at least one character), the colon,
# blanks, then the rest of the line and its continuation lines (starting with a blank). Only CRLF and
# LF end a line: at a lone CR the match stops short and the message is left to the parser.
_HEADER = re.compile(r"([\041-\071\073-\176]+):[ \t]*([^\r\n]*(?:\r?\n)?(?:[ \t][^\r\n]*(?:\r?\n)?)*)")
_COMPAT32 = policy.compat32


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
    message = _Message(policy=_COMPAT32)
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
    header = _HeaderReader(message)  # the same as the module's header(), read once
    sender_name, sender = _sender(header)
    subject = " ".join(header(message, "Subject").split())
    body, attachments = _content(message)
    tag = _TAG.search(subject)
    kind = header(message, KIND_HEADER).strip().lower() or None
    exported = header(message, TICKET_HEADER).strip()
    return ParsedMail(
        message_id=_first_id(header(message, "Message-ID")),
        in_reply_to=_first_id(header(message, "In-Reply-To")),
        references=_MSGID.findall(header(message, "References")),
        subject=subject,
        sender=sender,
        sender_name=sender_name or None,
        recipients=header(message, "To"),
        date=_date(header(message, "Date")),
        body=body,
        attachments=attachments,
        content_hash=content_hash(raw),
        kind=kind if kind in ("customer", "reply", "note") else None,
        ticket_tag=int(tag.group(1)) if tag else None,
        exported_ticket=int(exported) if exported.isdigit() else None,
        exported_status=header(message, STATUS_HEADER).strip() or None,
        author=header(message, AUTHOR_HEADER).strip() or None,
        state=header(message, STATE_HEADER).strip() or None,
    )


# The usual sender forms, "Name <address>", "<address>" and "address", in characters for which
# parseaddr's answer is plain: the name's words joined by single spaces, the address as written.
_ADDRESS = r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_PLAIN_SENDER = re.compile(rf"[ \t]*(?:(?:([A-Za-z0-9]+(?:[ \t]+[A-Za-z0-9]+)*)[ \t]*)?<({_ADDRESS})>|({_ADDRESS}))[ \t]*")


def _sender(header: _HeaderReader) -> tuple[str, str]:
    """(display name, address) of who wrote the message: From, else Sender, Reply-To, Return-Path.

    A display name without an address goes with the address of a later
    header; with no address anywhere the message is the unknown sender's.
    Display names are data: decoded, spaces collapsed, never interpreted.
    """
    found_name = ""
    for name in _SENDER_HEADERS:
        value = header.raw(name)
        if not value:
            continue
        display, address = _address(value)
        if address:
            return display or found_name, address
        found_name = found_name or display
    # All such messages share one customer: a name found here would label every one of them.
    return _("unknown sender"), UNKNOWN_SENDER


_SENDER_HEADERS = ("From", "Sender", "Reply-To", "Return-Path")


def _address(value: str) -> tuple[str, str]:
    """(name, address) of the first mailbox in a raw header value with a usable address, else (name, "")."""
    plain = _PLAIN_SENDER.fullmatch(value)
    if plain is not None:  # most mail: no tokenizing needed
        if plain[3] is not None:
            return "", plain[3]
        return " ".join(plain[1].split())[:_MAX_HEADER] if plain[1] else "", plain[2]
    return _tolerant_address(value)


def _tolerant_address(value: str) -> tuple[str, str]:
    """_address for any value; the plain forms give what the fast path gives (a test holds them to it)."""
    boxes = _mailboxes(value[:_MAX_HEADER])
    for name, address in boxes:
        if address:
            return name, address
    # No mailbox the tokens make sense of (an unterminated quote, a name longer than any header
    # we read whole): the last <address>, else a word with an @.
    for candidate in [*reversed(_ANGLED.findall(value)), *_words_with_at(value)]:
        if _usable_address(candidate.strip()):
            return "", candidate.strip()
    return next((name for name, _address in boxes if name), ""), ""


_ANGLED = re.compile(r"<([^<>]*)>")
_WORD = re.compile(r'[^\s<>()\[\],;:"]+')


def _words_with_at(value: str) -> list[str]:
    """The words with an @ between other characters: what r'W+@W+' finds, in linear time.

    That pattern is retried from every character of a word without an @: a From
    line of 200,000 letters took two minutes.
    """
    return [word for word in _WORD.findall(value) if "@" in word[1:-1]]


# The tokens of an address header, tolerantly: a quoted string, a comment, an <angle address>, an
# RFC 2047 encoded word (opaque: broken encoders leave commas in them), a separator, blanks, other
# text. An unterminated quote, comment or angle runs to the end; anything else is one character.
_ADDRESS_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*"?|\((?:[^()\\]|\\.)*\)?|<[^<>]*>?|=\?[^?\s]+\?[bBqQ]\?[^?]*\?=|[,;:]|\s+|[^\s"(<,;:]+|.',
    re.S,
)


def _mailboxes(value: str) -> list[tuple[str, str]]:
    """The (name, address) pairs of a header as mail clients really write it.

    Groups ("team: a@x, b@y;") are opened up; a comma before any address is
    part of the display name ("Smith, John <john@acme.com>"); in one mailbox
    the last valid <address> wins ("Sales <EU> <s@x>"), else the last word
    that is an address ("John Smith john@acme.com"). Addresses are checked
    as the ticket service will check them: what it refuses is no address.
    """
    boxes: list[tuple[str, str]] = []
    tokens: list[str] = []
    has_address = False
    for token in _ADDRESS_TOKEN.findall(value):
        if token == ";" or (token == "," and has_address):
            if tokens:
                boxes.append(_mailbox(tokens))
            tokens, has_address = [], False
        elif token == ":" and not has_address and not any(t.startswith("<") for t in tokens):
            tokens = []  # a group's name: its members follow
        elif not token.startswith("<") or token.strip("<> \t"):  # an empty <> (a bounce's Return-Path) says nothing
            tokens.append(token)
            has_address = has_address or _usable_address(_angle(token) if token.startswith("<") else token)
    if tokens:
        boxes.append(_mailbox(tokens))
    return boxes


def _mailbox(tokens: list[str]) -> tuple[str, str]:
    chosen = None
    for index, token in enumerate(tokens):
        if token.startswith("<") and _usable_address(_angle(token)):
            chosen = index
    if chosen is None:
        for index, token in enumerate(tokens):
            if not token.startswith(("<", '"', "(")) and _usable_address(token):
                chosen = index
    address = ""
    if chosen is not None:
        address = _angle(tokens[chosen]) if tokens[chosen].startswith("<") else tokens[chosen]
        rest = tokens[:chosen] + tokens[chosen + 1 :]
    else:
        rest = tokens
    if all(t.startswith("(") or not t.strip() for t in rest):  # "john@acme.com (John Smith)": the old form
        rest = [t[1:].removesuffix(")") if t.startswith("(") else t for t in rest]
    name = " ".join(decode_words("".join(_unquote(t) for t in rest)).split()).strip(" ,")
    return name[:_MAX_HEADER], address


def _angle(token: str) -> str:
    inner = token[1:].removesuffix(">").strip()
    if inner.startswith("@") and ":" in inner:  # an obsolete source route: <@relay:user@host>
        inner = inner.rpartition(":")[2]
    return inner


def _unquote(token: str) -> str:
    if token.startswith('"'):
        return re.sub(r"\\(.)", r"\1", token[1:].removesuffix('"'))
    return token


_NOT_IN_ADDRESS = re.compile(r'[\s<>()\[\],;:"\\\x00-\x1f\x7f]')


def _usable_address(text: str) -> bool:
    """Whether the ticket service will take this as a customer's address (normalize_email)."""
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain or "@" in local or _NOT_IN_ADDRESS.search(text):
        return False
    try:
        normalize_email(text)
    except TuiDeskError:
        return False
    return True


class _HeaderReader:
    """header(message, name) for one message, its headers looked up in a dict built once.

    Message.get scans (and lower-cases) every header on each call; a message
    has a dozen of them asked for. The first value of each name is what get
    returns; a value with raw 8-bit bytes takes the general path.
    """

    def __init__(self, message: Message) -> None:
        self.message = message
        first: dict[str, object] = {}
        for key, value in message.raw_items():
            first.setdefault(key.lower(), value)
        self.first = first

    def raw(self, name: str) -> str:
        """The first value of a header unfolded, raw 8-bit bytes read as text, encoded words left as they are.

        Not cut to _MAX_HEADER: an address after a huge display name is still found (see _address).
        """
        value = self.first.get(name.lower())
        if not isinstance(value, str):
            return ""
        if _has_surrogates(value):
            value = _raw_bytes_text(value)
        return _unfold(value)

    def __call__(self, message: Message, name: str) -> str:
        value = self.first.get(name.lower())
        if value is None:
            return ""
        if not isinstance(value, str) or _has_surrogates(value):
            return header(message, name)
        return decode_words(_unfold(value))[:_MAX_HEADER]


def header(message: Message, name: str) -> str:
    """A header as text (encoded words decoded, raw 8-bit bytes guessed), never an exception."""
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001
        value = None
    if value is None:
        return ""
    if not isinstance(value, str):  # raw 8-bit bytes: compat32 wraps them, read them as they came
        value = next((v for k, v in message.raw_items() if k.lower() == name.lower()), "")
    text = decode_words(_unfold(str(value)))
    return text[:_MAX_HEADER]


_FOLD = re.compile(r"\r?\n[ \t]")


def _unfold(value: str) -> str:
    return _FOLD.sub(" ", value) if "\n" in value else value


_SURROGATE = re.compile("[\udc80-\udcff]")


def _has_surrogates(text: str) -> bool:
    return not text.isascii() and _SURROGATE.search(text) is not None


def _raw_bytes_text(text: str) -> str:
    """A header with undeclared 8-bit bytes (kept as surrogates by the parser): UTF-8, else Windows-1252."""
    data = text.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def decode_words(value: str) -> str:
    """RFC 2047 encoded words decoded with their charset; an unknown charset or bad bytes are replaced.

    Only the start of a value is decoded (_MAX_ENCODED), more than any caller keeps:
    decode_header takes quadratic time, a megabyte of encoded words ten seconds.
    """
    value = value[:_MAX_ENCODED]
    if _has_surrogates(value):
        value = _raw_bytes_text(value)
    if "=?" not in value:
        return value
    try:
        chunks = decode_header(value)
    except Exception:  # noqa: BLE001
        return value
    if all(charset is None or _text_codec(charset) for _chunk, charset in chunks):
        try:
            return str(make_header(chunks))  # right spacing between encoded and plain words
        except Exception:  # noqa: BLE001 - bytes the charset cannot decode
            pass
    out: list[str] = []
    for chunk, charset in chunks:
        out.append(chunk if isinstance(chunk, str) else _decode(chunk, _text_codec(charset or "ascii") or "utf-8"))
    return "".join(out)


def _first_id(value: str) -> str | None:
    found = _MSGID.search(value)
    if found:
        return found.group()[:998]
    value = value.strip()
    # A bare id ("abc@host") is wrapped; "<>", "<<x>" and such are no id: every mailer that writes
    # them would share one, its messages deduplicated away and answers threaded to a stranger's.
    return f"<{value[:996]}>" if value and not _NOT_IN_BARE_ID.search(value) else None


_NOT_IN_BARE_ID = re.compile(r"[\s<>]")


def _date(value: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


# -- content -------------------------------------------------------------------------------
def _content(message: Message) -> tuple[str, list[tuple[str, str, bytes]]]:
    plain: list[str] = []
    html: list[str] = []
    attachments: list[tuple[str, str, bytes]] = []
    for part, content_type in _leaves(message):
        filename = _filename(part)
        try:
            disposition = part.get_content_disposition() or ""
        except Exception:  # noqa: BLE001 - a broken Content-Disposition: as if there was none
            disposition = ""
        if content_type.startswith("multipart/"):
            # A multipart leaf: its boundary is missing or never found. Its text is kept as it came.
            if isinstance(part.get_payload(), str):
                plain.append(_text(part, "text/plain"))
            continue
        if filename or disposition == "attachment" or not content_type.startswith("text/"):
            data = _payload_bytes(part, content_type)
            if filename is None:
                filename = _("attachment") + _extension(content_type)
            attachments.append((filename, content_type, data))
        elif content_type == "text/html":
            html.append(html_to_text(_text(part, content_type)))
        else:
            plain.append(_text(part, content_type))
    body = "\n\n".join(p.strip("\n") for p in plain if p.strip()) or "\n\n".join(h for h in html if h.strip())
    return body.replace("\r\n", "\n").replace("\r", "\n"), attachments


def _leaves(message: Message) -> Iterator[tuple[Message, str]]:
    """The leaf parts to read, in order, and their content types (each looked up once: it scans every header).

    A loop with its own stack, not recursion: however deep a sender nests
    multiparts, every leaf is read (the parser's own limit is handled by
    parse_message).
    """
    stack: list[Message] = [message]
    while stack:
        part = stack.pop()
        content_type = _content_type(part)
        if content_type == "message/rfc822":  # a forwarded message: kept whole, as an attachment
            yield part, content_type
            continue
        if part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list):
                if content_type == "multipart/alternative":
                    # One alternative is enough: the plain one if present, else the last one.
                    payload = [p for p in payload if _content_type(p) == "text/plain"] or payload[-1:]
                stack.extend(reversed(cast(list[Message], payload)))
            continue
        yield part, content_type


def _content_type(part: Message) -> str:
    try:
        return mime_type(part.get_content_type())
    except Exception:  # noqa: BLE001
        return "application/octet-stream"


# RFC 2045 tokens. get_content_type splits only at ";": a folded line, a missing ";" or escapes
# would be stored, shown and exported (as a header) with the type.
_MIME_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*", re.I)


def mime_type(value: str) -> str:
    """The type/subtype a Content-Type value starts with, lower case; application/octet-stream if none."""
    found = _MIME_TYPE.match(value.strip())
    return found.group().lower() if found else "application/octet-stream"


def _filename(part: Message) -> str | None:
    if not _may_name_a_file(part):
        return None
    try:
        name = _with_8bit_params_read(part).get_filename()
    except Exception:  # noqa: BLE001 - a broken RFC 2231 parameter
        name = None
    if name is None:
        return None
    if not isinstance(name, str):
        name = str(name)
    name = decode_words(_unfold(name))
    # Quotes left at an end: a parameter cut short (_MAX_PARAMS) or written with stray quotes.
    name = " ".join(name.replace("/", "_").replace("\\", "_").strip('" ').split())
    return name[:255] or None


def _with_8bit_params_read(part: Message) -> Message:
    """The part, or a copy of its Content-Type and -Disposition with raw 8-bit bytes read as text.

    compat32 turns each undeclared 8-bit byte of a parameter into U+FFFD, and many
    mailers write a file name as raw UTF-8 ("résumé.pdf"): read as other headers are.
    """
    wanted = ("content-type", "content-disposition")
    items = [(k, v) for k, v in part.raw_items() if k.lower() in wanted and isinstance(v, str)]
    if not any(_has_surrogates(v) for _k, v in items):
        return part
    probe = _Message(policy=_COMPAT32)
    for key, value in items:
        probe.set_raw(key, _raw_bytes_text(value) if _has_surrogates(value) else value)
    return probe


def _may_name_a_file(part: Message) -> bool:
    """Whether get_filename can find a name: a Content-Disposition, or "name" in the Content-Type.

    get_filename reads Content-Disposition's filename parameter, else Content-Type's
    name parameter (name*, name*0... included). Most text parts have neither, and
    parsing the parameters to find that out is a tenth of a message's parse.
    """
    for key, value in part.raw_items():
        key = key.lower()
        if key == "content-disposition" or (key == "content-type" and "name" in str(value).lower()):
            return True
    return False


def _extension(content_type: str) -> str:
    return {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "message/rfc822": ".eml"}.get(
        content_type, ".bin"
    )


def _payload_bytes(part: Message, content_type: str) -> bytes:
    try:
        if content_type == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                return inner[0].as_bytes()
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001
        data = None
    if data is None:
        payload = part.get_payload()
        data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
    return data


def _charset(part: Message) -> str:
    try:
        content_type = part.get("Content-Type")
    except Exception:  # noqa: BLE001
        content_type = None
    if isinstance(content_type, str) and len(content_type) <= _CACHED_CONTENT_TYPE:
        return _charset_for(content_type)
    return _declared_charset(part)  # none, or raw 8-bit bytes in it


# Longer values (broken or hostile mail) are worked out each time rather than kept in the cache.
_CACHED_CONTENT_TYPE = 256


@functools.lru_cache(maxsize=256)
def _charset_for(content_type: str) -> str:
    """_declared_charset of a part with this Content-Type (it depends on nothing else).

    A handful of Content-Type values make up most of a mailbox, and parsing
    their parameters was a tenth of a message's parse.
    """
    probe = _Message(policy=_COMPAT32)
    probe["Content-Type"] = content_type
    return _declared_charset(probe)


def _declared_charset(part: Message) -> str:
    try:
        declared = part.get_content_charset() or "utf-8"
    except Exception:  # noqa: BLE001
        declared = "utf-8"
    return _text_codec(declared) or "utf-8"  # unknown or unfit: UTF-8 with replacements is the best guess


# Codecs Python knows that are no character set of mail: idna and punycode decode host names and
# refuse replacement, the escape codecs would turn a sender's "\\x1b" into a real escape.
_NOT_CHARSETS = frozenset({"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined"})


@functools.lru_cache(maxsize=64)
def _text_codec(charset: str) -> str | None:
    """The Python codec for a declared charset; None for an unknown one or one that is no charset."""
    try:
        info = codecs.lookup(charset)
    except (LookupError, ValueError, TypeError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name.replace("_", "-") in _NOT_CHARSETS:
        return None  # base64, zlib, rot13, idna...
    return info.name


def _decode(data: bytes, codec: str) -> str:
    """Text from bytes in a codec from _text_codec: the codec, else UTF-8, else replacements; never raises."""
    for attempt in dict.fromkeys((codec, "utf-8")):
        try:
            return data.decode(attempt)
        except (UnicodeError, LookupError):
            continue
    if codec in ("utf-8", "ascii"):
        # Declared UTF-8 or ASCII but it is not: most likely Windows-1252/Latin-1 text.
        return data.decode("cp1252", "replace")
    try:
        return data.decode(codec, "replace")
    except (UnicodeError, LookupError):
        return data.decode("utf-8", "replace")


def _text(part: Message, content_type: str) -> str:
    return _decode(_payload_bytes(part, content_type), _charset(part))


# -- HTML ------------------------------------------------------------------------------------
_BLOCK = frozenset(
    ["p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "section", "article", "header", "footer"]
)
_SKIP = frozenset({"script", "style", "head", "title"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.pre = 0
        self.href: str | None = None
        self.link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag == "pre":
            self.pre += 1
        if tag in _BLOCK:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("• ")
        if tag == "a":
            self.href = dict(attrs).get("href")
            self.link_text = []
        if tag in ("td", "th"):
            self.parts.append("\t")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag in ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table"):
            self.parts.append("\n")
        if tag == "a" and self.href:
            text = "".join(self.link_text).strip()
            if self.href.startswith(("http:", "https:", "mailto:")) and self.href.removeprefix("mailto:") != text:
                self.parts.append(f" ({self.href})")
            self.href = None

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if not self.pre:
            data = re.sub(r"\s+", " ", data)
        if self.href is not None:
            self.link_text.append(data)
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable plain text from HTML: blocks on their own lines, links kept, scripts dropped."""
    extractor = _TextExtractor()
    try:
        extractor.feed(html)
        extractor.close()
    except Exception:  # noqa: BLE001 - broken HTML: keep what was read
        pass
    lines = [line.strip(" ") for line in "".join(extractor.parts).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()

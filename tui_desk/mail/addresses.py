"""Who wrote a message: the sender's display name and address, read as mail clients really write them."""

from __future__ import annotations

import re

from ..core.lifecycle import normalize_email
from ..domain.errors import TuiDeskError
from ..i18n import _
from .headers import MAX_HEADER, HeaderReader, decode_words

# The customer of messages whose sender cannot be recovered: they are stored, never skipped,
# and the reserved .invalid domain (RFC 2606) makes sure no reply is ever delivered anywhere.
UNKNOWN_SENDER = "unknown-sender@tui-desk.invalid"


# parseaddr's answer is plain: the name's words joined by single spaces, the address as written.
_ADDRESS = r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_PLAIN_SENDER = re.compile(rf"[ \t]*(?:(?:([A-Za-z0-9]+(?:[ \t]+[A-Za-z0-9]+)*)[ \t]*)?<({_ADDRESS})>|({_ADDRESS}))[ \t]*")


def sender_of(header: HeaderReader) -> tuple[str, str]:
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


def addresses_in(value: str) -> list[str]:
    """Every usable address of a raw address header (To, Cc, Reply-To), display names dropped.

    Read from a bounded start of the value, as the From line is; what is no address is skipped.
    """
    if not value:
        return []
    plain = _PLAIN_SENDER.fullmatch(value)
    if plain is not None:  # most mail: one address
        return [plain[2] or plain[3]]
    return [address for _name, address in _mailboxes(value[:MAX_HEADER]) if address]


def _address(value: str) -> tuple[str, str]:
    """(name, address) of the first mailbox in a raw header value with a usable address, else (name, "")."""
    plain = _PLAIN_SENDER.fullmatch(value)
    if plain is not None:  # most mail: no tokenizing needed
        if plain[3] is not None:
            return "", plain[3]
        return " ".join(plain[1].split())[:MAX_HEADER] if plain[1] else "", plain[2]
    return _tolerant_address(value)


def _tolerant_address(value: str) -> tuple[str, str]:
    """_address for any value; the plain forms give what the fast path gives (a test holds them to it)."""
    boxes = _mailboxes(value[:MAX_HEADER])
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
    return name[:MAX_HEADER], address


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


"""Header text of a message: RFC 2047 encoded words, charsets, folding, raw 8-bit bytes, ids and dates.

Read with the ``compat32`` policy and decoded here, never an exception (see mail/parse.py).
"""

from __future__ import annotations

import codecs
import functools
import re
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.utils import parsedate_to_datetime

MSGID = re.compile(r"<[^<>\s]+>")
MAX_HEADER = 8192  # longer header values are cut: a huge header must not become a huge subject
_MAX_ENCODED = 4 * MAX_HEADER  # of a value's encoded words, as many as decode to MAX_HEADER characters
COMPAT32 = policy.compat32


class BoundedMessage(Message):
    """A Message whose header parameters are read from the first _MAX_PARAMS characters of the header.

    The email package splits parameters in quadratic time: a Content-Type of a
    megabyte of "; a=b" took ten seconds (the parser itself reads a multipart's
    boundary so), 25 MB of it most of an hour. Real parameters fit many times over.
    """

    def _get_params_preserve(self, failobj, header):  # noqa: ANN001, ANN202 - the email package's signature
        value = self.get(header)
        if isinstance(value, str) and len(value) > _MAX_PARAMS:
            probe = Message(policy=COMPAT32)
            probe[header] = value[:_MAX_PARAMS]
            return probe._get_params_preserve(failobj, header)
        return super()._get_params_preserve(failobj, header)


_MAX_PARAMS = 8192


class HeaderReader:
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

        Not cut to MAX_HEADER: an address after a huge display name is still found (see addresses._address).
        """
        value = self.first.get(name.lower())
        if not isinstance(value, str):
            return ""
        if has_surrogates(value):
            value = raw_bytes_text(value)
        return unfold(value)

    def __call__(self, message: Message, name: str) -> str:
        value = self.first.get(name.lower())
        if value is None:
            return ""
        if not isinstance(value, str) or has_surrogates(value):
            return header(message, name)
        return decode_words(unfold(value))[:MAX_HEADER]


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
    text = decode_words(unfold(str(value)))
    return text[:MAX_HEADER]


_FOLD = re.compile(r"\r?\n[ \t]")


def unfold(value: str) -> str:
    return _FOLD.sub(" ", value) if "\n" in value else value


_SURROGATE = re.compile("[\udc80-\udcff]")


def has_surrogates(text: str) -> bool:
    return not text.isascii() and _SURROGATE.search(text) is not None


def raw_bytes_text(text: str) -> str:
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
    if has_surrogates(value):
        value = raw_bytes_text(value)
    if "=?" not in value:
        return value
    try:
        chunks = decode_header(value)
    except Exception:  # noqa: BLE001
        return value
    if all(charset is None or text_codec(charset) for _chunk, charset in chunks):
        try:
            return str(make_header(chunks))  # right spacing between encoded and plain words
        except Exception:  # noqa: BLE001 - bytes the charset cannot decode
            pass
    out: list[str] = []
    for chunk, charset in chunks:
        out.append(chunk if isinstance(chunk, str) else decode_bytes(chunk, text_codec(charset or "ascii") or "utf-8"))
    return "".join(out)


def first_id(value: str) -> str | None:
    found = MSGID.search(value)
    if found:
        return found.group()[:998]
    value = value.strip()
    # A bare id ("abc@host") is wrapped; "<>", "<<x>" and such are no id: every mailer that writes
    # them would share one, its messages deduplicated away and answers threaded to a stranger's.
    return f"<{value[:996]}>" if value and not _NOT_IN_BARE_ID.search(value) else None


_NOT_IN_BARE_ID = re.compile(r"[\s<>]")


def parse_date(value: str) -> datetime | None:
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


# Codecs Python knows that are no character set of mail: idna and punycode decode host names and
# refuse replacement, the escape codecs would turn a sender's "\\x1b" into a real escape.
_NOT_CHARSETS = frozenset({"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined"})


@functools.lru_cache(maxsize=64)
def text_codec(charset: str) -> str | None:
    """The Python codec for a declared charset; None for an unknown one or one that is no charset."""
    try:
        info = codecs.lookup(charset)
    except (LookupError, ValueError, TypeError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name.replace("_", "-") in _NOT_CHARSETS:
        return None  # base64, zlib, rot13, idna...
    return info.name


def decode_bytes(data: bytes, codec: str) -> str:
    """Text from bytes in a codec from text_codec: the codec, else UTF-8, else replacements; never raises."""
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


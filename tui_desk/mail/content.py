"""The text and attachments of a message: its leaf parts, charsets, file names, HTML made readable."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from email.message import Message
from html.parser import HTMLParser
from typing import cast

from ..i18n import _
from .headers import (
    COMPAT32,
    BoundedMessage,
    decode_bytes,
    decode_words,
    has_surrogates,
    raw_bytes_text,
    text_codec,
    unfold,
)


# -- content -------------------------------------------------------------------------------
def text_and_attachments(message: Message) -> tuple[str, list[tuple[str, str, bytes]]]:
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
    parse.parse_message).
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
                parts = cast(list[Message], payload)
                if content_type == "multipart/alternative":
                    # One alternative is enough: the plain one if present, else the last one.
                    parts = [p for p in parts if _content_type(p) == "text/plain"] or parts[-1:]
                stack.extend(reversed(parts))
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
    name = decode_words(unfold(name))
    # Quotes left at an end: a parameter cut short (headers._MAX_PARAMS) or written with stray quotes.
    name = " ".join(name.replace("/", "_").replace("\\", "_").strip('" ').split())
    return name[:255] or None


def _with_8bit_params_read(part: Message) -> Message:
    """The part, or a copy of its Content-Type and -Disposition with raw 8-bit bytes read as text.

    compat32 turns each undeclared 8-bit byte of a parameter into U+FFFD, and many
    mailers write a file name as raw UTF-8 ("résumé.pdf"): read as other headers are.
    """
    wanted = ("content-type", "content-disposition")
    items = [(k, v) for k, v in part.raw_items() if k.lower() in wanted and isinstance(v, str)]
    if not any(has_surrogates(v) for _k, v in items):
        return part
    probe = BoundedMessage(policy=COMPAT32)
    for key, value in items:
        probe.set_raw(key, raw_bytes_text(value) if has_surrogates(value) else value)
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
                return cast(Message, inner[0]).as_bytes()
        data = cast(bytes | None, part.get_payload(decode=True))
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
    probe = BoundedMessage(policy=COMPAT32)
    probe["Content-Type"] = content_type
    return _declared_charset(probe)


def _declared_charset(part: Message) -> str:
    try:
        declared = part.get_content_charset() or "utf-8"
    except Exception:  # noqa: BLE001
        declared = "utf-8"
    return text_codec(declared) or "utf-8"  # unknown or unfit: UTF-8 with replacements is the best guess



def _text(part: Message, content_type: str) -> str:
    return decode_bytes(_payload_bytes(part, content_type), _charset(part))


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

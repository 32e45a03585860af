"""How much an agent may attach to one reply or note (docs/issue15/attachments-in.md).

The limit is on the total of one message's files, as they are on disk: a mail server
refuses a message by its whole size, and one 15 MB file and two 8 MB files are the same
load on the customer's mailbox. Set in the config file:

    [mail]
    max_attachment_size = "20 MB"   # or "500 KB", "1.5 MB", "10 MiB", or a number of bytes

MB is 1,000,000 bytes (as mail providers count); MiB is 1,048,576.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..domain.errors import InvalidInput
from ..i18n import _

DEFAULT_LIMIT = 20_000_000  # 20 MB: under the 25 MB most mail providers accept once base64 adds its third

_UNITS = {
    "": 1, "b": 1,
    "kb": 1000, "mb": 1000**2, "gb": 1000**3,
    "kib": 1024, "mib": 1024**2, "gib": 1024**3,
}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*", re.IGNORECASE)


def parse_size(value: Any) -> int:  # noqa: ANN401 - a TOML value
    """A size in bytes from a number of bytes or a text such as "10 MB"; InvalidInput otherwise."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    found = _SIZE.fullmatch(value) if isinstance(value, str) else None
    unit = _UNITS.get(found.group(2).lower()) if found else None
    if found is None or unit is None or float(found.group(1)) * unit < 1:
        raise InvalidInput(
            _('[mail] max_attachment_size must be a size such as "20 MB", "500 KB" or a number of bytes,'
              " not {value!r}").format(value=value)
        )
    return int(float(found.group(1)) * unit)


def limit_from_config(raw: dict[str, Any] | None) -> int:
    """`[mail] max_attachment_size` of the config file, or DEFAULT_LIMIT."""
    mail = (raw or {}).get("mail")
    if not isinstance(mail, dict) or mail.get("max_attachment_size") is None:
        return DEFAULT_LIMIT
    return parse_size(mail["max_attachment_size"])


def size_text(size: int) -> str:
    """A size as the limit is written: 20 MB, 512 KB, 300 B."""
    for unit, factor in (("GB", 1000**3), ("MB", 1000**2), ("KB", 1000)):
        if size >= factor:
            return f"{size / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} B"


def check_size(name: str, size: int, before: int, limit: int) -> None:
    """Refuse the file `name` of `size` bytes when, after `before` bytes already attached, it passes `limit`."""
    if before + size <= limit:
        return
    if before == 0:
        line = _("{name} is {size}: over the attachment limit of {limit} ([mail] max_attachment_size)")
    else:
        line = _("{name} takes the attachments to {size}: over the limit of {limit} ([mail] max_attachment_size)")
    raise InvalidInput(line.format(name=name, size=size_text(before + size), limit=size_text(limit)))


def check_attachments(files: Sequence[tuple[str, str, bytes]], limit: int) -> None:
    """The whole set of one message's files against the limit; the first file over it is named."""
    total = 0
    for name, _type, data in files:
        check_size(name, len(data), total, limit)
        total += len(data)


__all__ = ["DEFAULT_LIMIT", "check_attachments", "check_size", "limit_from_config", "parse_size", "size_text"]

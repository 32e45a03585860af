"""A sender-chosen attachment name made safe to use as a file name in a folder the user chose.

The name in a mail is hostile input (docs/issue15/attachments-out.md): ``../../etc/passwd``,
an absolute path, escape sequences, bidi overrides, ``CON`` or 300 bytes of name. What is
left is one plain path component that stays inside the folder and shows as it is named.
"""

from __future__ import annotations

import re
import unicodedata

FALLBACK = "attachment"
# Most file systems (ext4, APFS, NTFS in UTF-16 units) stop at 255; bytes is the strict one.
MAX_BYTES = 255
# Characters Windows refuses in a name, and both path separators.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$", re.IGNORECASE)


def _unseen(char: str) -> bool:
    """Control, format (bidi, zero-width), separator-of-lines and unassigned/surrogate characters."""
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def _cut(name: str, limit: int) -> str:
    """At most `limit` UTF-8 bytes, the extension kept, never half a character."""
    if len(name.encode()) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext.encode()) > 16:
        stem, ext = name, ""
    room = limit - len(ext.encode()) - (1 if ext else 0)
    stem = stem.encode()[:room].decode(errors="ignore").rstrip(" .")
    return f"{stem}.{ext}" if ext else stem


def safe_file_name(name: str, limit: int = MAX_BYTES) -> str:
    """One clean path component for `name`; FALLBACK when nothing usable is left."""
    name = unicodedata.normalize("NFC", name)
    # The last component of any path, Unix or Windows: where a mail client would put it.
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(" " if char in "\t\n\r" else char for char in name if not _unseen(char) or char in "\t\n\r")
    name = _FORBIDDEN.sub("_", name)
    name = " ".join(name.split())
    # No hidden file (".bashrc") and no trailing dot or space, which Windows drops.
    name = name.strip(" .")
    if _WINDOWS_RESERVED.match(name.partition(".")[0].rstrip(" ")):
        name = "_" + name
    name = _cut(name, limit)
    return name or FALLBACK


def numbered(name: str, n: int) -> str:
    """The n-th alternative for a taken name, as file managers do: ``report (2).pdf``."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    suffix = f" ({n})"
    stem = _cut(stem, MAX_BYTES - len(suffix.encode()) - (len(ext.encode()) + 1 if ext else 0))
    return f"{stem}{suffix}.{ext}" if ext else f"{stem}{suffix}"

"""Text from outside the program (standard input, arguments) as clean str, whatever its bytes.

Bytes that are not valid in the input's encoding (`printf 'caf\\xe9' | tui-desk note 1`)
become U+FFFD with a warning on stderr, never a traceback: SQLite refuses the lone
surrogates Python otherwise puts in their place.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TypeVar

from ..domain.errors import InvalidInput
from ..i18n import _

_AnyStr = TypeVar("_AnyStr", str, bytes)

# Arguments that name files: their undecodable bytes are part of a real file name.
PATH_ARGUMENTS = frozenset({"db", "paths", "path", "file"})


def _warn() -> None:
    warning = _("warning")
    print(f"tui-desk: {warning}: " + _("the text is not valid UTF-8: the bytes that are not were replaced by �"), file=sys.stderr)


def _repair(text: str, encoding: str) -> tuple[str, bool]:
    """Undecodable bytes smuggled in as surrogates (surrogateescape) become U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raw = text.encode(encoding, "surrogateescape") if _can_escape(encoding) else text.encode("utf-8", "replace")
        return raw.decode(encoding, "replace"), True
    return text, False


def _can_escape(encoding: str) -> bool:
    try:
        "\udce9".encode(encoding, "surrogateescape")
    except (UnicodeError, LookupError):
        return False
    return True


# Far beyond any text typed or pasted; a bound, so `note 1 < /dev/zero` ends in one line
# instead of being killed for memory.
MAX_TEXT_BYTES = 50_000_000


def _too_big() -> InvalidInput:
    return InvalidInput(_("The text is larger than {n} MB: too big to store").format(n=MAX_TEXT_BYTES // 1_000_000))


def _bounded(data: _AnyStr) -> _AnyStr:
    if len(data) > MAX_TEXT_BYTES:
        raise _too_big()
    return data


def read_text_file(path: Path) -> str:
    """A UTF-8 file's text, at most MAX_TEXT_BYTES of it (UnicodeDecodeError, OSError as open raises)."""
    with path.open("rb") as handle:
        return _bounded(handle.read(MAX_TEXT_BYTES + 1)).decode("utf-8")


def read_stdin() -> str:
    """All of standard input as text, in its encoding; bad bytes replaced, with a warning."""
    stream = sys.stdin
    encoding = getattr(stream, "encoding", None) or "utf-8"
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # a text stream without bytes underneath (tests, embedding)
        text, replaced = _repair(_bounded(stream.read(MAX_TEXT_BYTES + 1)), encoding)
    else:
        data = _bounded(buffer.read(MAX_TEXT_BYTES + 1))
        try:
            text, replaced = data.decode(encoding), False
        except UnicodeDecodeError:
            text, replaced = data.decode(encoding, "replace"), True
        except LookupError:
            text, replaced = data.decode("utf-8", "replace"), True
    if replaced:
        _warn()
    return text


def repair_arguments(args: argparse.Namespace) -> None:
    """Text arguments with undecodable bytes (`--body $'caf\\xe9'`) get U+FFFD, with one warning."""
    encoding = sys.getfilesystemencoding()
    replaced_any = False
    for name, value in vars(args).items():
        if name in PATH_ARGUMENTS:
            continue
        fixed: str | list[str]
        if isinstance(value, str):
            fixed, replaced = _repair(value, encoding)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            pairs = [_repair(v, encoding) for v in value]
            fixed, replaced = [v for v, _r in pairs], any(r for _v, r in pairs)
        else:
            continue
        if replaced:
            setattr(args, name, fixed)
            replaced_any = True
    if replaced_any:
        _warn()

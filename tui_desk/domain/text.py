"""Customer text is data: make it harmless to print without changing what is stored.

`printable` (and `one_line`, built on it) is THE sanitiser: every string that comes
from mail or from a name a user typed goes through it before it reaches a terminal,
in the command line and in the app alike. It makes visible, never drops:

- C0 and C1 control characters (escape sequences start here): ESC shows as ␛;
- characters that reorder or hide text: bidi embeddings, overrides and isolates,
  zero-width spaces and joiners, the BOM, the soft hyphen, tag characters and
  every other Unicode "format" (Cf) character, line and paragraph separators,
  and lone surrogates. They show as ``<U+202E>``, so ``invoice\u202efdp.exe``
  cannot pass for ``invoiceexe.pdf``.

Two uses of the joiners are kept because text needs them and they can hide nothing:
a zero-width joiner between two emoji (it draws 👩‍💻 as one picture), and either
joiner between two letters of a script whose spelling uses them (Persian ``می‌خواهم``,
Devanagari conjuncts). Between Latin letters, or anywhere else, they show.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

# Format characters (Unicode category Cf, up to Unicode 15), line/paragraph separators,
# surrogates, and blank letters that draw nothing (Hangul fillers, Khmer inherent vowels,
# the combining grapheme joiner). tests/test_names_and_text.py checks this list against
# the unicodedata of the running Python, so a newer Unicode cannot slip a Cf past it.
_HIDDEN_RANGES = (
    "\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f\ud800-\udfff"
)
# C0 and C1 control characters other than newline and tab, and the hidden ones above.
_UNSAFE = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_HIDDEN_RANGES}]")

_ZWNJ, _ZWJ = "\u200c", "\u200d"
# Emoji (and what binds inside an emoji sequence: VS16, skin tones, keycap).
_EMOJI = re.compile("[\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u20e3\U0001f000-\U0001faff]")
# Scripts whose spelling uses ZWJ / ZWNJ: Arabic, Syriac, Thaana, N'Ko..., the Indic scripts, Mongolian.
_JOINING_SCRIPT = re.compile("[\u0600-\u08ff\u0900-\u0dff\u1800-\u18af\ufb50-\ufdff\ufe70-\ufefc]")


def _joins(text: str, at: int) -> bool:
    """Whether the joiner at `at` is part of an emoji or of a word, not a hiding place."""
    if at == 0 or at + 1 >= len(text):
        return False
    before, after = text[at - 1], text[at + 1]
    if text[at] == _ZWJ and _EMOJI.match(before) and _EMOJI.match(after):
        return True
    return all(
        _JOINING_SCRIPT.match(c) and unicodedata.category(c)[0] in "LM" for c in (before, after)
    )


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures": ␛ for ESC
    if code == 0x7F:
        return "\u2421"
    if code <= 0x9F:
        return f"\\x{code:02x}"
    if char in (_ZWJ, _ZWNJ) and _joins(match.string, match.start()):
        return char
    return f"<U+{code:04X}>"


def printable(text: str) -> str:
    """The text with control and hidden characters shown as visible symbols (ESC becomes ␛)."""
    return _UNSAFE.sub(_visible, text.replace("\r\n", "\n"))


def one_line(text: str, width: int | None = None) -> str:
    """Single-line form for lists and headers, cut to `width` with an ellipsis."""
    flat = printable(" ".join(text.split()))
    if width is not None and len(flat) > width:
        return flat[: max(0, width - 1)] + "…"
    return flat


def storable(text: str) -> str:
    """The text as every store keeps it: NUL becomes U+FFFD, all else stays exactly as it came.

    PostgreSQL text cannot hold NUL and SQLite can; a desk must hold the same text on both
    (`copy --to` between them compares equal), and no person types a NUL: it comes from a
    broken mail or file, so it gets the mark of a character that could not be read.
    """
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


def storable_data(data: Any) -> Any:  # noqa: ANN401 - any JSON value
    """`storable` applied to every string in nested dicts, lists and tuples (a record, a backup)."""
    if isinstance(data, str):
        return storable(data)
    if isinstance(data, dict):
        # A plain string without NUL or None stays as it is: said inline, it is most of a message row.
        return {(k if k.__class__ is str and "\x00" not in k else storable_data(k)):
                (v if v is None or (v.__class__ is str and "\x00" not in v) else storable_data(v))
                for k, v in data.items()}
    if isinstance(data, list | tuple):
        return type(data)(storable_data(v) for v in data)
    return data


def hidden_characters(text: str) -> list[str]:
    """The characters `printable` would change, as U+XXXX, in order, once each (for refusals)."""
    found: dict[str, None] = {}
    for match in _UNSAFE.finditer(text):
        if _visible(match) != match.group():
            found[f"U+{ord(match.group()):04X}"] = None
    return list(found)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # JSON spells a character outside the BMP as a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def json_text(data: object, indent: int | None = 1) -> str:
    """JSON for scripts that is also safe on a terminal: the same data, every unsafe character as \\uXXXX.

    json.dumps escapes only C0 controls; C1 (8-bit CSI), bidi and invisible characters
    would reach the terminal raw, and a lone surrogate could not be printed at all.
    Such characters only occur inside JSON strings, where an escape means the same.
    """
    return _UNSAFE.sub(_json_escape, json.dumps(data, ensure_ascii=False, indent=indent))


def fold(text: str) -> str:
    """Case and accents dropped, for matching what a user types: "Évora" is "evora", "Četvrtak"
    is "cetvrtak"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()

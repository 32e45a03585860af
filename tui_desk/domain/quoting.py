"""Which lines of a customer's mail repeat older mail or a signature, so the thread can fold them.

Issue 15 item 9 (docs/issue15/reading.md): an agent reads what is new. Mail clients mark
what they repeat in a few shapes, and these are what is folded:

- quoted lines (``>``, ``> >``, ``>>``), with the blank lines between them and the
  attribution line above them ("On Tue, Ann wrote:", "Am … schrieb …:", "Le … a écrit :",
  "El … escribió:", ...), which a client may wrap onto two lines;
- Outlook's block ("-----Original Message-----", or a "From:" line followed by
  "Sent:"/"Date:"), which runs to the end of the mail, unquoted;
- a signature: the "-- " line (RFC 3676 4.3) to the end.

A run of quoted lines in the middle of a mail (an answer interleaved with the question)
is folded only when it is 3 lines or more: a short quote is the context of the answer
under it. What runs to the end of the mail is folded from 2 lines (one fold line for one
line saves nothing). A mail that would be folded whole is not folded at all: there is
nothing else to read. Pure text in, line numbers out; the sender's text is never changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

QUOTE = "quote"
SIGNATURE = "signature"

MIDDLE_RUN = 3
TAIL_RUN = 2
# Outlook's "From:" block: its "Sent:" or "Date:" line follows within this many lines.
_HEADER_SPAN = 4

_QUOTED = re.compile(r"\s{0,3}>")
# The attribution line holds the verb and ends with a colon: "Ann wrote:", "Am … schrieb Max
# <max@example.de>:", "Le … a écrit :" (French puts a space before it).
_ATTRIBUTION_VERB = re.compile(
    r"\b(wrote|writes|schrieb|a écrit|escribió|escribio|ha scritto|escreveu|schreef|napisał|kirjoitti|skrev)\b",
    re.IGNORECASE,
)
# The start of an attribution wrapped over two lines: "On Tue, 3 Dec 2026 at 10:00, Ann Lee <ann@".
_ATTRIBUTION_START = re.compile(r"^(on|am|le|el|il|em|op|w dniu)\s", re.IGNORECASE)
_ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|"
    r"messaggio originale|mensagem original|oorspronkelijk bericht)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_FROM = re.compile(r"^\s*\*?(from|von|de|da|van|od)\s*:", re.IGNORECASE)
_SENT = re.compile(r"^\s*\*?(sent|date|gesendet|datum|envoyé|date d'envoi|enviado|enviado el|fecha|inviato|data)\s*:", re.IGNORECASE)
_RULE = re.compile(r"^\s*_{10,}\s*$")  # Outlook's line of underscores above its "From:" block


@dataclass(frozen=True)
class Fold:
    start: int  # the first folded line (an index into text.split("\n"))
    end: int  # one past the last
    kind: str  # QUOTE or SIGNATURE

    @property
    def lines(self) -> int:
        return self.end - self.start


def folds(text: str) -> list[Fold]:
    """The spans of `text` to fold, in order, not overlapping; [] when nothing (or everything) would be."""
    lines = text.split("\n")
    tail = _tail_start(lines)
    found: list[Fold] = []
    i = 0
    limit = tail.start if tail is not None else len(lines)
    while i < limit:
        if not _QUOTED.match(lines[i]):
            i += 1
            continue
        start = _attribution_above(lines, i)
        end = i + 1
        while end < limit:
            if _QUOTED.match(lines[end]):
                end += 1
                continue
            after = _next_filled(lines, end, limit)
            if after < limit and _QUOTED.match(lines[after]):
                end = after  # blank lines between quoted ones belong to the quote
                continue
            break
        reaches_end = _next_filled(lines, end, len(lines)) >= limit
        if reaches_end:
            end = limit
        if end - start >= (TAIL_RUN if reaches_end else MIDDLE_RUN):
            found.append(Fold(start, end, QUOTE))
        i = end
    if tail is not None:
        if found and found[-1].end == tail.start:  # a quote running into the signature: one fold
            found[-1] = Fold(found[-1].start, len(lines), found[-1].kind)
        elif tail.lines >= TAIL_RUN:
            found.append(tail)
    hidden = [False] * len(lines)
    for fold in found:
        hidden[fold.start : fold.end] = [True] * fold.lines
    return found if any(line.strip() and not gone for line, gone in zip(lines, hidden, strict=True)) else []


def _tail_start(lines: list[str]) -> Fold | None:
    """What runs to the end of the mail: a signature, or Outlook's quoted original; the earliest."""
    for n, line in enumerate(lines):
        if line.rstrip() == "--":
            return Fold(n, len(lines), SIGNATURE)
        if _ORIGINAL.match(line) or (_FROM.match(line) and any(_SENT.match(x) for x in lines[n + 1 : n + 1 + _HEADER_SPAN])):
            start = n
            above = _previous_filled(lines, n)
            if above is not None and _RULE.match(lines[above]):
                start = above
            return Fold(start, len(lines), QUOTE)
    return None


def _attribution_above(lines: list[str], first_quoted: int) -> int:
    """Where the quote starts: at its attribution line(s) when they stand above it."""
    above = _previous_filled(lines, first_quoted)
    if above is None or _QUOTED.match(lines[above]) or not _attribution(lines[above]):
        return first_quoted
    if _ATTRIBUTION_START.match(lines[above]):
        return above
    wrapped = above - 1  # "On Tue, … Ann Lee <ann@example.com>" / "wrote:"
    if wrapped >= 0 and _ATTRIBUTION_START.match(lines[wrapped]) and not _QUOTED.match(lines[wrapped]):
        return wrapped
    return above


def _attribution(line: str) -> bool:
    return line.rstrip().endswith(":") and _ATTRIBUTION_VERB.search(line) is not None


def _next_filled(lines: list[str], start: int, limit: int) -> int:
    n = start
    while n < limit and not lines[n].strip():
        n += 1
    return n


def _previous_filled(lines: list[str], before: int) -> int | None:
    n = before - 1
    while n >= 0 and not lines[n].strip():
        n -= 1
    return n if n >= 0 else None

"""The rules for names users define: custom statuses, saved replies and tags.

One place, used by the command line, the app and the core services, so a name refused
in one is refused in all. A name is one line of at most NAME_MAX characters, with at
least one letter or digit, and nothing the sanitiser would have to make visible
(control, bidi or invisible characters): what is stored is exactly what is shown.

Tags are edited with words: ``+name`` adds, ``-name`` removes, a bare ``name`` adds
(the same in the command line and the app). Quotes around a tag (and signs before it)
are dropped and spaces inside it become ``-``: ``+"vip customer"`` adds ``vip-customer``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..domain.errors import InvalidInput
from ..domain.models import Status, status_label
from ..domain.text import hidden_characters, one_line
from ..i18n import _, ngettext

NAME_MAX = 80

# Words that already mean something where a status is named: `status ID WORD`,
# `list --status WORD`, filters and views. A custom status by such a name would be
# shadowed by (or shadow) the built-in meaning.
_STATUS_WORDS = frozenset(
    {
        "resolve", "postpone", "delete", "restore", "restored", "reopen", "reopened", "purge",
        "attention", "all", "none", "unassigned", "custom", "status",
    }
)
# A word of the app's tag prompt: quoted groups and other non-space characters.
_WORD = re.compile(r"""(?:(?<![^\s+\-])'[^']*'(?=\s|$)|"[^"]*(?:"|$)|“[^”]*(?:”|$)|\S)+""")
_QUOTES = "\"'“”„‘’‚«»‹›`"


@dataclass(frozen=True)
class TagEdit:
    """What a tag command asks for: the tags to add and to remove, cleaned, in order."""

    add: tuple[str, ...]
    remove: tuple[str, ...]


def _shown(name: str) -> str:
    return one_line(name, 40)


def _check(name: str, *, too_long: str | None = None) -> str:
    """The common rules; returns the name with outer spaces stripped and inner runs collapsed."""
    stripped = name.strip()
    hidden = [f"U+{ord(c):04X}" for c in "\t\n" if c in stripped] + hidden_characters(stripped)
    if hidden:
        raise InvalidInput(
            _("“{name}”: a name cannot contain control or invisible characters ({chars})").format(
                name=_shown(stripped), chars=", ".join(dict.fromkeys(hidden))
            )
        )
    cleaned = " ".join(stripped.split())
    if len(cleaned) > NAME_MAX:
        message = too_long or ngettext(
            "“{name}”: a name can be at most {n} character long", "“{name}”: a name can be at most {n} characters long", NAME_MAX
        )
        raise InvalidInput(message.format(name=_shown(cleaned), n=NAME_MAX))
    if cleaned and not any(c.isalnum() for c in cleaned):
        raise InvalidInput(_("“{name}”: a name needs a letter or a digit").format(name=_shown(cleaned)))
    return cleaned


def reserved_status_words() -> frozenset[str]:
    """Every word a custom status may not be called (case-insensitive), in this language too."""
    builtin = {s.value for s in Status} | {status_label(s.value).casefold() for s in Status}
    return frozenset(_STATUS_WORDS | builtin)


def status_name(name: str) -> str:
    """A custom status name as stored; InvalidInput (one line) when it breaks a rule."""
    cleaned = _check(name)
    if not cleaned:
        raise InvalidInput(_("A status needs a name"))
    if "," in cleaned:  # `list --status a,b` separates statuses with commas
        raise InvalidInput(_("“{name}”: a name cannot contain a comma").format(name=_shown(cleaned)))
    # NFKC: fullwidth "ｏｐｅｎ" looks like Open in every list and would pass for it.
    folded = unicodedata.normalize("NFKC", cleaned).casefold()
    if folded in reserved_status_words() or "-".join(folded.split()) in reserved_status_words():
        raise InvalidInput(_("“{name}” is a reserved word: choose another name").format(name=_shown(cleaned)))
    return cleaned


def saved_reply_name(name: str | None) -> str:
    """A saved reply's name as stored; InvalidInput (one line) when it breaks a rule.

    No reserved words: a saved reply's name is never read as a command (and "Resolved"
    is one of the saved replies every desk starts with).
    """
    cleaned = _check(name or "", too_long=ngettext(
        "A saved reply's name can be at most {n} character long", "A saved reply's name can be at most {n} characters long", NAME_MAX
    ))
    if not cleaned:
        raise InvalidInput(_("A saved reply needs a name"))
    return cleaned


def person_name(name: str) -> str:
    """An agent's or a department's name as stored (assign, department, --as).

    They are typed as freely as a status and shown in every list and timeline, so the
    same rules hold: a name with ESC or a newline could forge a line of the timeline.
    """
    cleaned = _check(name)
    if not cleaned:
        raise InvalidInput(_("A name cannot be empty"))
    return cleaned


def _unquoted(word: str) -> str:
    text = word.strip()
    while len(text) >= 1 and (text[0] in _QUOTES or text[-1] in _QUOTES):
        text = text.strip(_QUOTES).strip()
    return text


def tag_name(word: str) -> str:
    """A tag to add, as stored: quotes dropped, inner spaces as ``-``; InvalidInput when it breaks a rule.

    Leading ``+`` and ``-`` are dropped too: a tag "-a" could only be removed with
    ``--a``, which a command line reads as an option.
    """
    text = _unquoted(_unquoted(word).lstrip("+-"))
    if not text:
        raise InvalidInput(_("Name at least one tag: +name adds it, -name removes it"))
    if "," in text:
        raise InvalidInput(_("“{name}”: a name cannot contain a comma").format(name=_shown(text)))
    return "-".join(_check(text).split())


def tag_to_remove(word: str) -> str:
    """A tag to remove, cleaned like one to add but never refused: an old odd tag can still go."""
    return "-".join(_unquoted(word).split())


def tag_edit(add: Iterable[str] = (), remove: Iterable[str] = ()) -> TagEdit:
    """Clean and check the tags to add and to remove, once each (case-insensitively), in order."""

    def unique(names: Iterable[str]) -> tuple[str, ...]:
        seen: dict[str, str] = {}
        for name in names:
            if name:
                seen.setdefault(name.casefold(), name)
        return tuple(seen.values())

    edit = TagEdit(unique(tag_name(w) for w in add), unique(tag_to_remove(w) for w in remove))
    if not edit.add and not edit.remove:
        raise InvalidInput(_("Name at least one tag: +name adds it, -name removes it"))
    return edit


def parse_tag_words(words: Sequence[str]) -> TagEdit:
    """``+name`` adds, ``-name`` removes, a bare ``name`` adds: the words of the CLI or the app."""
    add: list[str] = []
    remove: list[str] = []
    for word in words:
        word = word.strip()
        if word.startswith("-"):
            remove.append(word[1:])
        else:
            add.append(word[1:] if word.startswith("+") else word)
    edit = tag_edit(add, remove)
    # Typed "+x -x" or "-x +x" both ended with x removed (adds are applied first): ask, do not guess.
    both = {name.casefold() for name in edit.add} & {name.casefold() for name in edit.remove}
    if both:
        name = next(name for name in edit.add if name.casefold() in both)
        raise InvalidInput(_("“{name}” is both added and removed: keep one of the two").format(name=_shown(name)))
    return edit


def parse_tag_text(text: str) -> TagEdit:
    """The words typed in one line (the app's prompt): quotes group a tag with spaces.

    Double (or curly) quotes group anywhere; a single quote only at the start of a word,
    so ``o'brien`` is one tag and not an open quote.
    """
    return parse_tag_words(_WORD.findall(text))

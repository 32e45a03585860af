"""Ticket numbers as people type them: "12", "#12", and lists such as "12,15,20-25"."""

from __future__ import annotations

import re

from ..domain.errors import InvalidInput
from ..i18n import _, ngettext, number

MAX_IDS = 10_000
LARGEST_ID = 2**63 - 1  # SQLite's largest integer: a longer number cannot name a ticket


def parse_ticket_id(text: str) -> int:
    match = re.fullmatch(r"\s*#?(\d+)\s*", text or "")
    if not match:
        raise InvalidInput(_("Not a ticket id: {text!r}").format(text=text))
    ticket_id = int(match.group(1))
    if ticket_id > LARGEST_ID:
        raise InvalidInput(_("Not a ticket id: {text!r}").format(text=text.strip()))
    return ticket_id


def parse_ticket_ids(text: str) -> list[int]:
    """ "12", "#12", "12,15,20-25" -> ids in the order given, each once."""
    ids: list[int] = []
    for part in (text or "").split(","):
        match = re.fullmatch(r"\s*#?(\d+)\s*(?:-\s*#?(\d+)\s*)?", part)
        if not match:
            raise InvalidInput(_("Not a ticket id: {text!r}").format(text=part.strip() or text))
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) else first
        if last > LARGEST_ID:
            raise InvalidInput(_("Not a ticket id: {text!r}").format(text=part.strip()))
        if last < first:
            raise InvalidInput(_("A range of tickets goes up, as in 20-25: {text!r}").format(text=part.strip()))
        if last - first + len(ids) >= MAX_IDS:
            raise InvalidInput(ngettext("At most {n} ticket at once", "At most {n} tickets at once", MAX_IDS).format(n=number(MAX_IDS)))
        ids.extend(range(first, last + 1))
    return list(dict.fromkeys(ids))

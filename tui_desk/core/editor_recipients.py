"""Whom the reply editor shows a reply going to, and the Cc an agent typed there, checked.

The editor shows To (the customer, or the Reply-To the outgoing mail will use) and the
ticket's remembered Cc, editable; what the agent types is parsed here, so every address
is a plain one and never the desk's own (docs/issue15/recipients.md, "In the editor").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..domain.errors import InvalidInput
from ..domain.text import one_line
from ..i18n import _, ngettext
from ..store import Store
from ..store import recipients as copies
from .recipients import MAX_CC, cc_address


@dataclass(frozen=True)
class ReplyRecipients:
    to_address: str
    to_name: str  # "" when the mail goes to a Reply-To (the customer's name is not theirs)
    cc: tuple[str, ...]

    def to_line(self) -> str:
        return f"{self.to_name} <{self.to_address}>" if self.to_name else self.to_address

    def cc_text(self) -> str:
        return ", ".join(self.cc)


def for_reply(store: Store, ticket_id: int) -> ReplyRecipients | None:
    """To and Cc of the next reply to a ticket as the outbox will fix them (store/addressing.py)."""
    found = copies.reply_addresses(store, ticket_id)
    if found is None:
        return None
    email, name, reply_to, cc = found
    to_address = reply_to or email
    kept = tuple(a for a in dict.fromkeys(cc) if a.casefold() != to_address.casefold())
    return ReplyRecipients(to_address, "" if reply_to else name, kept)


_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')  # a quoted display name may hold commas: it is dropped first
_SEPARATORS = re.compile(r"[,;]")
_ANGLED = re.compile(r"<([^<>]*)>")


def parse_cc(text: str, ours: Iterable[str] = ()) -> list[str]:
    """The addresses typed in a Cc field: separated by commas, semicolons or blanks;
    ``Name <addr>`` gives addr. InvalidInput names the first that is not a plain address
    or is one of ``ours`` (the desk's own: never copied)."""
    own = {a.casefold() for a in ours}
    found: dict[str, None] = {}
    for part in _SEPARATORS.split(_QUOTED.sub(" ", text)):
        angled = _ANGLED.findall(part)
        for word in angled if angled else part.split():
            address = cc_address(word)
            if address.casefold() in own:
                raise InvalidInput(
                    _("{address} is the help desk's own address: it is never copied").format(address=one_line(address))
                )
            found[address] = None
    if len(found) > MAX_CC:
        raise InvalidInput(ngettext("At most {n} address in Cc", "At most {n} addresses in Cc", MAX_CC).format(n=MAX_CC))
    return list(found)


__all__ = ["ReplyRecipients", "for_reply", "parse_cc"]

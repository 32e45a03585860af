"""Signatures: the agent's and each mailbox's, from the config file, filled in as saved replies are.

    [signature]                              # the agent's own (the config file is the agent's)
    text = "{agent.name}\\nExample Support"

    [[mail.imap]]
    from = "Billing <billing@example.com>"
    signature = "{agent.name}\\nBilling team, Example Ltd"

Which one a reply gets (docs/issue15/signatures.md): the signature of the mailbox the ticket
came in through (``tickets.mailbox`` matched by address to an account's ``from``) when that
account has one, else the agent's, else none. The mailbox's wins because it is the one the
customer wrote to, and ``{agent.name}`` in it still names the agent who answers.

The text goes through ``core.templates.render`` (the saved replies' placeholders, one renderer),
and is put under a "-- " line, the separator mail clients and readers know (RFC 3676 4.3).
No Textual here: the app's editor and ``tui-desk reply --signature`` share it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any

from ..domain.errors import InvalidInput
from ..domain.text import storable
from ..i18n import _, ngettext, number
from ..store import templates as stored
from .config import load_config
from .templates import Rendered, context_for_ticket, render

if TYPE_CHECKING:
    from pathlib import Path

    from ..store import Store

SEPARATOR = "-- "  # with its trailing space: "-- \n" is what readers fold as a signature
MAX_SIGNATURE = 4_000  # characters: a signature, not a second letter


def signature_text(value: object, where: str) -> str | None:
    """A signature as the config gives it: text (newlines kept), or None when absent or blank."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(_("{where} must be text").format(where=where))
    text = storable(value.replace("\r\n", "\n").replace("\r", "\n")).strip("\n")
    if len(text) > MAX_SIGNATURE:
        raise InvalidInput(
            ngettext("{where} is longer than {n} character", "{where} is longer than {n} characters", MAX_SIGNATURE).format(
                where=where, n=number(MAX_SIGNATURE)
            )
        )
    return text if text.strip() else None


def _address(identity: str | None) -> str:
    return parseaddr(identity or "")[1].strip().lower()


@dataclass(frozen=True)
class Signatures:
    agent: str | None = None  # [signature] text
    by_mailbox: Mapping[str, str] = field(default_factory=dict)  # account's From address -> its signature

    @classmethod
    def from_config(cls, raw: Mapping[str, Any] | None) -> Signatures:
        """Both kinds from the config file's data; a value that is not text is InvalidInput."""
        raw = raw or {}
        table = raw.get("signature")
        if table is not None and not isinstance(table, dict):
            raise InvalidInput(_("[signature] must be a table with text = \"...\""))
        agent = signature_text((table or {}).get("text"), "[signature] text")
        mail = raw.get("mail")
        entries: Any = mail.get("imap", []) if isinstance(mail, dict) else []
        if isinstance(entries, dict):
            entries = [entries]
        by_mailbox: dict[str, str] = {}
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            text = signature_text(entry.get("signature"), "[[mail.imap]] signature")
            sender = entry.get("from")
            address = _address(sender) if isinstance(sender, str) else ""
            if text is not None and address:
                by_mailbox.setdefault(address, text)
        return cls(agent, by_mailbox)

    def choose(self, mailbox: str | None) -> str | None:
        """The signature for a ticket that came in through `mailbox` (its From identity; None: the default)."""
        address = _address(mailbox)
        if address and address in self.by_mailbox:
            return self.by_mailbox[address]
        return self.agent

    def __bool__(self) -> bool:
        return bool(self.agent or self.by_mailbox)


def for_ticket(store: Store, signatures: Signatures, ticket_id: int, agent: str) -> Rendered | None:
    """The signature of a reply by `agent` on the ticket, filled in; None when there is none."""
    if not signatures:
        return None
    text = signatures.choose(stored.ticket_mailbox(store, ticket_id))
    if text is None:
        return None
    return render(text, context_for_ticket(store, ticket_id, agent))


def from_file(store: Store, config_file: Path | None, ticket_id: int, agent: str) -> Rendered | None:
    """`for_ticket` with the config file read now (the app's editor: an edited signature counts from
    the next reply on); None without a config file."""
    if config_file is None:
        return None
    return for_ticket(store, Signatures.from_config(load_config(config_file).raw), ticket_id, agent)


def block(signature: str) -> str:
    """The signature as it stands under the text: the separator line, then the signature."""
    return f"{SEPARATOR}\n{signature}"


def signed(body: str, signature: str) -> str:
    """`body` with the signature under it, after a blank line; unchanged when it already ends with it."""
    below = block(signature)
    if body.rstrip().endswith(below.rstrip()):
        return body
    return f"{body.rstrip()}\n\n{below}" if body.strip() else below

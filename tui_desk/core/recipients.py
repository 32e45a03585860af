"""Whom a conversation copies: the rules for a ticket's Cc list (reply-all), one place for all callers.

Addresses here end up in a mail header (Cc, To) and in every later reply, so only
plain addresses pass: printable ASCII, no blanks, commas, quotes or line breaks
(nothing can split a header), lower case, at most ``MAX_CC`` of them. See
docs/issue15/recipients.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from ..domain.errors import InvalidInput
from ..i18n import _

MAX_CC = 20  # addresses a ticket (and one message) keeps: a mail with 10,000 Cc's copies no crowd
MAX_ADDRESS = 254  # RFC 5321's limit for a path

# The dot-atom of RFC 5322 for the local part, host names for the domain: what any SMTP server takes.
_PLAIN = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
)

# Addresses nobody reads (RFC 3834's "automatic responders" and bounce handlers): a copy to one
# of them is never wanted, and an answer to one may start a mail loop.
_AUTOMATED = re.compile(
    r"(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_.]?daemon|bounces?|postmaster)(?:[-+._].*)?"
    r"|owner-.*|.*-request",
)


def plain_address(text: str) -> str | None:
    """``text`` as a plain, lower-case address, or None when it is not one."""
    if len(text) > 2 * MAX_ADDRESS:  # kilobytes of a sender's header are answered, never remembered
        return _plain_address.__wrapped__(text)
    return _plain_address(text)


@lru_cache(maxsize=4096)  # the same few addresses come in every message of an import
def _plain_address(text: str) -> str | None:
    text = text.strip()
    if len(text) > MAX_ADDRESS or not _PLAIN.fullmatch(text):
        return None
    return text.lower()


def cc_address(text: str) -> str:
    """An address an agent typed for Cc, lower case; InvalidInput when it is not a plain address."""
    address = plain_address(text)
    if address is None:
        raise InvalidInput(_("Not an e-mail address: {value!r}").format(value=text))
    return address


@lru_cache(maxsize=4096)
def is_automated(address: str) -> bool:
    """Whether an address belongs to a robot (noreply@, mailer-daemon@, list-request@ ...)."""
    return _AUTOMATED.fullmatch(address.rpartition("@")[0].lower()) is not None


def mailbox_key(address: str) -> str:
    """The mailbox an address delivers to, for comparing: lower case, without a ``+tag``.

    ``Sales+x@Desk.example`` reaches ``sales@desk.example``: the desk's own address with a tag is
    still the desk's (a loop), and a victim's address with a tag is still the victim's (backscatter).
    """
    local, _at, domain = address.strip().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}".casefold() if local else address.strip().casefold()


def clean_cc(addresses: Iterable[str], *, leave_out: Iterable[str] = ()) -> list[str]:
    """Plain addresses in order, each once, without ``leave_out``; at most MAX_CC. Others are dropped."""
    if isinstance(addresses, list | tuple) and not addresses:
        return []  # most mail copies nobody
    left_out = {a.casefold() for a in leave_out if a}
    kept: dict[str, None] = {}
    for text in addresses:
        address = plain_address(text)
        if address is not None and address.casefold() not in left_out:
            kept[address] = None
            if len(kept) >= MAX_CC:
                break
    return list(kept)


def remembered_cc(current: Iterable[str], new: Iterable[str], customer: str) -> list[str]:
    """A ticket's Cc after a customer's mail: what it had, then the mail's new copies.

    Never the customer (the reply's To) and never a robot. Once full (MAX_CC), later
    additions are dropped, so the people copied first stay.
    """
    return clean_cc([*current, *(a for a in new if not is_automated(a))], leave_out=[customer])


__all__ = ["MAX_CC", "cc_address", "clean_cc", "is_automated", "mailbox_key", "plain_address", "remembered_cc"]

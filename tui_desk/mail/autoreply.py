"""Whether a message may get an automatic reply (RFC 3834), read from what its sender wrote.

An acknowledgement answers a person: never a machine (a bounce, an auto-reply, a
list) that could answer back and loop. A message's own headers are believed only
in the safe direction: they can stop an acknowledgement, never cause one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from email.message import Message

from ..core.recipients import mailbox_key

# Local parts of senders that are machines or want no answer (RFC 3834 section 2; common practice).
_MACHINE_SENDER = re.compile(
    r"^(mailer-daemon|postmaster|bounces?|mail-daemon|majordomo|listserv|daemon"
    r"|no[-_.]?reply|do[-_.]?not[-_.]?reply|dont[-_.]?reply)([-+_.].*)?$",
    re.IGNORECASE,
)


def automatic(message: Message, header: Callable[[Message, str], str]) -> str | None:
    """Why no automatic reply may answer `message` (None: one may): the header that says so."""
    submitted = header(message, "Auto-Submitted").strip().lower()
    if submitted and submitted.split(";")[0].strip() != "no":
        return "Auto-Submitted"
    if header(message, "Precedence").strip().lower() in ("bulk", "junk", "list"):
        return "Precedence"
    for name in ("List-Id", "List-Unsubscribe"):
        if header(message, name).strip():
            return name
    suppress = header(message, "X-Auto-Response-Suppress").lower()  # Exchange's way of asking
    if "all" in suppress or "autoreply" in suppress:
        return "X-Auto-Response-Suppress"
    if header(message, "Return-Path").strip() == "<>":
        return "Return-Path"
    return None


def machine_sender(address: str) -> bool:
    """mailer-daemon@, postmaster@, noreply@, do-not-reply@...: nobody reads an answer there."""
    local = address.rpartition("@")[0]
    return not local or bool(_MACHINE_SENDER.match(local))


def refuses(address: str, reason: str | None, ours: Iterable[str]) -> bool:
    """Whether an acknowledgement to `address` (whose mail said `reason`, see automatic) must not go."""
    return reason is not None or machine_sender(address) or mailbox_key(address) in {mailbox_key(a) for a in ours}

"""The Cc header of a queued reply (reply-all; docs/issue15/recipients.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core.recipients import clean_cc, mailbox_key
from ..store import Store
from ..store import recipients as copies
from .settings import MailSettings


def cc_header(store: Store, outbox_id: int, fixed: Mapping[str, Any], settings: MailSettings) -> str | None:
    """The Cc fixed when the reply was queued, as a header value; None when it copies nobody.

    Checked once more here, the last step before the wire: plain addresses only (so nothing can
    add a header line), never the desk's own addresses (its mail would come back to it), never the To.
    """
    addresses = fixed["cc"] if "cc" in fixed else copies.outbox_cc(store.conn, outbox_id)
    ours = {mailbox_key(a) for a in settings.our_addresses}  # help+x@desk is the desk too
    kept = [a for a in clean_cc(addresses, leave_out=[fixed["to_address"] or ""]) if mailbox_key(a) not in ours]
    return ", ".join(kept) or None

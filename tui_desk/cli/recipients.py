"""Reply-all on the command line: `reply ID --cc ADDR` / `--no-cc`, and the Cc lines of `show`.

See docs/issue15/recipients.md.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from ..core.config import Config
from ..core.recipients import cc_address, mailbox_key
from ..domain.errors import InvalidInput
from ..domain.text import one_line
from ..i18n import _
from . import mail as cli_mail


def add_options(parser: argparse.ArgumentParser) -> None:
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument(
        "--cc", action="append", metavar="ADDR",
        help=_("copy this address (repeatable); replaces the ticket's remembered Cc, for this and later replies"),
    )
    chosen.add_argument(
        "--no-cc", action="store_true", help=_("copy nobody; the ticket's remembered Cc is cleared"),
    )


def chosen_cc(args: argparse.Namespace, config: Config) -> list[str] | None:
    """The Cc the agent chose for a reply (None: the ticket's remembered Cc); bad input is one line."""
    if getattr(args, "no_cc", False):
        return []
    given = getattr(args, "cc", None)
    if given is None:
        return None
    addresses = [cc_address(text) for text in given]
    ours = {mailbox_key(a) for a in cli_mail.settings_of(config).our_addresses}
    for address in addresses:
        if mailbox_key(address) in ours:
            raise InvalidInput(
                _("{address} is the help desk's own address: it is never copied").format(address=one_line(address))
            )
    return addresses


def cc_line(addresses: Sequence[str]) -> str:
    """ "Cc: a, b" as `show` prints it (sanitised, one line)."""
    label = _("Cc")  # outside the f-string, where Babel finds it
    return f"{label}: {one_line(', '.join(addresses))}"


def reply_to_line(address: str) -> str:
    """ "Reply-To: a" under a customer's message whose answers go there (sanitised, one line)."""
    label = _("Reply-To")
    return f"{label}: {one_line(address)}"

"""Files into replies and notes, and `forward` (docs/issue15/attachments-in.md, docs/issue15/forward.md).

    tui-desk reply ID --attach FILE [--attach FILE ...]
    tui-desk note ID --attach FILE [--attach FILE ...]
    tui-desk forward MESSAGE_ID --to ADDR [--body TEXT]

Every file is checked (there, readable, a regular file, within [mail] max_attachment_size)
before anything is written or queued: a refusal is one line and exit status 1.
"""

from __future__ import annotations

import argparse
import mimetypes
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from ..core.attachment_limit import check_size
from ..core.change_text import change_line
from ..core.config import Config
from ..core.lifecycle import TicketService
from ..core.ticket_ids import parse_ticket_id
from ..domain.errors import InvalidInput
from ..domain.text import one_line
from ..i18n import _
from ..mail.outgoing import forward_message
from ..mail.settings import mail_settings

COMMAND = "forward"


def add_attach_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--attach", metavar="FILE", action="append", default=[],
                        help=_("attach this file (repeatable)"))


def add_parser(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = command(COMMAND, _("forward a message with its attachments to a third party (an internal event, not a reply)"))
    p.add_argument("message", metavar="MESSAGE_ID", help=_("message id (see `show --json`)"))
    p.add_argument("--to", required=True, metavar="ADDR", help=_("the one address it goes to"))
    p.add_argument("--body", default="", help=_("your text above the forwarded message"))


def read_files(paths: Sequence[str], limit: int) -> list[tuple[str, str, bytes]]:
    """(base name, guessed content type, bytes) of each file; InvalidInput naming the first one that cannot go."""
    files: list[tuple[str, str, bytes]] = []
    total = 0
    for given in paths:
        path = Path(given).expanduser()
        shown = one_line(given)
        try:
            if not path.is_file():
                reason = _("no such file") if not os.path.lexists(path) else _("not a regular file")
                raise InvalidInput(_("Cannot attach {path}: {reason}").format(path=shown, reason=reason))
            check_size(shown, path.stat().st_size, total, limit)  # before reading: never load a huge file
            data = path.read_bytes()
        except OSError as error:
            raise InvalidInput(_("Cannot attach {path}: {reason}").format(
                path=shown, reason=one_line(error.strerror or str(error)))) from None
        check_size(shown, len(data), total, limit)  # it may have grown since
        total += len(data)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        files.append((path.name, content_type, data))
    return files


def forward_command(args: argparse.Namespace, service: TicketService, config: Config) -> int:
    try:
        message_row = parse_ticket_id(args.message)
    except InvalidInput:
        raise InvalidInput(_("Not a message id: {text!r}").format(text=one_line(args.message, 30))) from None
    change = forward_message(service, mail_settings(config.raw), message_row, args.to, args.body)
    print(change_line(change, service.statuses()) + f" ({one_line(args.to)})")
    return 0

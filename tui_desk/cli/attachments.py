"""The `attachment` subcommands of `tui-desk` (docs/issue15/attachments-out.md).

    tui-desk attachment list TICKET [--json]
    tui-desk attachment save ATTACHMENT_ID [--to DIR | --output FILE | --output -]

`save` puts the file in the downloads folder (or --to DIR) under the clean form of the
sender's name, never over an existing file; `--output FILE` is refused when FILE exists;
`--output -` writes the bytes to stdout.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from ..core import attachments as core
from ..core.ticket_ids import parse_ticket_id
from ..domain.errors import InvalidInput
from ..domain.text import json_text, one_line
from ..i18n import _
from ..store import Store

COMMAND = "attachment"


def add_parsers(
    command: Callable[[str, str], argparse.ArgumentParser],
    add_common: Callable[[argparse.ArgumentParser], None],
    parser_class: type[argparse.ArgumentParser],
) -> None:
    parser = command(COMMAND, _("list a ticket's attachments, or save one"))
    actions = parser.add_subparsers(dest="attachment_action", metavar="ACTION", parser_class=parser_class, required=True)
    p = actions.add_parser("list", help=_("the attachments of a ticket: id, name, type, size, message"))
    add_common(p)
    p.add_argument("ticket", help=_("ticket id"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p = actions.add_parser("save", help=_("save an attachment (default: your downloads folder)"))
    add_common(p)
    p.add_argument("attachment", help=_("attachment id (see `attachment list`)"))
    where = p.add_mutually_exclusive_group()
    where.add_argument("--to", metavar="DIR", help=_("the folder to save into; a taken name gets a number"))
    where.add_argument("--output", metavar="FILE", help=_("this file (refused if it exists), or - for stdout"))


def _attachment_id(text: str) -> int:
    try:
        return parse_ticket_id(text)
    except InvalidInput:
        raise InvalidInput(_("Not an attachment id: {text!r}").format(text=one_line(text, 30))) from None


def attachment_command(args: argparse.Namespace, store: Store) -> int:
    if args.attachment_action == "list":
        found = core.ticket_attachments(store, parse_ticket_id(args.ticket))
        if args.json:
            print(json_text([
                {"id": a.id, "name": a.filename, "type": a.content_type, "size": a.size, "message": a.message_id}
                for a in found
            ]))
        else:
            message = _("message")  # outside the f-string, where Babel finds it
            for a in found:
                print(f"{a.id:>6}  {one_line(a.filename, 50):<50}  {one_line(a.content_type, 30):<30} {a.size:>10} B"
                      f"  {message} {a.message_id}")
        return 0
    item = core.get_attachment(store, _attachment_id(args.attachment))
    if args.output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(item.data)
        sys.stdout.buffer.flush()
        return 0
    if args.output is not None:
        path = Path(args.output)
        try:
            core.write_new(path, item.data)
        except FileExistsError:
            raise InvalidInput(_("{path} exists: not overwritten").format(path=one_line(str(path)))) from None
    else:
        folder = Path(args.to) if args.to is not None else core.downloads_dir()
        if args.to is None:
            folder.mkdir(parents=True, exist_ok=True)
        elif not folder.is_dir():
            raise InvalidInput(_("{path} is not a folder").format(path=one_line(str(folder))))
        path = core.save_into(folder, item.attachment.filename, item.data)
    print(_("Saved {path}").format(path=one_line(str(path))))
    return 0

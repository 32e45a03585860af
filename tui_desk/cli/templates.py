"""The `template` subcommands of `tui-desk`: saved replies (hooked into cli.py).

    tui-desk template list [--json]
    tui-desk template show NAME [--json]
    tui-desk template add NAME [--body TEXT | --file PATH | -]      text from stdin when none is given
    tui-desk template edit NAME [--body TEXT | --file PATH | -]     $EDITOR when none is given
    tui-desk template rename OLD NEW
    tui-desk template remove NAME
    tui-desk template render NAME TICKET_ID [--strict]

Names are case-insensitive. `render` prints the text for the ticket and the agent of
`--as`; a placeholder it cannot fill stays in the text and is named on stderr.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from ..core.lifecycle import TicketService
from ..core.templates import (
    Template,
    add_template,
    get_template,
    list_templates,
    placeholders,
    remove_template,
    rename_template,
    render_for_ticket,
    update_template,
)
from ..domain.errors import InvalidInput
from ..domain.text import json_text, one_line, printable
from ..i18n import _
from .input_text import read_stdin, read_text_file

COMMAND = "template"


def add_parsers(
    command: Callable[[str, str], argparse.ArgumentParser],
    add_common: Callable[[argparse.ArgumentParser], None],
    parser_class: type[argparse.ArgumentParser],
) -> None:
    """Add `template` and its actions; `command` is build_parser's helper."""
    width = max(len(name) for name, _description in placeholders()) + 2
    fields = "\n".join(f"  {'{' + name + '}':<{width}}  {description}" for name, description in placeholders())
    parser = command(COMMAND, _("saved replies: reply templates with placeholders"))
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = (
        _("Placeholders (write {{ and }} for literal braces):") + "\n" + fields.replace("%", "%%")
    )
    actions = parser.add_subparsers(dest="template_action", metavar="ACTION", parser_class=parser_class, required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        p = actions.add_parser(name, help=help_text, description=help_text)
        add_common(p)
        return p

    p = action("list", _("every saved reply, by name"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))

    p = action("show", _("print the text of a saved reply"))
    p.add_argument("name", metavar="NAME")
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))

    for name, help_text, when_none in (
        ("add", _("add a saved reply"), _("the text (default: read from stdin)")),
        ("edit", _("change the text of a saved reply"), _("the text (default: open $EDITOR)")),
    ):
        p = action(name, help_text)
        p.add_argument("name", metavar="NAME")
        source = p.add_mutually_exclusive_group()
        source.add_argument("--body", metavar="TEXT", help=when_none)
        source.add_argument("--file", metavar="PATH", help=_("read the text from this file"))
        source.add_argument(
            "stdin", nargs="?", choices=["-"], metavar="-", help=_("read the text from standard input")
        )

    p = action("rename", _("rename a saved reply"))
    p.add_argument("old", metavar="OLD")
    p.add_argument("new", metavar="NEW")

    p = action("remove", _("delete a saved reply"))
    p.add_argument("name", metavar="NAME")

    p = action("render", _("print a saved reply filled in for a ticket"))
    p.add_argument("name", metavar="NAME")
    p.add_argument("ticket", metavar="TICKET_ID", help=_("ticket id"))
    p.add_argument(
        "--strict", action="store_true", help=_("exit with status 1 when a placeholder cannot be filled in")
    )


def _template_json(template: Template) -> dict[str, object]:
    data = asdict(template)
    del data["id"]
    return data


def _print_list(templates: list[Template]) -> None:
    if not templates:
        print(_("No saved replies yet: add one with  tui-desk template add NAME"))
        return
    width = min(30, max(len(one_line(t.name)) for t in templates))
    for template in templates:
        print(f"{one_line(template.name, 30):<{width}}  {one_line(template.body, 70)}")


def _read_text(args: argparse.Namespace) -> str | None:
    """The text given with --body, --file or - (stdin); None when none of them was given."""
    if args.body is not None:
        return args.body
    if args.file is not None:
        path = Path(args.file).expanduser()
        try:
            return read_text_file(path)  # bounded: --file /dev/zero never ends
        except UnicodeDecodeError:
            raise InvalidInput(_("{path} is not UTF-8 text").format(path=path)) from None
        except OSError as error:
            raise InvalidInput(
                _("Cannot read {path}: {reason}").format(path=path, reason=error.strerror or error)
            ) from None
    if args.stdin == "-":
        return _read_stdin()
    return None


def _read_stdin() -> str:
    if sys.stdin is None:
        raise InvalidInput(_("Give the text with --body, --file or on standard input"))
    if sys.stdin.isatty():
        print(_("Type the text, then Ctrl-D:"), file=sys.stderr)
    return read_stdin()


def _edit_in_editor(template: Template) -> str:
    """The template's text after the user's $EDITOR is done with it."""
    editor = os.environ.get("EDITOR", "").strip()
    if not editor:
        raise InvalidInput(_("Set $EDITOR, or give the text with --body, --file or -"))
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as handle:
        handle.write(template.body)
        path = handle.name
    try:
        try:
            done = subprocess.run([*shlex.split(editor), path], check=False)
        except (OSError, ValueError) as error:
            raise InvalidInput(_("Could not run {editor}: {reason}").format(editor=editor, reason=error)) from None
        if done.returncode != 0:
            raise InvalidInput(
                _("{editor} exited with status {code}; the saved reply was left unchanged").format(
                    editor=editor, code=done.returncode
                )
            )
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    finally:
        os.unlink(path)


def template_command(args: argparse.Namespace, service: TicketService) -> int:
    from ..core.ticket_ids import parse_ticket_id

    store = service.store
    action = args.template_action
    if action == "list":
        templates = list_templates(store)
        if args.json:
            print(json_text([_template_json(t) for t in templates]))
        else:
            _print_list(templates)
    elif action == "show":
        template = get_template(store, args.name)
        if args.json:
            print(json_text(_template_json(template)))
        else:
            print(printable(template.body), end="" if template.body.endswith("\n") else "\n")
    elif action == "add":
        text = _read_text(args)
        added = add_template(store, args.name, _read_stdin() if text is None else text, clock=service.clock)
        print(_("Added saved reply {name!r}").format(name=one_line(added.name)))
    elif action == "edit":
        template = get_template(store, args.name)
        text = _read_text(args)
        if text is None:
            text = _edit_in_editor(template)
        updated = update_template(store, template.name, text, clock=service.clock)
        if updated == template:
            print(_("Saved reply {name!r} is unchanged").format(name=one_line(updated.name)))
        else:
            print(_("Saved reply {name!r} updated").format(name=one_line(updated.name)))
    elif action == "rename":
        old = get_template(store, args.old)
        renamed = rename_template(store, args.old, args.new, clock=service.clock)
        print(_("Renamed saved reply {old!r} to {new!r}").format(old=one_line(old.name), new=one_line(renamed.name)))
    elif action == "remove":
        removed = remove_template(store, args.name)
        print(_("Removed saved reply {name!r}").format(name=one_line(removed.name)))
    elif action == "render":
        ticket_id = parse_ticket_id(args.ticket)
        rendered = render_for_ticket(store, args.name, ticket_id, service.actor)
        if rendered.problems and args.strict:
            raise InvalidInput(rendered.summary())
        print(printable(rendered.text), end="" if rendered.text.endswith("\n") else "\n")
        warning = _("warning")
        for problem in rendered.problems:
            print(f"tui-desk: {warning}: {one_line(problem.message)}", file=sys.stderr)
    return 0

"""The `tui-desk` entry point: language, config and store for the command given, or the app.

Contract: bad input prints one line on stderr and exits 1; never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import select
import sys
from collections.abc import Sequence
from pathlib import Path

from ..core.attachment_limit import DEFAULT_LIMIT, limit_from_config
from ..core.config import config_path, load_config, resolve_db_path
from ..core.names import person_name
from ..core.routing import routing_from_config
from ..core.rules import RulesConfig
from ..core.sla import SlaPolicies
from ..domain.errors import TuiDeskError
from ..domain.text import one_line
from ..i18n import _, choose_language, set_language
from ..store import open_store
from ..store.driver_errors import database_error_line
from . import mail as cli_mail
from . import rules as cli_rules
from . import templates as cli_templates
from .input_text import repair_arguments
from .parser import build_parser
from .tickets import run_command


def _actor(args: argparse.Namespace, configured: str | None) -> str:
    """Who acts: the name goes into every event of the timeline, so it follows the name rules."""
    explicit = getattr(args, "agent", None)
    if explicit:
        return person_name(explicit)
    if os.environ.get("TUI_DESK_AGENT"):
        return person_name(os.environ["TUI_DESK_AGENT"])
    if configured:
        return person_name(configured)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "agent"



def _open_demo(
    actor: str, sla: SlaPolicies, rules: RulesConfig, notice: str | None = None, attachment_limit: int = DEFAULT_LIMIT
) -> int:
    """A throw-away store of demo tickets, so a newcomer sees the app full at once."""
    import tempfile

    from ..demo import fill_demo
    from ..ui.app import run_app

    with tempfile.TemporaryDirectory(prefix="tui-desk-demo-") as folder:
        path = Path(folder) / "demo.db"
        store = open_store(path)
        fill_demo(store, tickets=1000, seed=1)
        store.close()
        return run_app(
            path, actor=actor, sla=sla, rules=rules, notice=notice, config_file=config_path(),
            attachment_limit=attachment_limit,
        )


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _main(argv)
        sys.stdout.flush()  # now, where a closed pipe can be handled, not at interpreter exit
        return code
    except KeyboardInterrupt:
        print(_("Interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _output_closed()


# What a shell reports for a program that SIGPIPE ended, as `yes | head -1` does.
EXIT_BROKEN_PIPE = 128 + 13


def _output_closed() -> int:
    """The reader of our output went away (`tui-desk list | head -1`): stop quietly, as Unix tools do.

    Python flushes stdout once more at exit; pointed at /dev/null that cannot fail
    and print "Exception ignored ... BrokenPipeError" (the recipe of the signal docs).
    """
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return EXIT_BROKEN_PIPE


def _stdout_is_closed() -> bool:
    """Whether the reader of stdout is gone: a broken pipe elsewhere (a mail server) is an error to report."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & (select.POLLERR | select.POLLHUP) for _fd, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):
        return True  # no real stdout to ask: assume it is the one that broke


def _choose_language(argv: list[str]) -> str | None:
    """Set the language before any text is made (help texts too); the notice for an unknown one.

    --lang wins, then the config's ``language``, then $LANGUAGE, $LC_ALL, $LC_MESSAGES,
    $LANG; English when none names a language with a catalogue.
    """
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang")
    known, _rest = early.parse_known_args(argv)
    try:
        configured = load_config().language
    except TuiDeskError:
        configured = None  # reported, in the chosen language, when the config is read again
    language, unknown = choose_language(known.lang, configured)
    set_language(language)
    if unknown:
        return _("No translation for {lang!r}; using English").format(lang=unknown)
    return None


# Commands that bring tickets, statuses or saved replies in may create the store;
# any other on a store that does not exist is a mistyped path, refused without creating it.
_CREATING_COMMANDS = frozenset({"new", "import", "fetch", "demo"})


def _creates_store(args: argparse.Namespace) -> bool:
    if args.command in _CREATING_COMMANDS:
        return True
    if args.command == "statuses":
        return args.add is not None
    return args.command == cli_templates.COMMAND and args.template_action == "add"


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    notice = _choose_language(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    repair_arguments(args)
    opens_app = args.command is None
    if notice and not opens_app:
        print(notice, file=sys.stderr)
    path: Path | str = ""
    try:
        config = load_config()
        path = resolve_db_path(args.db, config.store)
        if args.command is None and args.demo:
            return _open_demo(
                _actor(args, config.agent),
                cli_rules.sla_policies(config),
                cli_rules.rules_config(config),
                notice,
                limit_from_config(config.raw),
            )
        if args.command is None:
            from ..ui.app import run_app

            return run_app(
                path,
                actor=_actor(args, config.agent),
                sla=cli_rules.sla_policies(config),
                rules=cli_rules.rules_config(config),
                notice=notice,
                mail=cli_mail.settings_of(config),
                config_file=config_path(),
                attachment_limit=limit_from_config(config.raw),
                routing=routing_from_config(config.raw),
            )
        if args.command == "sla":  # the config file only: no store needed
            return cli_rules.sla_command(args, config)
        if args.command == "rules" and args.rules_action == "show":  # the config only, like sla
            return cli_rules.rules_show(args, config)
        # A broken config is the first thing to fix, whether or not the store is there.
        cli_rules.sla_policies(config)
        if args.command == "rules":
            cli_rules.rules_config(config)
        store = open_store(path, create=_creates_store(args))
        try:
            return run_command(args, store, _actor(args, config.agent), config)
        finally:
            store.close()
    except TuiDeskError as error:
        print(f"tui-desk: {one_line(str(error))}", file=sys.stderr)  # errors quote names and mail
        return 1
    except BrokenPipeError as error:
        if _stdout_is_closed():
            raise
        print(f"tui-desk: {one_line(str(error.strerror or error))}", file=sys.stderr)
        return 1
    except OSError as error:
        # "No such file or directory" alone does not say which: name the file, as Unix tools do.
        reason = str(error.strerror or error)
        if error.filename is not None and error.strerror:
            reason = f"{os.fsdecode(error.filename)}: {reason}"
        print(f"tui-desk: {one_line(reason)}", file=sys.stderr)
        return 1
    except (OverflowError, ValueError) as error:
        # Last resort for a number or date out of range (or text not encodable) that no
        # check caught: still one line, never a traceback.
        print("tui-desk: " + _("A value is out of range or not valid: {reason}").format(reason=one_line(str(error))), file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001 - the contract is one line, never a traceback
        database = database_error_line(error, str(path))  # sqlite3's or psycopg's, named
        if database is not None:
            print(f"tui-desk: {one_line(database)}", file=sys.stderr)
            return 1
        if os.environ.get("TUI_DESK_DEBUG"):
            raise
        print("tui-desk: " + _("unexpected error: {reason}").format(reason=one_line(f"{type(error).__name__}: {error}")), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

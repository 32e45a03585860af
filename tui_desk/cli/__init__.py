"""The command line: ``tui-desk`` and its subcommands."""

from .entry import main

__all__ = ["main"]

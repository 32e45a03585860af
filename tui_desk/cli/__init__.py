"""The command line: ``tui-desk`` and its subcommands."""

from .main import main

__all__ = ["main"]

"""Errors the core raises; each carries one clear line for the user."""

from __future__ import annotations


class TuiDeskError(Exception):
    """Base of every error meant to be shown to the user as one line."""


class NotFound(TuiDeskError):
    """A ticket, message, agent or status that does not exist."""


class TransitionRefused(TuiDeskError):
    """A change the lifecycle does not allow; nothing was changed."""


class ConflictError(TuiDeskError):
    """The ticket changed under us (another agent or process); nothing was changed."""


class InvalidInput(TuiDeskError):
    """A value the user typed that cannot be understood."""


class StoreError(TuiDeskError):
    """The database file cannot be opened, read or written."""

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


# The causes a user can act on, so the app can say what happened and keep the agent's text.
class StoreFull(StoreError):
    """The disk (or the store's size limit) is full: nothing of the change was written."""


class StoreDamaged(StoreError):
    """The file is damaged or is not a tui-desk store."""


class StoreReadOnly(StoreError):
    """The file or its folder cannot be written (permissions, a read-only disk)."""


class StoreLocked(StoreError):
    """Another process held the write lock for longer than the busy timeout."""


class StoreMissing(StoreError):
    """A command that only reads was pointed at a store that does not exist."""

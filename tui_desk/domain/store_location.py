"""Where the store is: a file path, or a server's connection URL (postgresql://...).

A connection URL may carry a password (``postgresql://agent:secret@db.example/desk`` or
``?password=secret``); `redact_url` is the only form of it ever shown: in errors, notices,
hints and titles. libpq's own ways to give one (PGPASSFILE, PGPASSWORD, a service file) never
pass through here, and the rest of the URL (``host=``, ``sslmode=``, ...) is kept for libpq as
given.
"""

from __future__ import annotations

import re

# The schemes libpq accepts for a connection URI.
SERVER_SCHEMES = ("postgresql://", "postgres://")
HIDDEN = "***"

# user:password@ in the authority (the password may hold ':', the host list ','; up to the last
# '@' of the authority, so a password with a stray '@' is hidden whole),
_USERINFO = re.compile(r"^(?P<scheme>[a-z]+://)(?P<user>[^:@/?#]*):(?P<secret>[^/?#]*)@", re.IGNORECASE)
# password=... as a URI parameter, or in a keyword/value string (password='it''s').
_PARAMETER = re.compile(r"(?P<key>\bpassword\s*=\s*)(?P<secret>'(?:[^'\\]|\\.)*'|[^\s&#]*)", re.IGNORECASE)


def is_server_url(location: str) -> bool:
    """Whether ``--db`` (or $TUI_DESK_DB, or ``store =``) names a database server, not a file."""
    return location.strip().lower().startswith(SERVER_SCHEMES)


def redact_url(location: str) -> str:
    """The location as it may be shown: any password replaced by ``***``; a file path unchanged."""
    if not is_server_url(location):
        return location
    shown = _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{HIDDEN}@", location, count=1)
    return _PARAMETER.sub(lambda m: f"{m['key']}{HIDDEN}", shown)

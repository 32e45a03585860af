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

# Any "scheme://": a URL, never a file name (postgresql+psycopg://, pg://, a typo of the scheme);
# a scheme has two letters or more, so a drive letter (C://desk.db) stays a path.
_ANY_URL = re.compile(r"^\s*[a-z][a-z0-9+.-]+://", re.IGNORECASE)
# user:password@ after the scheme: up to the LAST '@' of the whole text, so a password holding
# '@', '/', '?', '#' or a space (however libpq would read it) is hidden whole; this may hide the
# host too when a later '@' is in the query, which shows less, never more.
_USERINFO = re.compile(r"^(?P<scheme>\s*[a-z][a-z0-9+.-]+://)(?P<user>[^:@/?#]*):(?P<secret>.*)@", re.IGNORECASE | re.DOTALL)
# password=... (and sslpassword=..., the client key's) as a URI parameter, or in a keyword/value
# string (password='it''s'): the value runs to the next '&', spaces and '#' included.
_PARAMETER = re.compile(
    r"(?P<key>\b(?:ssl)?password\s*=\s*)(?P<secret>'(?:[^'\\]|\\.)*'|[^&]*)", re.IGNORECASE
)


# libpq's other form, keyword=value pairs ("host=db dbname=desk password=..."): not a file name,
# and not taken (the URL form is), but its password is hidden like a URL's.
_CONNINFO = re.compile(
    r"^\s*(?:host|hostaddr|port|dbname|user|password|passfile|service|sslmode|options|connect_timeout)\s*=",
    re.IGNORECASE,
)


def looks_like_conninfo(location: str) -> bool:
    """Whether the location is a libpq keyword=value connection string rather than a file path."""
    return _CONNINFO.match(location) is not None


def server_url(location: str) -> str:
    """A server URL as libpq takes it: trimmed, the scheme in lower case (libpq refuses POSTGRESQL://)."""
    scheme, sep, rest = location.strip().partition("://")
    return scheme.lower() + sep + rest


def looks_like_url(location: str) -> bool:
    """Whether the location starts with a "scheme://", whichever scheme: never a store file."""
    return _ANY_URL.match(location) is not None


def is_server_url(location: str) -> bool:
    """Whether ``--db`` (or $TUI_DESK_DB, or ``store =``) names a database server, not a file."""
    return location.strip().lower().startswith(SERVER_SCHEMES)


def redact_url(location: str) -> str:
    """The location as it may be shown: any password replaced by ``***``; a file path unchanged."""
    if looks_like_conninfo(location):
        return _PARAMETER.sub(lambda m: f"{m['key']}{HIDDEN}", location)
    if not looks_like_url(location):
        return location
    shown = _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{HIDDEN}@", location, count=1)
    return _PARAMETER.sub(lambda m: f"{m['key']}{HIDDEN}", shown)

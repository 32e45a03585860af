"""Where things live: the store and the config file (platformdirs), and the config itself."""

from __future__ import annotations

import contextlib
import os
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

from ..domain.errors import InvalidInput
from ..domain.private_files import FILE_MODE, make_private_folders
from ..domain.store_location import (
    is_server_url,
    looks_like_conninfo,
    looks_like_url,
    redact_url,
    server_url,
)
from ..i18n import _

if TYPE_CHECKING:
    from tomlkit import TOMLDocument

APP_NAME = "tui-desk"
DB_ENV = "TUI_DESK_DB"
CONFIG_ENV = "TUI_DESK_CONFIG"


# Far more than any real config; a bound on what is read, not a rule for users.
MAX_CONFIG_BYTES = 10_000_000


def default_db_path() -> Path:
    return platformdirs.user_data_path(APP_NAME, appauthor=False) / "tui-desk.db"


def _location(value: str, source: str) -> Path | str:
    """A file path (``~`` expanded), or a server's connection URL kept as given for libpq.

    Blank, or a URL of another scheme (``postgresql+psycopg://``, ``pg://``), is refused: as a file
    name it would make a store named like it, and show its password in "No store at ...".
    """
    if not value.strip():
        raise InvalidInput(_("{source} is blank: give a store file or a postgresql:// URL").format(source=source))
    if is_server_url(value):
        return server_url(value)
    if looks_like_conninfo(value):
        # As a file name it would make a store named like it, and show its password in "No store at ...".
        raise InvalidInput(
            _("{source}: {value} is a keyword=value connection string; name the server by a URL,"
              " postgresql://USER@HOST/DATABASE (PGPASSFILE and libpq's other settings still apply)").format(
                source=source, value=redact_url(value.strip())
            )
        )
    if looks_like_url(value):
        raise InvalidInput(
            _("{source}: {url} is not a store file; a server is named by postgresql://...").format(
                source=source, url=redact_url(value.strip())
            )
        )
    return Path(value).expanduser()


def store_location(value: str, source: str) -> Path | str:
    """Another store named on the command line (`copy --to`), read as --db is."""
    return _location(value, source)


def resolve_db_path(cli_value: str | None, configured: str | None = None) -> Path | str:
    """Where the store is: --db wins, then $TUI_DESK_DB, then ``store =`` in the config file,
    then the user's data dir. A file path, or a ``postgresql://`` URL (shown only through
    ``domain.store_location.redact_url``)."""
    if cli_value is not None and not cli_value.strip():
        # `--db "$UNSET"`: falling back to the default store would write into the real one.
        raise InvalidInput(_("--db needs a path; leave it out for the default store"))
    if cli_value:
        return _location(cli_value, "--db")
    if os.environ.get(DB_ENV):  # empty is unset; blank (spaces) is refused
        return _location(os.environ[DB_ENV], f"${DB_ENV}")
    if configured is not None:
        return _location(configured, "store =")
    return default_db_path()


def config_path() -> Path:
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]).expanduser()
    return platformdirs.user_config_path(APP_NAME, appauthor=False) / "config.toml"


@dataclass(frozen=True)
class Config:
    language: str | None = None
    agent: str | None = None
    store: str | None = None  # `store = "PATH or postgresql://..."`: below --db and $TUI_DESK_DB
    raw: dict[str, Any] | None = None


def load_config(path: Path | None = None) -> Config:
    """Read the TOML config; a missing file is an empty config, a broken one a clear error."""
    path = path or config_path()
    try:
        with path.open("rb") as handle:
            # Bounded: TUI_DESK_CONFIG=/dev/zero would otherwise read until memory is gone.
            data_bytes = handle.read(MAX_CONFIG_BYTES + 1)
        if len(data_bytes) > MAX_CONFIG_BYTES:
            raise InvalidInput(
                _("The config file {path} is larger than {n} MB: is it the right file?").format(
                    path=path, n=MAX_CONFIG_BYTES // 1_000_000
                )
            )
        data = tomllib.loads(data_bytes.decode("utf-8"))
    except FileNotFoundError:
        return Config(raw={})
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(_("Cannot read the config file {path}: {reason}").format(path=path, reason=error)) from None
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(_("The config file {path} is not valid TOML: {reason}").format(path=path, reason=error)) from None
    language = data.get("language")
    agent = data.get("agent")
    store = data.get("store")
    for key, value in (("language", language), ("agent", agent), ("store", store)):
        if value is not None and not isinstance(value, str):
            raise InvalidInput(_("In {path}: {key} must be text").format(path=path, key=key))
    return Config(language=language, agent=agent, store=store or None, raw=data)


def key_table(config: Config) -> tuple[dict[str, str], list[str]]:
    """The ``[keys]`` table (action name = "key" or "key1,key2"), and the entries that are not text.

    Which names are actions and keys is the app's to say (ui/action_table.py).
    """
    table = (config.raw or {}).get("keys", {})
    if not isinstance(table, dict):
        return {}, [_("[keys] must be a table of action = \"key\"")]
    keys: dict[str, str] = {}
    problems: list[str] = []
    for name, value in table.items():
        if isinstance(value, str) and value.strip():
            keys[name] = value.strip()
        else:
            problems.append(_("[keys] {name}: not a key: {key}").format(name=name, key=value))
    return keys, problems


def read_config_text(path: Path) -> str:
    """The config file's text before an edit ("" when there is none yet), or one clear error."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(
            _("Cannot read the config file {path}: {reason}").format(path=path, reason=getattr(error, "strerror", None) or error)
        ) from None


def write_config_text(text: str, path: Path | None = None) -> Path:
    """Replace the config file with `text` atomically: a temp file in the same folder, then a rename.

    A crash or a full disk leaves the old file as it was, never half a file.
    The file keeps its permissions; a new one is 0600, in folders made 0700.
    """
    # A symlinked config (a dotfiles repository) is written where the link points,
    # so the link stays a link.
    path = (path or config_path()).resolve()
    if path.exists() and not path.is_file():
        # TUI_DESK_CONFIG=/dev/null: the rename below would replace the device itself.
        raise InvalidInput(_("Cannot write the config file {path}: {reason}").format(path=path, reason=_("not a regular file")))
    try:
        make_private_folders(path.parent)
        mode = path.stat().st_mode & 0o777 if path.exists() else None
        descriptor, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            # A new config is private: it may hold mail passwords.
            os.chmod(temp_name, mode if mode is not None else FILE_MODE)
            os.replace(temp_name, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise
    except OSError as error:
        raise InvalidInput(
            _("Cannot write the config file {path}: {reason}").format(path=path, reason=error.strerror or error)
        ) from None
    return path


def save_setting(key: str, value: str, path: Path | None = None) -> Path:
    """Set a top-level ``key = "value"`` in the config file, keeping its comments and layout.

    Used for settings the app changes itself (the theme picked in the palette); refuses, and
    leaves the file as it was, when the edit would not read back as the same config plus this key.
    """
    import tomlkit

    path = path or config_path()
    expected, document = read_config_to_edit(path)
    expected[key] = value

    def edited() -> str:
        document[key] = value  # tomlkit puts a new top-level key above the first [table]
        return tomlkit.dumps(document)

    return write_config_checked(edited, expected, path)


def read_config_to_edit(path: Path) -> tuple[dict[str, Any], TOMLDocument]:
    """The config file as it reads, and as a document that keeps its comments and layout to edit;
    InvalidInput when it is not TOML."""
    import tomlkit  # only to write: reading the config (every command) starts without it
    import tomlkit.exceptions

    old_text = read_config_text(path)
    try:
        return tomllib.loads(old_text), tomlkit.parse(old_text)
    except (tomllib.TOMLDecodeError, tomlkit.exceptions.TOMLKitError) as error:
        raise InvalidInput(_("The config file {path} is not valid TOML: {reason}").format(path=path, reason=error)) from None


def write_config_checked(edited: Callable[[], str], expected: dict[str, Any], path: Path) -> Path:
    """Write the text ``edited()`` gives, only if it reads back as ``expected``; else refuse and
    leave the file as it was (a comment-keeping edit that went wrong must not change settings)."""
    import tomlkit.exceptions

    try:
        text = edited()
        same = tomllib.loads(text) == expected
    except (tomlkit.exceptions.TOMLKitError, tomllib.TOMLDecodeError, TypeError, ValueError, KeyError):
        same = False
    if not same:
        raise InvalidInput(
            _("Cannot write the config file {path} safely (it would not read back the same); it was left unchanged").format(
                path=path
            )
        )
    return write_config_text(text, path)

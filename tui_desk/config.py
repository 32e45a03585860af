"""Where things live: the store and the config file (platformdirs), and the config itself."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from .core.errors import InvalidInput
from .i18n import _

APP_NAME = "tui-desk"
DB_ENV = "TUI_DESK_DB"
CONFIG_ENV = "TUI_DESK_CONFIG"


def default_db_path() -> Path:
    return platformdirs.user_data_path(APP_NAME, appauthor=False) / "tui-desk.db"


def resolve_db_path(cli_value: str | None) -> Path:
    """--db wins, then $TUI_DESK_DB, then the user's data dir."""
    if cli_value:
        return Path(cli_value).expanduser()
    if os.environ.get(DB_ENV):
        return Path(os.environ[DB_ENV]).expanduser()
    return default_db_path()


def config_path() -> Path:
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]).expanduser()
    return platformdirs.user_config_path(APP_NAME, appauthor=False) / "config.toml"


@dataclass(frozen=True)
class Config:
    language: str | None = None
    agent: str | None = None
    raw: dict | None = None


def load_config(path: Path | None = None) -> Config:
    """Read the TOML config; a missing file is an empty config, a broken one a clear error."""
    path = path or config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Config(raw={})
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(_("Cannot read the config file {path}: {reason}").format(path=path, reason=error)) from None
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(_("The config file {path} is not valid TOML: {reason}").format(path=path, reason=error)) from None
    language = data.get("language")
    agent = data.get("agent")
    for key, value in (("language", language), ("agent", agent)):
        if value is not None and not isinstance(value, str):
            raise InvalidInput(_("In {path}: {key} must be text").format(path=path, key=key))
    return Config(language=language, agent=agent, raw=data)

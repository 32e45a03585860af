"""Key bindings in the current language.

Textual reads ``BINDINGS`` when a class is defined, i.e. at import time, before a
test or the command line may have chosen the language. The descriptions are
therefore marked with ``N_`` (English source text) and translated here, on every
class of the app, each time an app is built: the Footer, the key panel and the
command palette then show the language active at that moment.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

from ..i18n import _

_SOURCE: dict[type, BindingsMap] = {}


def _ours(cls: type) -> bool:
    return any(getattr(base, "__module__", "").startswith("tui_desk.") for base in cls.__mro__)


def _subclasses(cls: type) -> list[type]:
    found: list[type] = []
    stack: list[type] = [cls]
    while stack:
        subclasses: list[type] = stack.pop().__subclasses__()
        for sub in subclasses:
            found.append(sub)
            stack.append(sub)
    return found


def _translated(binding: Binding) -> Binding:
    return replace(
        binding,
        description=_(binding.description) if binding.description else binding.description,
        tooltip=_(binding.tooltip) if binding.tooltip else binding.tooltip,
    )


def localize_bindings() -> None:
    """Give every tui-desk widget, screen and app class its bindings in the current language."""
    for cls in _subclasses(DOMNode):
        if not _ours(cls):
            continue
        source = _SOURCE.get(cls)
        if source is None:
            source = cls.__dict__.get("_merged_bindings")
            if source is None:
                continue
            _SOURCE[cls] = source
        translated = BindingsMap()
        for key, bindings in source.key_to_bindings.items():
            translated.key_to_bindings[key] = [_translated(b) for b in bindings]
        cls._merged_bindings = translated  # type: ignore[attr-defined]

"""The routing rules that did not load, said once at start (docs/issue18/attack.md).

One notification for all of them: a config with thirty broken rules filled the screen with thirty
warnings for fifteen seconds. The first few are named, the rest counted; `tui-desk route` names
every one on stderr.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..domain.text import one_line
from ..i18n import ngettext
from ..i18n import number as number_text

SHOWN = 3


def routing_problems_text(problems: Sequence[str]) -> str:
    lines = [one_line(problem, 200) for problem in problems[:SHOWN]]
    more = len(problems) - SHOWN
    if more > 0:
        lines.append(ngettext(
            "… and {n} more rule problem: tui-desk route names them all",
            "… and {n} more rule problems: tui-desk route names them all", more,
        ).format(n=number_text(more)))
    return "\n".join(lines)

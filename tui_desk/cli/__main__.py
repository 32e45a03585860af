"""``python -m tui_desk.cli``: the same as ``tui-desk`` (scripts and tests start it so)."""

import sys

from .main import main

sys.exit(main())

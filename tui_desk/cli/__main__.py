"""``python -m tui_desk.cli``: the command line, as the ``tui-desk`` script runs it."""

import sys

from .entry import main

sys.exit(main())

"""`python -m tui_desk`: the same as the `tui-desk` command."""

from .cli import main

raise SystemExit(main())

"""tui_desk.domain."""

"""The help-desk domain: lifecycle, ordering, time. Pure Python, no UI."""

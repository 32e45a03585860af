"""The Textual app. It reads and changes tickets only through the core and store modules."""

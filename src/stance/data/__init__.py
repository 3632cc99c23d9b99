"""Data sources, the gold format and its validator."""

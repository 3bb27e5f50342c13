"""Session selection per channel for conda (filled in by the session issue)."""

"""Shell activation for conda environments (filled in by the shell issue)."""

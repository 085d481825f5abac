"""End-to-end tests: the installed `guoying` command, run as a user runs it."""

"""Read models: each projection keeps view tables from the events, with its tracking record."""

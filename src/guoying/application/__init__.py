"""Use cases: commands as data, their handlers, authorization and error translation."""

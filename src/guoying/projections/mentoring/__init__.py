"""The mentoring read model (§6, Annex 4): pairs, each mentor's load against the policy's
target and maximum, the schedules filed by city-managed committees, and the coverage figures.

`tables` holds the insert-only log of the pair and schedule events, `projector` writes it,
and `queries` folds it for a committee's subtree and a year, as known at a store position
and in effect on a business date.
"""

"""The ledger read model: the committee tree, the branches and everything Annex 1 shows.

`tables` holds the views, `projector` writes them from the events, and the readers are named
by what they read: `tree`, `figures`, `queries` (Annex 1 itself), `search` and `coverage`.
"""

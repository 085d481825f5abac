"""Read models: each projection keeps view tables from the events, with its tracking record.

One subpackage per read model (`ledger`, `history`), each with its `tables`, the `projector`
that writes them and the readers of them; `catalogue` lists the projections a store keeps.
`refusals` and `audit` read the store's own log and chain, so they need no projection.
`runner`, `writer`, `replay` and `reading` serve every read model.
"""

"""The pure domain: values, policy, aggregates, their events and their decisions."""

"""guoying's benchmarks: `python -m bench` (`make bench`), `python -m bench --large`.

Every figure is measured side by side with the layers guoying is built on, in the same run:
eventsourcing's own recorders and the database drivers for writes, reading and decoding
the same events for the projections, hashing the same bytes for verification. See the
"Benchmarks" section of the README for what each figure means.
"""

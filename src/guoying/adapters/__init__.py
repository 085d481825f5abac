"""Adapters: serialisation, stores by URL, SQL tables."""

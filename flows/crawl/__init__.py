"""Discover and fetch: list pages → report links → bodies in the raw archive, politely and incrementally."""

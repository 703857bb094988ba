"""Integrations with other frameworks; each module needs its framework installed."""

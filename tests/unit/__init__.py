"""Unit tests: the exact requests that go out (aioresponses), per namespace."""

"""Validator, axe and link tests; fixtures come from tests.support.fixtures (tests/conftest.py)."""

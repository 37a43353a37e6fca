"""Browser tests; fixtures come from tests.support.fixtures, registered in tests/conftest.py."""

"""Browser tests; fixtures come from tests.support.fixtures, registered in tests/conftest.py."""

from tests.support.annotator import annotator_bundle, awkward_site

__all__ = ["annotator_bundle", "awkward_site"]

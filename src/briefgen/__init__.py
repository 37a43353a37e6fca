"""briefgen: publish annotated briefings as a static site."""

__version__ = "0.1.0"

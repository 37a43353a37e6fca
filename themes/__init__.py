"""The built-in themes, shipped inside the briefgen package as `briefgen.themes` (package data).

This folder is their source; see pyproject.toml. A theme is templates/ and static/, no Python.
"""

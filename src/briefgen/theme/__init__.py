"""Stage 4: the theme (templates and static files, shipped as package data) and rendering
pages through it.
"""

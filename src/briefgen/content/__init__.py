"""Stage 1: read `content/` and validate it against the content model (YAML source with
positions, typed readers, the model's dataclasses).
"""

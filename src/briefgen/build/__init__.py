"""The pipeline that runs the stages: inputs and the up-to-date check, the per-briefing cache,
parallel workers, and atomic output.
"""

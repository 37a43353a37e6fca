"""The pipeline that runs the stages (`pipeline.build`): inputs and the up-to-date check
(inputs, digest), phase one (prepare, processed), the untrusted per-briefing cache (cache,
codec), page keys (keys), phase two (writer), parallel workers and atomic output.
"""

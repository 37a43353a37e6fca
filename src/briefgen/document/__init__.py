"""Stage 2, per briefing: render its Markdown, anchor its annotations in the text, and
assemble the briefing (`Briefing`, `Annotation`) that later stages read.
"""

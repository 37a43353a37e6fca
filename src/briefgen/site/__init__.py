"""Stage 3: the site model, derived once from all briefings (comparisons, topics, actors,
the positions matrix), the list of pages, and the cross-checks of internal links.
"""

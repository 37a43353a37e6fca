"""Stage 4, beside the pages: machine-readable files (Atom feed, sitemap, robots.txt, W3C Web
Annotations, positions.json, JSON-LD), one module each.
"""

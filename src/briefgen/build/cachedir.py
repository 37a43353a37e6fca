"""The folder where a build keeps its own files in a site: light, so that the up-to-date check
(inputs.py) can name it without loading the cache's codec."""

CACHE_DIR = ".briefgen-cache"  # the persistent cache (cache.py), the stored input hashes, ...

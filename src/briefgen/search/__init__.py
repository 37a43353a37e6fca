"""Stage 5: the Pagefind search index (records, the Pagefind service, a canonical bundle)."""

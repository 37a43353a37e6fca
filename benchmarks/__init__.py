"""Performance benchmark: briefgen against Hugo (and Pagefind) on one synthetic corpus."""

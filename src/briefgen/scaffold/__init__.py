"""`briefgen new`, `import` and `init`: files an author starts from."""

"""Patterns of mail rules: globs, and regular expressions run by the `regex` library within a time limit."""

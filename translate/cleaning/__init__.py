"""Cleaning Arabic news text before translation: clean_article (clean.py), its options and
signature (options.py), character normalisation (normalize.py), the rules table (rules.py), the
boilerplate learner, inline markup, code-like tokens and the spans of what was removed."""

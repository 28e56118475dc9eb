"""Cleaning Arabic news text before translation: normalisation and the rules (clean.py), the
boilerplate learner, inline markup, code-like tokens and the spans of what was removed."""

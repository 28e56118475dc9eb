"""A run over articles: its options (spec, presets), the one pass over the inputs, the
boilerplate and story passes, each article cleaned, translated, checked and summarized
(article.py), the engines and models behind it, and what runs over an output afterwards
(resummarize, evaluate, clean-only, shards)."""

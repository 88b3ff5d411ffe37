"""The solutions knowledge base: articles written from solved tickets (services.py), and
the German full-text search that suggests them (search.py, words.py)."""

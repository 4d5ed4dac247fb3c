"""The console's areas, one module each, each with a ``router`` listed in ``app/console/__init__.py``."""

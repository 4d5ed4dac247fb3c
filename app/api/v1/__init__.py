"""Version 1 of the authenticated REST API (``/api/v1``)."""

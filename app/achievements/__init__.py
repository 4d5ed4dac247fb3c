"""Achievement definitions (Open Badges 3.0 ``Achievement``) that a college issues credentials for."""

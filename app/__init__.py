"""vetcred: an issuer of verifiable micro-credentials (Open Badges 3.0, Europass EDC)."""

__version__ = "0.1.0"

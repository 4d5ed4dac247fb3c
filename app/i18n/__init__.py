"""The reader's language: which one (negotiation), the gettext catalogues, and Babel's dates and numbers."""

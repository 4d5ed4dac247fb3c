"""Building, validating, signing and storing the credentials a college issues."""

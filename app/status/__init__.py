"""Revocation and suspension through W3C Bitstring Status List."""

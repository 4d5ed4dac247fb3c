"""Cryptographic proofs: offline JSON-LD, RDFC-1.0, Ed25519 keys, DIDs and the eddsa-rdfc-2022 cryptosuite."""

"""Who a signer is: EU trusted lists for e-seals, and certificate path validation against their trust anchors."""

"""Who a signer is: this service's colleges, the operator's trust registries and, for e-seals, EU trusted lists
(with certificate path validation against their trust anchors).

The verification pipeline asks; trust never decides whether a proof is valid.
"""

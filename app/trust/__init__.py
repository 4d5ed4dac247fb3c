"""Who a signer is: this service's colleges, the operator's trust registries and (for seals) EU trusted lists.

The verification pipeline asks; trust never decides whether a proof is valid.
"""

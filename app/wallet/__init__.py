"""Learners take their credentials: claim links, e-mail delivery, OpenID4VCI issuance to wallets."""

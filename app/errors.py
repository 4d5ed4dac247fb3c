"""The one error tree of vetcred: each error has a stable ``code`` and a human ``detail``.

    VetcredError
    ├── ConfigurationError        settings that make the service unsafe or unable to start
    ├── NotFound                  a resource that does not exist (or belongs to another issuer)
    ├── Conflict                  a request that clashes with the state of a resource
    ├── InvalidInput              input that passed the edge but breaks a domain rule
    │   ├── MissingMandatoryElement  a micro-credential without a Council Recommendation Annex I element
    │   ├── IdempotencyKeyReused  an Idempotency-Key sent again with a different request
    │   └── TooLarge              an upload over its own size limit (a logo), named by its field
    ├── AuthenticationError       a missing or wrong admin token / API key (or no console session)
    ├── PermissionDenied          signed in, but the role does not allow it (or a form without its CSRF token)
    ├── JsonLdError               the document cannot be processed as JSON-LD safely
    │   ├── UnknownContext        a context the offline loader does not ship (never fetched)
    │   ├── UnsafeDocument        a term or type that does not expand to an absolute IRI
    │   └── CanonicalizationLimit a blank-node graph too costly to canonicalize
    ├── KeyMaterialError          a key that cannot be decoded, decrypted or used
    ├── DidResolutionError        a DID or verification method that cannot be resolved
    ├── ProofError                a proof that is malformed or does not verify
    │   └── UnauthorizedKey       a key its controller does not list under assertionMethod
    ├── UnsupportedProof          a proof type, cryptosuite, algorithm or envelope vetcred does not verify
    ├── FetchError                a remote document (status list, DID document) that cannot be fetched
    │   └── TimestampError        a time-stamp authority that cannot be reached or whose answer does not verify
    └── CredentialSchemaError     an issued credential that fails the official JSON Schema (a bug)

``app/api/errors.py`` is the only place that maps these to HTTP statuses.
"""

from __future__ import annotations


class VetcredError(Exception):
    """Base of every error vetcred raises on purpose."""

    code = "vetcred_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ConfigurationError(VetcredError):
    code = "configuration_error"


class NotFound(VetcredError):
    code = "not_found"


class Conflict(VetcredError):
    code = "conflict"


class InvalidInput(VetcredError):
    """Breaks a domain rule; ``field`` names the input field (a dotted path) when there is one."""

    code = "invalid_input"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.field = field


class MissingMandatoryElement(InvalidInput):
    """A micro-credential lacks an element Annex I of the Council Recommendation (2022/C 243/02) makes mandatory."""

    code = "missing_mandatory_element"


class IdempotencyKeyReused(InvalidInput):
    """The IETF Idempotency-Key draft: a key reused with a different payload is a client error (422)."""

    code = "idempotency_key_reused"


class TooLarge(InvalidInput):
    """An upload larger than its own limit (413), though under the request body limit."""

    code = "too_large"


class AuthenticationError(VetcredError):
    code = "authentication_failed"


class PermissionDenied(VetcredError):
    """Who is asking is known, and may not do this (a console viewer that tries to issue)."""

    code = "forbidden"


class JsonLdError(VetcredError):
    code = "jsonld_error"


class UnknownContext(JsonLdError):
    code = "unknown_context"


class UnsafeDocument(JsonLdError):
    code = "unsafe_document"


class CanonicalizationLimit(JsonLdError):
    code = "canonicalization_limit"


class KeyMaterialError(VetcredError):
    code = "key_material_error"


class DidResolutionError(VetcredError):
    code = "did_resolution_error"


class ProofError(VetcredError):
    code = "proof_error"


class UnauthorizedKey(ProofError):
    """The key resolves, but its controller document does not authorize it to issue credentials."""

    code = "unauthorized_key"


class UnsupportedProof(VetcredError):
    """Not wrong, only unknown to vetcred: the honest outcome is "could not check", never "failed"."""

    code = "unsupported_proof"


class FetchError(VetcredError):
    code = "fetch_error"


class TimestampError(FetchError):
    """RFC 3161: the TSA is unreachable, refuses, or answers with a token that does not verify."""

    code = "timestamp_error"


class CredentialSchemaError(VetcredError):
    code = "credential_schema_error"

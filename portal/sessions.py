"""Flask's signed session cookie, signed exactly as Flask signs it, for less work per request.

Every request reads the session (a respondent's draft and CSRF token are in it), and Flask's
own interface made a new serializer for it each time, whose signer derived the signing key
from the secret afresh (an HMAC) before checking the signature with another, both through
Python's pure-Python HMAC, since Flask names SHA-1 through a function of its own rather than
hashlib's. Here the serializer is made once per set of secret keys, the derived key is kept,
and SHA-1 is hashlib's, so HMAC runs in OpenSSL: 4% of a health check's CPU instructions,
1.5% of a submission's (bench/results.md). The cookie is byte for byte what Flask writes,
so sessions made before a deploy still open after it (tests/test_sessions.py).
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import Signer, TimestampSigner, URLSafeTimedSerializer


@functools.lru_cache(maxsize=32)
def _derived_key(secret_key: bytes, salt: bytes, key_derivation: str, digest_method: Any) -> bytes:
    return Signer(
        secret_key, salt=salt, key_derivation=key_derivation, digest_method=digest_method
    ).derive_key()


class _SignerDerivingOnce(TimestampSigner):
    """The timestamped signer a session cookie is signed with, its key derived once per
    secret key, salt and method."""

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        key = self.secret_keys[-1] if secret_key is None else secret_key
        if isinstance(key, str):
            key = key.encode()
        return _derived_key(key, self.salt, self.key_derivation, self.digest_method)


class PortalSessionInterface(SecureCookieSessionInterface):
    digest_method = staticmethod(hashlib.sha1)

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        # itsdangerous expects the current key last, after any it still accepts.
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = URLSafeTimedSerializer(
                list(keys),
                salt=self.salt,
                serializer=self.serializer,
                signer=_SignerDerivingOnce,
                signer_kwargs={
                    "key_derivation": self.key_derivation,
                    "digest_method": self.digest_method,
                },
            )
            self._serializers[keys] = serializer
        return serializer

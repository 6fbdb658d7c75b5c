"""Encryption at rest for what must stay sealed (the electronic tender box): Fernet tokens, keys from the environment.

`TENDER_BOX_KEYS` lists Fernet keys, newest first: everything is sealed with the first and
opened with any of them, so a key is rotated by putting the new one first, running
`manage.py rotate_tender_box_key` (every sealed value re-encrypted with the new key) and then
removing the old one (README, "The sealed tender box"). Without keys (local running and tests
only: production refuses to start) one key is derived from SECRET_KEY.

Fernet is AES-128-CBC with an HMAC-SHA256: a value altered in the database fails to open rather
than opening as something else.
"""

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SealBroken(Exception):
    """A sealed value could not be opened with any configured key (altered, or sealed with a key since removed)."""


def derived_key(secret: str) -> bytes:
    """A Fernet key derived from a secret (SECRET_KEY for local running and tests)."""
    return base64.urlsafe_b64encode(hashlib.sha256(f"noms-tender-box:{secret}".encode()).digest())


def _keys() -> list[bytes]:
    configured = [key.encode() for key in getattr(settings, "TENDER_BOX_KEYS", []) if key]
    return configured or [derived_key(settings.SECRET_KEY)]


def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in _keys()])
    except ValueError as bad:
        raise ImproperlyConfigured(f"TENDER_BOX_KEYS must be Fernet keys (32 url-safe base64-encoded bytes): {bad}") from None


def seal(plain: bytes) -> bytes:
    return _fernet().encrypt(plain)


def unseal(token: "bytes | memoryview") -> bytes:
    """The plain value (a BinaryField reads back as a memoryview on PostgreSQL)."""
    try:
        return _fernet().decrypt(bytes(token))
    except InvalidToken:
        raise SealBroken("A sealed value could not be opened: it was altered, or sealed with a key no longer configured.") from None


def seal_json(value: dict[str, Any]) -> bytes:
    return seal(json.dumps(value, sort_keys=True).encode())


def unseal_json(token: "bytes | memoryview") -> dict[str, Any]:
    value: dict[str, Any] = json.loads(unseal(token))
    return value


def reseal(token: "bytes | memoryview") -> bytes:
    """The same value sealed again with the first (newest) key."""
    try:
        return _fernet().rotate(bytes(token))
    except InvalidToken:
        raise SealBroken("A sealed value could not be opened for rotation: is its key still in TENDER_BOX_KEYS?") from None


def new_key() -> str:
    return Fernet.generate_key().decode()

"""SS58 addresses (the chain's prefix 42) to and from 32-byte account ids, with the checksum."""

import hashlib

from ._errors import PylonError

PREFIX = 42
_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}


def _checksum(payload: bytes) -> bytes:
    return hashlib.blake2b(b"SS58PRE" + payload, digest_size=64).digest()[:2]


def encode(account: bytes) -> str:
    if len(account) != 32:
        raise PylonError("invalid_argument", "an account id is 32 bytes")
    raw = bytes([PREFIX]) + bytes(account)
    raw += _checksum(raw)
    n = int.from_bytes(raw, "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(_ALPHABET[r])
    out.extend("1" * (len(raw) - len(raw.lstrip(b"\0"))))  # leading zero bytes (never for prefix 42)
    return "".join(reversed(out))


def decode(address: str) -> bytes:
    """The 32-byte account id of an SS58 address of prefix 42; PylonError(invalid_argument)."""
    if not isinstance(address, str) or not 40 <= len(address) <= 60:
        raise PylonError("invalid_argument", f"malformed hotkey {address!r}: not an SS58 address")
    n = 0
    for c in address:
        d = _INDEX.get(c)
        if d is None:
            raise PylonError("invalid_argument", f"malformed hotkey {address!r}: {c!r} is not base58")
        n = n * 58 + d
    try:
        raw = n.to_bytes(35, "big")
    except OverflowError:
        raise PylonError("invalid_argument", f"malformed hotkey {address!r}: wrong length") from None
    if raw[0] != PREFIX:
        raise PylonError("invalid_argument", f"hotkey {address!r} is not of network prefix {PREFIX}")
    if _checksum(raw[:33]) != raw[33:]:
        raise PylonError("invalid_argument", f"malformed hotkey {address!r}: bad checksum")
    if encode(raw[1:33]) != address:  # leading '1's or other non-canonical spellings
        raise PylonError("invalid_argument", f"malformed hotkey {address!r}: not canonical")
    return raw[1:33]

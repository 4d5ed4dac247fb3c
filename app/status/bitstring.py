"""Pure encode/decode of a W3C Bitstring Status List v1.0 ``encodedList`` (Recommendation 2025-05-15)."""

from __future__ import annotations

import base64
import binascii
import re
import struct
import zlib

__all__ = [
    "MAX_DECOMPRESSED_BYTES",
    "MAX_STATUS_SIZE",
    "MIN_LIST_LENGTH",
    "Bitstring",
    "StatusListError",
]

#: The spec's minimum number of entries (Validate Algorithm, step 2): 131,072 entries = 16 KB of 1-bit
#: statuses. Anything smaller shrinks the crowd a holder hides in (herd privacy).
MIN_LIST_LENGTH = 131_072

#: Widest entry we accept. The spec only says "an integer greater than zero"; a status needs
#: ``2 ** statusSize`` entries in ``statusMessage``, so anything wider than a byte is not a real list.
MAX_STATUS_SIZE = 8

#: Decompression-bomb guard: refuse an ``encodedList`` that inflates beyond 16 MiB (134 million 1-bit
#: entries, a thousand times the minimum). Decoding stops as soon as the cap is passed, so a bomb costs
#: at most this much memory however far it would have expanded.
MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024

_MULTIBASE_BASE64URL = "u"
_BASE64URL_NO_PAD = re.compile(r"[A-Za-z0-9_-]+")
_GZIP_MAGIC = b"\x1f\x8b"
# RFC 1952 member header: ID1 ID2, CM=8 (deflate), FLG=0, MTIME=0, XFL=0, OS=3. Fixed bytes make the
# output independent of the clock and the platform; they are the bytes pako (the gzip behind the
# Digital Bazaar / DCC JavaScript libraries) writes, so equal lists encode to the same string there.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"
# zlib's default level, which is also pako's: with it the spec's all-zero example is reproduced exactly.
_DEFLATE_LEVEL = 6
_INFLATE_CHUNK = 1024 * 1024


class StatusListError(ValueError):
    """An ``encodedList`` or a list shape that a conforming processor must refuse."""


class Bitstring:
    """A status list: ``length`` entries of ``status_size`` bits, entry 0 at the left-most bit.

    Entry ``i`` occupies bits ``i * status_size`` to ``(i + 1) * status_size - 1``, counted from the most
    significant bit of the first byte (spec Section 2.2 and 7.1); a multi-bit entry is read with its
    first bit as the most significant bit of the value.
    """

    __slots__ = ("_bits", "_length", "_status_size")

    def __init__(self, length: int = MIN_LIST_LENGTH, status_size: int = 1) -> None:
        """Create an all-zero list.

        ``length * status_size`` must fill whole bytes: the encoded form has no length field, so padding
        bits would come back from a decode as extra entries and the list would not round-trip.
        """
        _check_status_size(status_size)
        if not _is_int(length):
            raise TypeError(f"length must be an int, not {type(length).__name__}")
        if length < MIN_LIST_LENGTH:
            raise StatusListError(
                f"a status list needs at least {MIN_LIST_LENGTH:,} entries for herd privacy; got {length:,}"
            )
        total_bits = length * status_size
        if total_bits % 8:
            raise StatusListError(
                f"length * status_size must be a whole number of bytes; {length:,} * {status_size} "
                f"= {total_bits:,} bits is not a multiple of 8"
            )
        if total_bits // 8 > MAX_DECOMPRESSED_BYTES:
            raise StatusListError(
                f"a status list of {total_bits // 8:,} bytes is larger than the "
                f"{MAX_DECOMPRESSED_BYTES:,}-byte cap that decoders (ours included) enforce"
            )
        self._bits = bytearray(total_bits // 8)
        self._length = length
        self._status_size = status_size

    @classmethod
    def _wrap(cls, bits: bytearray, status_size: int) -> Bitstring:
        """Adopt decoded bytes as they are; decode has already checked the shape."""
        self = cls.__new__(cls)
        self._bits = bits
        self._length = len(bits) * 8 // status_size
        self._status_size = status_size
        return self

    @classmethod
    def from_bytes(cls, raw: bytes, status_size: int = 1) -> Bitstring:
        """A list from its uncompressed bytes (as stored), checked like a newly made one."""
        _check_status_size(status_size)
        if len(raw) * 8 // status_size < MIN_LIST_LENGTH:
            raise StatusListError(f"a status list needs at least {MIN_LIST_LENGTH:,} entries for herd privacy")
        return cls._wrap(bytearray(raw), status_size)

    def first_clear_from(self, start: int) -> int | None:
        """The first index at or after ``start`` (wrapping around) whose 1-bit entry is 0, or None when all are set.

        Scans whole bytes, so finding a free slot in a 16 KB list costs microseconds even when it is nearly full.
        """
        if self._status_size != 1:
            raise StatusListError("first_clear_from works on 1-bit lists")
        self._check_index(start)
        size = len(self._bits)
        first_byte = start >> 3
        for step in range(size + 1):
            position = (first_byte + step) % size
            byte = self._bits[position]
            if byte == 0xFF:
                continue
            for bit in range(8):
                index = position * 8 + bit
                if step == 0 and index < start:
                    continue
                if not byte & (0x80 >> bit):
                    return index
        return None

    @property
    def length(self) -> int:
        """Number of entries (not bits)."""
        return self._length

    @property
    def status_size(self) -> int:
        """Bits per entry: the entry's ``statusSize``, 1 unless stated."""
        return self._status_size

    def __len__(self) -> int:
        return self._length

    def __repr__(self) -> str:
        return f"Bitstring(length={self._length}, status_size={self._status_size})"

    def get(self, index: int) -> int:
        """The value of entry ``index``: 0 or 1 for 1-bit lists, ``0 .. 2**status_size - 1`` otherwise."""
        self._check_index(index)
        bits = self._bits
        if self._status_size == 1:
            return (bits[index >> 3] >> (7 - (index & 7))) & 1
        value = 0
        start = index * self._status_size
        for position in range(start, start + self._status_size):
            value = (value << 1) | ((bits[position >> 3] >> (7 - (position & 7))) & 1)
        return value

    def set(self, index: int, value: int) -> None:
        """Set entry ``index`` to ``value`` (``True``/``False`` are accepted as 1/0)."""
        self._check_index(index)
        if not isinstance(value, int):
            raise TypeError(f"a status value must be an int, not {type(value).__name__}")
        size = self._status_size
        if not 0 <= value < 1 << size:
            raise ValueError(
                f"status value {value} does not fit in {size} bit{'s' if size > 1 else ''} "
                f"(allowed: 0 to {(1 << size) - 1})"
            )
        bits = self._bits
        start = index * size
        for offset in range(size):
            position = start + offset
            mask = 0x80 >> (position & 7)
            if (value >> (size - 1 - offset)) & 1:
                bits[position >> 3] |= mask
            else:
                bits[position >> 3] &= ~mask & 0xFF

    def to_bytes(self) -> bytes:
        """The uncompressed bitstring, byte 0 first."""
        return bytes(self._bits)

    def encode(self) -> str:
        """The ``encodedList``: ``u`` + base64url without padding of the GZIP-compressed bitstring.

        Deterministic: the GZIP header is fixed (MTIME 0) and the deflate level is fixed, so one list
        always yields one string with a given zlib build.
        """
        data = bytes(self._bits)
        compressor = zlib.compressobj(_DEFLATE_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        deflated = compressor.compress(data) + compressor.flush()
        trailer = struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)
        gzipped = _GZIP_HEADER + deflated + trailer
        return _MULTIBASE_BASE64URL + base64.urlsafe_b64encode(gzipped).rstrip(b"=").decode("ascii")

    @classmethod
    def decode(cls, encoded: str, status_size: int = 1, *, min_length: int = MIN_LIST_LENGTH) -> Bitstring:
        """Expand an ``encodedList`` (spec Bitstring Expansion Algorithm) and check its length.

        Raises ``StatusListError`` for anything a conforming processor must refuse: a missing ``u``
        prefix, text that is not unpadded base64url, bytes that are not a complete GZIP stream, output
        beyond ``MAX_DECOMPRESSED_BYTES``, or fewer than ``min_length`` entries
        (STATUS_LIST_LENGTH_ERROR). ``min_length`` is the spec's ``minimumNumberOfEntries``: keep the
        default unless an ecosystem specification sets a different lower bound.
        """
        try:
            _check_status_size(status_size)
        except (TypeError, ValueError) as exc:
            raise StatusListError(str(exc)) from None
        if not _is_int(min_length) or min_length < 1:
            raise StatusListError(f"min_length must be a positive int, got {min_length!r}")
        if not isinstance(encoded, str):
            raise StatusListError(f"encodedList must be a string, not {type(encoded).__name__}")
        if not encoded.startswith(_MULTIBASE_BASE64URL):
            shown = repr(encoded[:1]) if encoded else "an empty string"
            raise StatusListError(
                f"encodedList must start with the multibase prefix 'u' (base64url, no padding); it starts with {shown}"
            )
        compressed = _base64url_decode(encoded[1:])
        bits = _gunzip_capped(compressed, MAX_DECOMPRESSED_BYTES)
        entries = len(bits) * 8 // status_size
        if entries < min_length:
            raise StatusListError(
                f"status list too short: {len(bits):,} bytes hold {entries:,} entries of {status_size} "
                f"bit{'s' if status_size > 1 else ''}, fewer than the {min_length:,} required for herd "
                "privacy"
            )
        return cls._wrap(bits, status_size)

    def _check_index(self, index: int) -> None:
        if not _is_int(index):
            raise TypeError(f"a status list index must be an int, not {type(index).__name__}")
        if not 0 <= index < self._length:
            raise IndexError(
                f"status list index {index} is out of range: this list has {self._length:,} entries "
                f"(0 to {self._length - 1:,})"
            )


def _is_int(value: object) -> bool:
    # bool is an int subclass; True as a length or an index is a bug, not a number.
    return isinstance(value, int) and not isinstance(value, bool)


def _check_status_size(status_size: int) -> None:
    if not _is_int(status_size):
        raise TypeError(f"statusSize must be an int, not {type(status_size).__name__}")
    if not 1 <= status_size <= MAX_STATUS_SIZE:
        raise ValueError(f"statusSize must be between 1 and {MAX_STATUS_SIZE}, got {status_size}")


def _base64url_decode(text: str) -> bytes:
    """Strict RFC 4648 base64url without padding: the spec forbids ``=`` and the ``+``/``/`` alphabet."""
    if not text:
        raise StatusListError("encodedList has nothing after the multibase prefix 'u'")
    if _BASE64URL_NO_PAD.fullmatch(text) is None:
        bad = next(ch for ch in text if not (ch.isascii() and (ch.isalnum() or ch in "-_")))
        hint = " (padding is not allowed)" if bad == "=" else ""
        raise StatusListError(f"encodedList is not base64url: it contains {bad!r}{hint}")
    if len(text) % 4 == 1:
        raise StatusListError(f"encodedList is not valid base64url: {len(text)} characters cannot encode whole bytes")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:  # pragma: no cover - the checks above catch these first
        raise StatusListError(f"encodedList is not valid base64url: {exc}") from None


def _gunzip_capped(data: bytes, cap: int) -> bytearray:
    """Inflate every GZIP member of ``data``, refusing as soon as the output would exceed ``cap`` bytes.

    ``decompress(max_length=...)`` bounds each step, so a bomb is abandoned after at most ``cap`` bytes
    instead of being expanded in full. zlib checks each member's CRC-32 and length trailer.
    """
    if not data.startswith(_GZIP_MAGIC):
        raise StatusListError(
            "encodedList does not hold GZIP data (RFC 1952): the decoded bytes do not start with 1f 8b"
        )
    out = bytearray()
    member = data
    while member:
        if not member.startswith(_GZIP_MAGIC):
            raise StatusListError("encodedList has trailing bytes after its GZIP data")
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # GZIP wrapper only, no zlib/raw fallback
        pending = member
        while not inflater.eof:
            try:
                chunk = inflater.decompress(pending, min(_INFLATE_CHUNK, cap + 1 - len(out)))
            except zlib.error as exc:
                raise StatusListError(f"encodedList holds corrupt GZIP data: {exc}") from None
            out += chunk
            if len(out) > cap:
                raise StatusListError(
                    f"encodedList expands to more than {cap:,} bytes; refusing it as a possible decompression bomb"
                )
            pending = inflater.unconsumed_tail
            if not chunk and not pending and not inflater.eof:
                raise StatusListError("encodedList holds truncated GZIP data")
        member = inflater.unused_data
    return out

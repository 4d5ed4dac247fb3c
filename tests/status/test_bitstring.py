"""Tests for the W3C Bitstring Status List encode/decode in app.status.bitstring."""

from __future__ import annotations

import base64
import gzip
import random
import struct
import time
import tracemalloc
import zlib

import pytest

from app.status.bitstring import (
    MAX_DECOMPRESSED_BYTES,
    MIN_LIST_LENGTH,
    Bitstring,
    StatusListError,
)

# Example 3 ("Example BitstringStatusListCredential") of the W3C Recommendation 2025-05-15,
# https://www.w3.org/TR/vc-bitstring-status-list/ (w3c/vc-bitstring-status-list, transitions/2025/REC):
# an all-zero list of 131,072 entries.
SPEC_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"

# Digital Credentials Consortium fixtures. Their lists have 100,000 entries, below the spec minimum.
# digitalcredentials/vc-bitstring-status-list tests/20-main.spec.js: createList({length: 100000}).
DCC_EMPTY_100K = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQsvoAAAAAAAAAAAAAAAAP4GcwM92tQwAAA"
# digitalcredentials/vc-bitstring-status-list tests/mock-sl-credentials.js: encodedList100KWith50KthRevoked.
DCC_100K_ONE_SET = "uH4sIAAAAAAAAA-3OMQ0AAAgDsOHfNB72EJJWQRMAAAAAAIDWXAcAAAAAAIDHFrc4zDzUMAAA"
# digitalcredentials/vc-test-fixtures statusLists/didkey-ed25519Signature2020/expired (and notYetValid).
DCC_FIXTURE_LIST = "uH4sIAAAAAAAAA-3BMQEAAAwCoGUx6aLbwgvIHwAAAAAAAAAAAAAAwFwBZnztF9QwAAA"
# digitalcredentials/vc-test-fixtures statusLists/didkey-ed25519Signature2020/tampered.
DCC_TAMPERED = "uH4sIAAAAAAAAA-I-CHANGED-THISwAAAAAAAAAwFwBZnztF9QwAAA"

_ZLIB_NG = "ng" in zlib.ZLIB_RUNTIME_VERSION.lower()


def _multibase(raw: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _encoded_bytes(data: bytes) -> str:
    return _multibase(gzip.compress(data, mtime=0))


# --- round trips ------------------------------------------------------------------------------------


def test_default_list_is_the_spec_minimum_and_all_zero() -> None:
    bitstring = Bitstring()
    assert len(bitstring) == bitstring.length == MIN_LIST_LENGTH == 131_072
    assert bitstring.status_size == 1
    assert bitstring.to_bytes() == bytes(16 * 1024)


def test_round_trip_preserves_every_bit() -> None:
    rng = random.Random(20250515)
    bitstring = Bitstring(MIN_LIST_LENGTH * 2)
    revoked = set(rng.sample(range(bitstring.length), 500))
    for index in revoked:
        bitstring.set(index, 1)

    decoded = Bitstring.decode(bitstring.encode())

    assert decoded.length == bitstring.length
    assert decoded.to_bytes() == bitstring.to_bytes()
    assert {i for i in range(decoded.length) if decoded.get(i)} == revoked


def test_set_back_to_zero_and_bools() -> None:
    bitstring = Bitstring()
    bitstring.set(42, True)
    assert bitstring.get(42) == 1
    bitstring.set(42, False)
    assert bitstring.get(42) == 0
    assert bitstring.to_bytes() == bytes(16 * 1024)


def test_encode_is_deterministic_and_unpadded_base64url() -> None:
    bitstring = Bitstring()
    bitstring.set(3, 1)
    first = bitstring.encode()
    assert bitstring.encode() == first
    assert first.startswith("u")
    assert "=" not in first and "+" not in first and "/" not in first
    raw = base64.urlsafe_b64decode(first[1:] + "=" * (-len(first[1:]) % 4))
    assert raw[:2] == b"\x1f\x8b"
    assert raw[4:8] == b"\x00\x00\x00\x00"  # MTIME 0
    assert gzip.decompress(raw) == bitstring.to_bytes()  # readable by any GZIP implementation


# --- the spec's own example -------------------------------------------------------------------------


def test_decode_spec_example_gives_131072_zero_entries() -> None:
    decoded = Bitstring.decode(SPEC_EXAMPLE)
    assert decoded.length == 131_072
    assert decoded.status_size == 1
    assert decoded.to_bytes() == bytes(16 * 1024)
    assert decoded.get(0) == 0
    assert decoded.get(131_071) == 0


@pytest.mark.skipif(_ZLIB_NG, reason="zlib-ng deflates differently; byte equality needs classic zlib")
def test_encoding_an_empty_minimum_list_reproduces_the_spec_example() -> None:
    assert Bitstring().encode() == SPEC_EXAMPLE


# --- bit order (spec Section 2.2 and 7.1: index 0 is the left-most bit) ------------------------------


def test_index_0_is_the_most_significant_bit_of_the_first_byte() -> None:
    bitstring = Bitstring()
    bitstring.set(0, 1)
    data = bitstring.to_bytes()
    assert data[0] == 0x80
    assert data[1:] == bytes(len(data) - 1)
    assert Bitstring.decode(bitstring.encode()).to_bytes()[0] == 0x80


def test_index_7_is_the_least_significant_bit_of_the_first_byte() -> None:
    bitstring = Bitstring()
    bitstring.set(7, 1)
    assert bitstring.to_bytes()[0] == 0x01
    bitstring.set(8, 1)
    assert bitstring.to_bytes()[:2] == b"\x01\x80"


def test_last_index_is_the_least_significant_bit_of_the_last_byte() -> None:
    bitstring = Bitstring()
    bitstring.set(131_071, 1)
    data = bitstring.to_bytes()
    assert data[-1] == 0x01
    assert data[:-1] == bytes(len(data) - 1)
    decoded = Bitstring.decode(bitstring.encode())
    assert decoded.get(131_071) == 1
    assert decoded.get(131_070) == 0


def test_decode_reads_bits_written_by_another_gzip() -> None:
    data = bytearray(16 * 1024)
    data[0] = 0b1010_0000  # entries 0 and 2
    data[-1] = 0b0000_0001  # entry 131071
    decoded = Bitstring.decode(_encoded_bytes(bytes(data)))
    assert [i for i in range(decoded.length) if decoded.get(i)] == [0, 2, 131_071]


# --- DCC (Digital Credentials Consortium) fixtures ---------------------------------------------------


def test_dcc_lists_are_below_the_spec_minimum_and_refused_by_default() -> None:
    for encoded in (DCC_EMPTY_100K, DCC_100K_ONE_SET, DCC_FIXTURE_LIST):
        with pytest.raises(StatusListError, match=r"too short: 12,500 bytes hold 100,000 entries"):
            Bitstring.decode(encoded)


def test_dcc_empty_100k_list_decodes_with_an_ecosystem_lower_bound_and_re_encodes_identically() -> None:
    decoded = Bitstring.decode(DCC_EMPTY_100K, min_length=100_000)
    assert decoded.length == 100_000
    assert decoded.to_bytes() == bytes(12_500)
    if not _ZLIB_NG:
        assert decoded.encode() == DCC_EMPTY_100K  # same bytes as the DCC / Digital Bazaar encoder


def test_dcc_test_fixture_list_bits() -> None:
    decoded = Bitstring.decode(DCC_FIXTURE_LIST, min_length=100_000)
    assert decoded.length == 100_000
    assert [i for i in range(decoded.length) if decoded.get(i)] == [2, 6, 8]


def test_dcc_mock_list_bit_is_read_most_significant_bit_first() -> None:
    # The DCC name says "50Kth revoked"; the set byte is 6250 = 0x01, which in the spec's left-to-right
    # order is entry 50007 (6250 * 8 + 7). Reading it as entry 50000 would be the LSB-first bug.
    decoded = Bitstring.decode(DCC_100K_ONE_SET, min_length=100_000)
    assert decoded.to_bytes()[6250] == 0x01
    assert [i for i in range(decoded.length) if decoded.get(i)] == [50_007]


def test_dcc_tampered_fixture_is_refused() -> None:
    with pytest.raises(StatusListError, match="not valid base64url"):
        Bitstring.decode(DCC_TAMPERED, min_length=100_000)


# --- refusals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoded",
    [
        SPEC_EXAMPLE[1:],  # plain base64url, as in the older StatusList2021
        "z" + SPEC_EXAMPLE[1:],  # base58btc multibase prefix
        "U" + SPEC_EXAMPLE[1:],
        "",
    ],
)
def test_missing_u_prefix_is_refused(encoded: str) -> None:
    with pytest.raises(StatusListError, match="multibase prefix 'u'"):
        Bitstring.decode(encoded)


@pytest.mark.parametrize(
    ("encoded", "message"),
    [
        ("u", "nothing after the multibase prefix"),
        (SPEC_EXAMPLE + "=", "padding is not allowed"),
        ("u" + base64.b64encode(gzip.compress(bytes(16384), mtime=0)).decode(), "not base64url"),
        (SPEC_EXAMPLE[:20] + " " + SPEC_EXAMPLE[20:], "not base64url"),
        (SPEC_EXAMPLE[:20] + "é" + SPEC_EXAMPLE[20:], "not base64url"),
        ("uA", "cannot encode whole bytes"),
    ],
)
def test_invalid_base64url_is_refused(encoded: str, message: str) -> None:
    with pytest.raises(StatusListError, match=message):
        Bitstring.decode(encoded)


def test_non_string_is_refused() -> None:
    with pytest.raises(StatusListError, match="must be a string"):
        Bitstring.decode(SPEC_EXAMPLE.encode())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "raw",
    [
        bytes(16384),  # uncompressed
        zlib.compress(bytes(16384)),  # zlib wrapper, not GZIP
        b"\x1f",
    ],
)
def test_non_gzip_data_is_refused(raw: bytes) -> None:
    with pytest.raises(StatusListError, match="GZIP"):
        Bitstring.decode(_multibase(raw))


def test_truncated_gzip_is_refused() -> None:
    raw = gzip.compress(bytes(16384), mtime=0)
    with pytest.raises(StatusListError, match="truncated GZIP"):
        Bitstring.decode(_multibase(raw[:-8]))  # no CRC-32 / ISIZE trailer


def test_corrupt_gzip_crc_is_refused() -> None:
    raw = bytearray(gzip.compress(bytes(16384), mtime=0))
    raw[-8] ^= 0xFF  # CRC-32 no longer matches
    with pytest.raises(StatusListError, match="corrupt GZIP"):
        Bitstring.decode(_multibase(bytes(raw)))


def test_trailing_garbage_is_refused() -> None:
    raw = gzip.compress(bytes(16384), mtime=0) + b"junk"
    with pytest.raises(StatusListError, match="trailing bytes"):
        Bitstring.decode(_multibase(raw))


def test_multi_member_gzip_is_accepted() -> None:
    # RFC 1952: a GZIP file is a series of members; their outputs concatenate.
    first, second = bytearray(8192), bytearray(8192)
    first[0] = 0x80
    second[-1] = 0x01
    raw = gzip.compress(bytes(first), mtime=0) + gzip.compress(bytes(second), mtime=0)
    decoded = Bitstring.decode(_multibase(raw))
    assert [i for i in range(decoded.length) if decoded.get(i)] == [0, 131_071]


def test_too_short_list_is_refused() -> None:
    with pytest.raises(StatusListError, match=r"16,383 bytes hold 131,064 entries.*131,072 required"):
        Bitstring.decode(_encoded_bytes(bytes(16 * 1024 - 1)))
    with pytest.raises(StatusListError, match="too short"):
        Bitstring.decode(_encoded_bytes(b""))


def test_gzip_bomb_is_refused_quickly_without_allocating_it() -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    mebibyte = bytes(1024 * 1024)
    bomb = b"".join(compressor.compress(mebibyte) for _ in range(100)) + compressor.flush()
    assert len(bomb) < 200 * 1024  # 100 MiB of zeros in about 100 KiB
    encoded = _multibase(bomb)

    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(StatusListError, match="decompression bomb"):
            Bitstring.decode(encoded)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MAX_DECOMPRESSED_BYTES + 8 * 1024 * 1024  # the cap plus slack, nowhere near 100 MiB
    assert elapsed < 5


def test_decompression_cap_boundary() -> None:
    at_cap = _encoded_bytes(bytes(MAX_DECOMPRESSED_BYTES))
    assert Bitstring.decode(at_cap).length == MAX_DECOMPRESSED_BYTES * 8
    with pytest.raises(StatusListError, match="decompression bomb"):
        Bitstring.decode(_encoded_bytes(bytes(MAX_DECOMPRESSED_BYTES + 1)))


@pytest.mark.parametrize("status_size", [0, -1, 9, True, "1"])
def test_bad_status_size_in_decode_is_a_status_list_error(status_size: object) -> None:
    with pytest.raises(StatusListError, match="statusSize"):
        Bitstring.decode(SPEC_EXAMPLE, status_size)  # type: ignore[arg-type]


@pytest.mark.parametrize("min_length", [0, -5, True, 1.5])
def test_bad_min_length_is_refused(min_length: object) -> None:
    with pytest.raises(StatusListError, match="min_length"):
        Bitstring.decode(SPEC_EXAMPLE, min_length=min_length)  # type: ignore[arg-type]


def test_status_list_error_is_a_value_error() -> None:
    assert issubclass(StatusListError, ValueError)


# --- construction and bounds ------------------------------------------------------------------------


def test_constructor_refuses_lists_below_the_minimum() -> None:
    with pytest.raises(StatusListError, match=r"at least 131,072 entries"):
        Bitstring(131_071)


def test_constructor_refuses_lengths_that_do_not_fill_whole_bytes() -> None:
    with pytest.raises(StatusListError, match="multiple of 8"):
        Bitstring(MIN_LIST_LENGTH + 1)
    with pytest.raises(StatusListError, match="multiple of 8"):
        Bitstring(MIN_LIST_LENGTH + 1, status_size=3)


def test_constructor_refuses_lists_beyond_the_decode_cap() -> None:
    with pytest.raises(StatusListError, match="cap"):
        Bitstring(MAX_DECOMPRESSED_BYTES * 8 + 8)


@pytest.mark.parametrize(("args", "error"), [((True,), TypeError), ((131_072.0,), TypeError)])
def test_constructor_type_checks(args: tuple[object, ...], error: type[Exception]) -> None:
    with pytest.raises(error):
        Bitstring(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize("status_size", [0, 9])
def test_constructor_refuses_bad_status_size(status_size: int) -> None:
    with pytest.raises(ValueError, match="statusSize"):
        Bitstring(status_size=status_size)


@pytest.mark.parametrize("index", [-1, 131_072, 10**12])
def test_out_of_range_index_raises_index_error(index: int) -> None:
    bitstring = Bitstring()
    with pytest.raises(IndexError, match=r"out of range: this list has 131,072 entries \(0 to 131,071\)"):
        bitstring.get(index)
    with pytest.raises(IndexError, match="out of range"):
        bitstring.set(index, 1)


@pytest.mark.parametrize("index", ["5", 5.0, True, None])
def test_non_int_index_raises_type_error(index: object) -> None:
    with pytest.raises(TypeError, match="index must be an int"):
        Bitstring().get(index)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [2, -1, 255])
def test_value_too_wide_for_one_bit_raises_value_error(value: int) -> None:
    with pytest.raises(ValueError, match=r"does not fit in 1 bit \(allowed: 0 to 1\)"):
        Bitstring().set(0, value)


def test_non_int_value_raises_type_error() -> None:
    with pytest.raises(TypeError, match="status value must be an int"):
        Bitstring().set(0, "1")  # type: ignore[arg-type]


# --- statusSize 2 -----------------------------------------------------------------------------------


def test_status_size_2_layout_and_round_trip() -> None:
    bitstring = Bitstring(status_size=2)
    assert bitstring.length == MIN_LIST_LENGTH
    assert len(bitstring.to_bytes()) == 32 * 1024
    bitstring.set(0, 0b10)  # first entry, its first bit is the value's high bit
    bitstring.set(3, 0b01)  # fourth entry, the last two bits of byte 0
    bitstring.set(MIN_LIST_LENGTH - 1, 0b11)
    data = bitstring.to_bytes()
    assert data[0] == 0b1000_0001
    assert data[-1] == 0b0000_0011

    decoded = Bitstring.decode(bitstring.encode(), status_size=2)
    assert decoded.status_size == 2
    assert decoded.length == MIN_LIST_LENGTH
    assert [decoded.get(i) for i in (0, 1, 2, 3, MIN_LIST_LENGTH - 1)] == [2, 0, 0, 1, 3]

    bitstring.set(0, 0b01)
    assert bitstring.to_bytes()[0] == 0b0100_0001
    with pytest.raises(ValueError, match=r"does not fit in 2 bits \(allowed: 0 to 3\)"):
        bitstring.set(1, 4)


def test_status_size_2_minimum_counts_entries_not_bits() -> None:
    # Validate Algorithm step 9: the bitstring length divided by statusSize must reach the minimum.
    with pytest.raises(StatusListError, match="65,536 entries of 2 bits"):
        Bitstring.decode(SPEC_EXAMPLE, status_size=2)


def test_status_size_3_entries_cross_byte_boundaries() -> None:
    bitstring = Bitstring(status_size=3)
    bitstring.set(2, 0b101)  # bits 6, 7, 8: spans byte 0 and byte 1
    assert bitstring.to_bytes()[:2] == b"\x02\x80"
    assert bitstring.get(2) == 5
    decoded = Bitstring.decode(bitstring.encode(), status_size=3)
    assert decoded.get(2) == 5
    assert decoded.get(1) == decoded.get(3) == 0


def test_struct_trailer_matches_gzip_module() -> None:
    # Our hand-built GZIP member decodes with the standard library and carries CRC-32 and ISIZE.
    bitstring = Bitstring()
    bitstring.set(1000, 1)
    encoded = bitstring.encode()
    raw = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    crc, size = struct.unpack("<II", raw[-8:])
    assert crc == zlib.crc32(bitstring.to_bytes())
    assert size == 16 * 1024

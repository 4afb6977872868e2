import base64
import hashlib
import os

from scloud_cli.checksum import MIB, candidate_part_sizes, composite, file_matches, part_count_of


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_candidates_cut_the_file_into_exactly_the_named_part_count():
    size = 40 * MIB + 7
    candidates = candidate_part_sizes(size, 3)
    assert candidates[0] == 16 * MIB  # the service's default first
    assert all(2 * p < size <= 3 * p for p in candidates)
    assert candidate_part_sizes(size, 1) == [size]
    assert candidate_part_sizes(3 * MIB, 2) == []  # parts are at least 5 MiB


def test_a_file_matches_its_composite_checksum_at_an_uncommon_part_size(tmp_path):
    data = os.urandom(13 * MIB + 5)
    path = tmp_path / "f"
    path.write_bytes(data)
    part = 6 * MIB
    expected = composite(sha256_b64(data[i : i + part]) for i in range(0, len(data), part))
    assert part_count_of(expected) == 3
    assert file_matches(path, expected)
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    assert not file_matches(path, expected)


def test_a_whole_file_checksum_is_compared_directly(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    assert part_count_of(sha256_b64(b"abc")) is None
    assert file_matches(path, sha256_b64(b"abc")) and not file_matches(path, sha256_b64(b"abd"))


def test_a_recorded_part_size_verifies_a_composite_no_guess_would_find(tmp_path):
    part = 5 * MIB + 1234  # not a whole number of MiB, nor the smallest size that makes 3 parts
    data = os.urandom(3 * part - 100)
    path = tmp_path / "f"
    path.write_bytes(data)
    expected = composite(sha256_b64(data[i : i + part]) for i in range(0, len(data), part))
    assert part not in candidate_part_sizes(len(data), 3)
    assert not file_matches(path, expected)
    assert file_matches(path, expected, part_size=part)
    assert not file_matches(path, expected, part_size=part + 1)

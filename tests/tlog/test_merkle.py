"""RFC 6962 tree hashing and proofs: published vectors, properties, and the stored-node path."""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coparent.tlog.merkle import (
    EMPTY_ROOT,
    Frontier,
    GetNode,
    ProofError,
    RootStream,
    consistency_proof,
    consistency_proof_from_nodes,
    consistency_proof_nodes,
    frontier_append,
    inclusion_proof,
    inclusion_proof_from_nodes,
    inclusion_proof_nodes,
    leaf_hash,
    node_hash,
    root_from_inclusion_proof,
    root_from_leaf_hashes,
    root_from_nodes,
    verify_consistency,
    verify_inclusion,
)

h = bytes.fromhex

# RFC 6962 reference leaves and roots, from transparency-dev/merkle proof/verify_test.go
# (commit 02194e9afb6c1d95b5381350007963aa70fff472), the same data as the CT C++ and
# certificate-transparency-go merkletree tests.
CT_LEAVES = [
    b"",
    h("00"),
    h("10"),
    h("2021"),
    h("3031"),
    h("40414243"),
    h("5051525354555657"),
    h("606162636465666768696a6b6c6d6e6f"),
]
CT_ROOTS = [
    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    h("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    h("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
    h("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
    h("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
    h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
]
# (leaf index, tree size, proof); the Go file numbers leaves from 1, these from 0.
CT_INCLUSION = [
    (0, 1, []),
    (
        0,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        5,
        8,
        [
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (2, 3, [h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
    (
        1,
        5,
        [
            h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
]
# (old size, new size, proof), same source.
CT_CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (
        2,
        5,
        [
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
    (
        6,
        7,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
]
CT_HASHES = [leaf_hash(leaf) for leaf in CT_LEAVES]
SOME_HASH = h("abacaba000000000000000000000000000000000000000000060061e00123456")


def leaves(n: int) -> list[bytes]:
    return [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]


@cache
def stored_tree(n: int) -> tuple[dict[tuple[int, int], bytes], tuple[Frontier, ...]]:
    """All nodes of a tree of n leaves built by frontier_append, and every frontier on the way."""
    nodes: dict[tuple[int, int], bytes] = {}
    frontiers = [Frontier()]
    for lh in leaves(n):
        frontier, new = frontier_append(frontiers[-1], lh)
        for level, index, value in new:
            assert (level, index) not in nodes
            nodes[level, index] = value
        frontiers.append(frontier)
    return nodes, tuple(frontiers)


def getter(nodes: dict[tuple[int, int], bytes]) -> GetNode:
    return lambda level, index: nodes[level, index]


def test_rfc6962_hasher_vectors() -> None:
    # transparency-dev/merkle rfc6962/rfc6962_test.go
    assert h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == EMPTY_ROOT
    assert leaf_hash(b"") == h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
    assert leaf_hash(b"L123456") == h(
        "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    )
    assert node_hash(b"N123", b"N456") == h(
        "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"
    )


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_the_ct_reference_roots(size: int) -> None:
    assert root_from_leaf_hashes(CT_HASHES[:size]) == CT_ROOTS[size - 1]
    nodes, frontiers = stored_tree_of(CT_HASHES)
    assert frontiers[size].root() == CT_ROOTS[size - 1]
    assert root_from_nodes(getter(nodes), size) == CT_ROOTS[size - 1]


def stored_tree_of(hashes: list[bytes]) -> tuple[dict[tuple[int, int], bytes], list[Frontier]]:
    nodes: dict[tuple[int, int], bytes] = {}
    frontiers = [Frontier()]
    for lh in hashes:
        frontier, new = frontier_append(frontiers[-1], lh)
        nodes.update({(level, index): value for level, index, value in new})
        frontiers.append(frontier)
    return nodes, frontiers


@pytest.mark.parametrize(("index", "size", "proof"), CT_INCLUSION)
def test_inclusion_proofs_match_the_ct_vectors(index: int, size: int, proof: list[bytes]) -> None:
    assert inclusion_proof(CT_HASHES, index, size) == proof
    nodes, _ = stored_tree_of(CT_HASHES)
    assert inclusion_proof_from_nodes(getter(nodes), index, size) == proof
    root = CT_ROOTS[size - 1]
    verify_inclusion(CT_HASHES[index], index, size, proof, root)
    for probe in corrupt_inclusion(index, size, proof, root, CT_HASHES[index]):
        with pytest.raises(ProofError):
            verify_inclusion(*probe)


def corrupt_inclusion(
    index: int, size: int, proof: list[bytes], root: bytes, lh: bytes
) -> list[tuple[bytes, int, int, list[bytes], bytes]]:
    """The corruptions of transparency-dev/merkle's corruptInclusionProof."""
    probes = [
        (lh, index - 1, size, proof, root),
        (lh, index + 1, size, proof, root),
        (lh, index ^ 2, size, proof, root),
        (lh, index, size * 2, proof, root),
        (lh, index, size // 2, proof, root),
        (b"WrongLeaf", index, size, proof, root),
        (lh, index, size, proof, EMPTY_ROOT),
        (lh, index, size, proof, SOME_HASH),
        (lh, index, size, [*proof, b""], root),
        (lh, index, size, [*proof, root], root),
        (lh, index, size, [b"", *proof], root),
        (lh, index, size, [root, *proof], root),
    ]
    for i in range(len(proof)):
        wrong = list(proof)
        wrong[i] = bytes([wrong[i][0] ^ 8]) + wrong[i][1:]
        probes.append((lh, index, size, wrong, root))
    if proof:
        probes.append((lh, index, size, proof[:-1], root))
    if len(proof) > 1:
        probes.append((lh, index, size, [proof[0], SOME_HASH, *proof[1:]], root))
    return probes


@pytest.mark.parametrize(("old", "new", "proof"), CT_CONSISTENCY)
def test_consistency_proofs_match_the_ct_vectors(old: int, new: int, proof: list[bytes]) -> None:
    assert consistency_proof(CT_HASHES, old, new) == proof
    nodes, _ = stored_tree_of(CT_HASHES)
    assert consistency_proof_from_nodes(getter(nodes), old, new) == proof
    old_root, new_root = CT_ROOTS[old - 1], CT_ROOTS[new - 1]
    verify_consistency(old, new, old_root, new_root, proof)
    if not proof:
        return
    probes = [
        (old - 1, new, old_root, new_root, proof),
        (old + 1, new, old_root, new_root, proof),
        (old ^ 2, new, old_root, new_root, proof),
        (old, new * 2, old_root, new_root, proof),
        (old, new // 2, old_root, new_root, proof),
        (old, new, SOME_HASH, new_root, proof),
        (old, new, old_root, SOME_HASH, proof),
        (old, new, new_root, old_root, proof),
        (old, new, old_root, new_root, []),
        (old, new, old_root, new_root, [*proof, old_root]),
        (old, new, old_root, new_root, [*proof, new_root]),
        (old, new, old_root, new_root, [old_root, *proof]),
        (old, new, old_root, new_root, [proof[0], *proof]),
        (old, new, old_root, new_root, proof[:-1]),
    ]
    for i in range(len(proof)):
        wrong = list(proof)
        wrong[i] = bytes([wrong[i][0] ^ 16]) + wrong[i][1:]
        probes.append((old, new, old_root, new_root, wrong))
    for probe in probes:
        with pytest.raises(ProofError):
            verify_consistency(*probe)


def test_consistency_edge_cases_follow_the_reference() -> None:
    # transparency-dev/merkle TestVerifyConsistency: the always-consistent and the bad cases.
    a, b = leaf_hash(b"a"), leaf_hash(b"b")
    verify_consistency(0, 0, a, a, [])
    verify_consistency(0, 1, a, b, [])
    verify_consistency(1, 1, b, b, [])
    for args in [
        (0, 0, a, b, []),
        (1, 1, a, b, []),
        (1, 0, a, b, []),
        (2, 1, a, b, []),
        (1, 2, a, b, []),
        (0, 0, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT]),
        (0, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT]),
        (1, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT]),
    ]:
        with pytest.raises(ProofError):
            verify_consistency(*args)


def test_inclusion_rejects_impossible_positions() -> None:
    for index, size in [(0, 0), (1, 0), (2, 1), (-1, 4)]:
        with pytest.raises(ProofError):
            verify_inclusion(SOME_HASH, index, size, [], SOME_HASH)
    lh = leaf_hash(b"data")
    verify_inclusion(lh, 0, 1, [], lh)
    with pytest.raises(ProofError):
        verify_inclusion(lh, 0, 1, [], b"")


def test_a_real_certificate_transparency_log_verifies() -> None:
    # Argon 2020 responses, as used by Go's sumdb/tlog ct_test.go: a 30-hash audit path in a
    # tree of 961,984,013 leaves, and a consistency proof from size 3,654,490.
    data = json.loads((Path(__file__).parent / "data" / "argon2020.json").read_text())
    b64 = base64.b64decode
    size, root = data["sth"]["tree_size"], b64(data["sth"]["sha256_root_hash"])
    leaf = leaf_hash(b64(data["entry"]["leaf_input"]))
    path = [b64(x) for x in data["proof"]["audit_path"]]
    verify_inclusion(leaf, data["proof"]["leaf_index"], size, path, root)
    with pytest.raises(ProofError):
        verify_inclusion(leaf, 10001, size, path, root)
    old = data["consistency_first"]
    old_root = b64(data["consistency_first_root"])
    proof = [b64(x) for x in data["consistency"]["consistency"]]
    verify_consistency(old, size, old_root, root, proof)
    with pytest.raises(ProofError):
        verify_consistency(old + 1, size, old_root, root, proof)


def test_every_inclusion_and_consistency_proof_up_to_64_verifies() -> None:
    hashes = leaves(64)
    roots = [root_from_leaf_hashes(hashes[:n]) for n in range(65)]
    for n in range(1, 65):
        for i in range(n):
            verify_inclusion(hashes[i], i, n, inclusion_proof(hashes, i, n), roots[n])
        for m in range(n + 1):
            verify_consistency(m, n, roots[m], roots[n], consistency_proof(hashes, m, n))


def test_node_based_computations_equal_the_naive_ones_up_to_70() -> None:
    hashes = leaves(70)
    nodes, frontiers = stored_tree(70)
    get = getter(nodes)
    for n in range(71):
        root = root_from_leaf_hashes(hashes[:n])
        assert frontiers[n].root() == root
        assert root_from_nodes(get, n) == root
        assert Frontier.from_nodes(get, n) == frontiers[n]
        assert Frontier.from_blob(n, frontiers[n].to_blob()) == frontiers[n]
        for i in range(n):
            assert inclusion_proof_from_nodes(get, i, n) == inclusion_proof(hashes, i, n)
        for m in range(n + 1):
            assert consistency_proof_from_nodes(get, m, n) == consistency_proof(hashes, m, n)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 40), max_size=12))
def test_extending_in_runs_of_any_size_is_appending_each(runs: list[int]) -> None:
    """The verifier adds a run of leaves at a time, a level of the tree at a time."""
    hashes = [leaf_hash(i.to_bytes(4, "big")) for i in range(sum(runs))]
    one_by_one, in_runs = RootStream(), RootStream()
    for leaf in hashes:
        one_by_one.append(leaf)
    start = 0
    for run in runs:
        in_runs.extend(hashes[start : start + run])
        start += run
        assert in_runs.size == start
    assert in_runs.root() == one_by_one.root() == root_from_leaf_hashes(hashes)
    in_runs.append(leaf_hash(b"next"))
    one_by_one.append(leaf_hash(b"next"))
    assert in_runs.root() == one_by_one.root()


def test_append_reports_each_completed_node_once() -> None:
    nodes, _ = stored_tree(70)
    # A tree of n leaves has exactly 2n - popcount(n) complete subtrees.
    assert len(nodes) == 2 * 70 - (70).bit_count()
    assert nodes[6, 0] == root_from_leaf_hashes(leaves(64))


def test_append_is_logarithmic_in_what_it_reads() -> None:
    frontier = Frontier()
    for lh in leaves(1000):
        frontier, new = frontier_append(frontier, lh)
        assert len(frontier.hashes) <= 10
        assert len(new) <= 11


def flip_bit(value: bytes, bit: int) -> bytes:
    bit %= len(value) * 8
    out = bytearray(value)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


@st.composite
def tree_and_index(draw: st.DrawFn, max_size: int = 2000) -> tuple[int, int]:
    n = draw(st.integers(1, max_size))
    return n, draw(st.integers(0, n - 1))


@settings(max_examples=80, deadline=None)
@given(tree_and_index(), st.integers(0, 10**6), st.sampled_from(["proof", "root", "leaf", "index"]))
def test_flipping_any_bit_breaks_an_inclusion_proof(
    case: tuple[int, int], bit: int, target: str
) -> None:
    n, i = case
    hashes = leaves(n)
    root = root_from_leaf_hashes(hashes)
    proof = inclusion_proof(hashes, i, n)
    verify_inclusion(hashes[i], i, n, proof, root)
    leaf, index = hashes[i], i
    if target == "proof" and proof:
        k = bit % len(proof)
        proof[k] = flip_bit(proof[k], bit // len(proof))
    elif target == "root":
        root = flip_bit(root, bit)
    elif target == "leaf" or n == 1:
        leaf = flip_bit(leaf, bit)
    else:
        index = i ^ (1 << (bit % n.bit_length()))
    with pytest.raises(ProofError):
        verify_inclusion(leaf, index, n, proof, root)


# A proof does not carry the tree size: the signed checkpoint binds size and root together.
# So a changed size is checked the way a verifier meets it, against that size's real root.
@settings(max_examples=60, deadline=None)
@given(tree_and_index(), st.integers(0, 10**6))
def test_a_changed_tree_size_breaks_an_inclusion_proof(case: tuple[int, int], bit: int) -> None:
    n, i = case
    size = n ^ (1 << (bit % (n.bit_length() + 1)))
    hashes = leaves(max(n, size))
    proof = inclusion_proof(hashes, i, n)
    with pytest.raises(ProofError):
        verify_inclusion(hashes[i], i, size, proof, root_from_leaf_hashes(hashes[:size]))


@settings(max_examples=80, deadline=None)
@given(tree_and_index(), st.integers(0, 10**6), st.sampled_from(["proof", "old", "new", "size"]))
def test_flipping_any_bit_breaks_a_consistency_proof(
    case: tuple[int, int], bit: int, target: str
) -> None:
    n, m = case[0] + 1, min(case[1] + 1, case[0])
    hashes = leaves(n)
    old_root, new_root = root_from_leaf_hashes(hashes[:m]), root_from_leaf_hashes(hashes)
    proof = consistency_proof(hashes, m, n)
    verify_consistency(m, n, old_root, new_root, proof)
    old_size, new_size = m, n
    if target == "proof":
        k = bit % len(proof)
        proof[k] = flip_bit(proof[k], bit // len(proof))
    elif target == "old":
        old_root = flip_bit(old_root, bit)
    elif target == "new":
        new_root = flip_bit(new_root, bit)
    else:
        if bit % 2:
            old_size = m ^ (1 << (bit // 2 % m.bit_length()))
        else:
            new_size = n ^ (1 << (bit // 2 % (n.bit_length() + 1)))
        more = leaves(max(old_size, new_size))
        old_root = root_from_leaf_hashes(more[:old_size])
        new_root = root_from_leaf_hashes(more[:new_size])
    with pytest.raises(ProofError):
        verify_consistency(old_size, new_size, old_root, new_root, proof)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3000), st.data())
def test_stored_nodes_agree_with_naive_proofs_in_larger_trees(n: int, data: st.DataObject) -> None:
    hashes = leaves(n)
    nodes, frontier = stored_tree_of(hashes)
    get = getter(nodes)
    i = data.draw(st.integers(0, n - 1))
    m = data.draw(st.integers(0, n))
    assert root_from_nodes(get, n) == root_from_leaf_hashes(hashes) == frontier[-1].root()
    assert inclusion_proof_from_nodes(get, i, n) == inclusion_proof(hashes, i, n)
    assert consistency_proof_from_nodes(get, m, n) == consistency_proof(hashes, m, n)


def test_proof_generation_rejects_bad_sizes() -> None:
    hashes = leaves(4)
    for args in [(4, 4), (0, 5), (-1, 3)]:
        with pytest.raises(ProofError):
            inclusion_proof(hashes, *args)
    with pytest.raises(ProofError):
        consistency_proof(hashes, 3, 2)
    with pytest.raises(ValueError, match="holds"):
        Frontier(3, (SOME_HASH,))


def test_root_from_inclusion_proof_is_the_tree_root() -> None:
    hashes = leaves(13)
    root = root_from_leaf_hashes(hashes)
    for i in range(13):
        assert root_from_inclusion_proof(hashes[i], i, 13, inclusion_proof(hashes, i, 13)) == root
    assert hashlib.sha256(b"").digest() == root_from_leaf_hashes([])


def test_the_nodes_a_proof_needs_can_be_fetched_in_one_go() -> None:
    hashes = leaves(45)
    nodes, _ = stored_tree(45)
    for n in (1, 2, 7, 32, 45):
        for i in range(n):
            wanted = inclusion_proof_nodes(i, n)
            assert len(wanted) <= 2 * n.bit_length()
            fetched = {key: nodes[key] for key in wanted}
            assert inclusion_proof_from_nodes(getter(fetched), i, n) == inclusion_proof(
                hashes, i, n
            )
        for m in range(n + 1):
            fetched = {key: nodes[key] for key in consistency_proof_nodes(m, n)}
            assert consistency_proof_from_nodes(getter(fetched), m, n) == consistency_proof(
                hashes, m, n
            )

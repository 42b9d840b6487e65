"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their verification.

Two ways to compute the same values: the naive functions take every leaf hash (for tests and
offline verification), the `*_from_nodes` functions read stored subtree hashes through a
`get_node(level, index)` callback so a server never needs all leaves in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import add

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
_DIGEST = type(hashlib.sha256()).digest  # the method itself: no name looked up on each call

type GetNode = Callable[[int, int], bytes]
"""`get_node(level, index)`: hash of the complete subtree over leaves [index*2^L, (index+1)*2^L)."""

type NewNode = tuple[int, int, bytes]
"""(level, index, hash) of a subtree that an append has just completed."""


class ProofError(ValueError):
    """A proof is malformed or does not prove what it claims."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """Largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class RootStream:
    """MTH(D[n]) over leaf hashes given one at a time, holding one hash per set bit of n:
    a million-entry record is checked in constant memory."""

    __slots__ = ("_stack", "size")

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[bytes] = []

    def append(self, leaf_hash: bytes) -> None:
        stack, h = self._stack, leaf_hash
        self.size += 1
        size = self.size
        while not size & 1:
            h = hashlib.sha256(b"\x01" + stack.pop() + h).digest()
            size >>= 1
        stack.append(h)

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """`append` of each hash, a level of the tree at a time: each level's pairs are hashed
        in one pass of C calls, with no Python step per node (a verifier adds a million)."""
        stack, size, sha256 = self._stack, self.size, hashlib.sha256
        nodes = list(leaf_hashes)
        self.size = size + len(nodes)
        unpaired: list[bytes] = []  # the last node of a level with an odd count, lowest first
        while nodes:
            # An odd count of nodes before these on this level leaves the last of them on top
            # of the stack (the levels below are off it by now): the first one's left sibling.
            if size & 1:
                nodes.insert(0, stack.pop())
            if len(nodes) & 1:
                unpaired.append(nodes.pop())
            lefts = map(add, repeat(b"\x01"), nodes[0::2])
            nodes = list(map(_DIGEST, map(sha256, map(add, lefts, nodes[1::2]))))
            size >>= 1
        stack.extend(reversed(unpaired))

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        stack = self._stack
        root = stack[-1]
        for left in reversed(stack[:-1]):
            root = node_hash(left, root)
        return root


def root_from_leaf_hashes(hashes: Iterable[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes, computed bottom-up in O(n) with an O(log n) stack."""
    stream = RootStream()
    for h in hashes:
        stream.append(h)
    return stream.root()


def _check_sizes(index: int, size: int) -> None:
    if index < 0 or size < 0 or index >= size:
        raise ProofError(f"index {index} is outside a tree of size {size}")


def inclusion_proof(hashes: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 section 2.1.3.1, over the first `size` leaf hashes."""
    if size > len(hashes):
        raise ProofError(f"tree of size {size} but only {len(hashes)} leaves")
    _check_sizes(index, size)
    return _path(index, list(hashes[:size]))


def _path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*_path(m, leaves[:k]), root_from_leaf_hashes(leaves[k:])]
    return [*_path(m - k, leaves[k:]), root_from_leaf_hashes(leaves[:k])]


def consistency_proof(hashes: Sequence[bytes], old_size: int, new_size: int) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 section 2.1.4.1; empty when m is 0 or m == n."""
    if not 0 <= old_size <= new_size <= len(hashes):
        raise ProofError(f"no consistency proof from size {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    return _subproof(old_size, list(hashes[:new_size]), complete=True)


def _subproof(m: int, leaves: list[bytes], *, complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [root_from_leaf_hashes(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete=complete), root_from_leaf_hashes(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], complete=False), root_from_leaf_hashes(leaves[:k])]


def _check_hashes(*hashes: bytes) -> None:
    for h in hashes:
        if len(h) != HASH_SIZE:
            raise ProofError(f"hash of {len(h)} bytes, expected {HASH_SIZE}")


def root_from_inclusion_proof(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]
) -> bytes:
    """Steps 1-4 of RFC 9162 section 2.1.3.2: the root that `proof` leads to."""
    _check_sizes(index, size)
    _check_hashes(leaf_hash, *proof)
    fn, sn = index, size - 1
    r = leaf_hash
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    return r


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 section 2.1.3.2. Returns None when the proof holds, raises ProofError otherwise."""
    _check_hashes(root)
    if root_from_inclusion_proof(leaf_hash, index, size, proof) != root:
        raise ProofError("inclusion proof does not lead to the root hash")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 section 2.1.4.2. Returns None when the proof holds, raises ProofError otherwise.

    The RFC covers 0 < old_size < new_size; the edge cases follow the CT reference code: an
    empty tree is a prefix of every tree, and equal sizes need equal roots and an empty proof.
    """
    _check_hashes(old_root, new_root, *proof)
    if old_size < 0 or old_size > new_size:
        raise ProofError(f"size {old_size} cannot precede size {new_size}")
    if old_size == new_size:
        if proof:
            raise ProofError("consistency proof between equal sizes must be empty")
        if old_root != new_root:
            raise ProofError("same tree size with different root hashes")
        return
    if old_size == 0:
        if proof:
            raise ProofError("consistency proof from the empty tree must be empty")
        return
    # Step 1.
    if not proof:
        raise ProofError("consistency proof is empty")
    path = list(proof)
    # Step 2.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    # Steps 3 and 4.
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # Step 5.
    fr = sr = path[0]
    # Step 6.
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    # Step 7.
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != old_root:
        raise ProofError("consistency proof does not lead to the old root hash")
    if sr != new_root:
        raise ProofError("consistency proof does not lead to the new root hash")


# Stored subtree hashes ("tiles-like"): node (level, index) covers leaves
# [index * 2**level, (index + 1) * 2**level) and exists only once all those leaves are logged.


def _range_nodes(start: int, end: int) -> list[tuple[int, int]]:
    """The stored nodes (level, index) that make up MTH(D[start:end]) for a subtree of the
    RFC 6962 tree: start is aligned to the smallest power of two >= end - start, so the range
    splits into complete subtrees of decreasing size."""
    size = end - start
    if size <= 0:
        raise ProofError("empty range")
    if size & (size - 1) == 0:
        return [(size.bit_length() - 1, start // size)]
    nodes: list[tuple[int, int]] = []
    cursor = start
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            nodes.append((level, cursor >> level))
            cursor += 1 << level
    return nodes


def _range_hash(get_node: GetNode, start: int, end: int) -> bytes:
    """MTH(D[start:end]) from the stored nodes `_range_nodes` names."""
    parts = [get_node(level, index) for level, index in _range_nodes(start, end)]
    h = parts.pop()
    while parts:
        h = node_hash(parts.pop(), h)
    return h


def root_from_nodes(get_node: GetNode, size: int) -> bytes:
    if size < 0:
        raise ProofError(f"negative tree size {size}")
    return EMPTY_ROOT if size == 0 else _range_hash(get_node, 0, size)


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes make up PATH(index, D[size]), from the root down."""
    _check_sizes(index, size)
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    return ranges


def inclusion_proof_from_nodes(get_node: GetNode, index: int, size: int) -> list[bytes]:
    """Same result as `inclusion_proof`, reading O(log n) stored nodes."""
    proof = [_range_hash(get_node, start, end) for start, end in _inclusion_ranges(index, size)]
    proof.reverse()
    return proof


def consistency_proof_from_nodes(get_node: GetNode, old_size: int, new_size: int) -> list[bytes]:
    """Same result as `consistency_proof`, reading O(log n) stored nodes."""
    if not 0 <= old_size <= new_size:
        raise ProofError(f"no consistency proof from size {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    proof: list[bytes] = []
    lo, hi, m, complete = 0, new_size, old_size, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            proof.append(_range_hash(get_node, lo + k, hi))
            hi = lo + k
        else:
            proof.append(_range_hash(get_node, lo, lo + k))
            lo += k
            m -= k
            complete = False
    if not complete:
        proof.append(_range_hash(get_node, lo, hi))
    proof.reverse()
    return proof


@dataclass(frozen=True)
class Frontier:
    """The right edge of a tree: one complete subtree hash per set bit of `size`, largest
    (leftmost) first. Enough to append a leaf and compute the new root in O(log n)."""

    size: int = 0
    hashes: tuple[bytes, ...] = ()

    def __post_init__(self) -> None:
        if self.size < 0 or len(self.hashes) != self.size.bit_count():
            raise ValueError(f"a frontier of size {self.size} holds {self.size.bit_count()} hashes")
        _check_hashes(*self.hashes)

    def levels(self) -> list[int]:
        return [lv for lv in range(self.size.bit_length() - 1, -1, -1) if self.size >> lv & 1]

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        h = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            h = node_hash(left, h)
        return h

    def to_blob(self) -> bytes:
        """The hashes concatenated, for a binary column next to the tree size."""
        return b"".join(self.hashes)

    @classmethod
    def from_blob(cls, size: int, blob: bytes) -> Frontier:
        if len(blob) % HASH_SIZE:
            raise ValueError("frontier blob is not a whole number of hashes")
        return cls(size, tuple(blob[i : i + HASH_SIZE] for i in range(0, len(blob), HASH_SIZE)))

    @classmethod
    def from_nodes(cls, get_node: GetNode, size: int) -> Frontier:
        """Rebuild the frontier of a tree of `size` leaves from stored nodes."""
        hashes: list[bytes] = []
        start = 0
        for level in range(size.bit_length() - 1, -1, -1):
            if size >> level & 1:
                hashes.append(get_node(level, start >> level))
                start += 1 << level
        return cls(size, tuple(hashes))


def frontier_append(frontier: Frontier, leaf_hash: bytes) -> tuple[Frontier, list[NewNode]]:
    """Append one leaf. Returns the new frontier and every node the append completed: the leaf
    itself at level 0, then one node per level merged (store them all to serve proofs)."""
    _check_hashes(leaf_hash)
    index = frontier.size
    new_nodes: list[NewNode] = [(0, index, leaf_hash)]
    stack = list(frontier.hashes)
    h, level = leaf_hash, 0
    while index >> level & 1:
        h = node_hash(stack.pop(), h)
        level += 1
        new_nodes.append((level, index >> level, h))
    stack.append(h)
    return Frontier(frontier.size + 1, tuple(stack)), new_nodes


def _recorded(compute: Callable[[GetNode], object]) -> list[tuple[int, int]]:
    wanted: list[tuple[int, int]] = []

    def record(level: int, index: int) -> bytes:
        wanted.append((level, index))
        return bytes(HASH_SIZE)

    compute(record)
    return wanted


def inclusion_proof_nodes(index: int, size: int) -> list[tuple[int, int]]:
    """The (level, index) nodes `inclusion_proof_from_nodes` reads, to fetch in one query
    (listed without hashing: a court report asks for thousands)."""
    return [
        node for start, end in _inclusion_ranges(index, size) for node in _range_nodes(start, end)
    ]


def consistency_proof_nodes(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The (level, index) nodes `consistency_proof_from_nodes` reads, to fetch in one query."""
    return _recorded(lambda get: consistency_proof_from_nodes(get, old_size, new_size))

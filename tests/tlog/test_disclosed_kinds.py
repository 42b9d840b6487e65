"""A disclosed kind's leaf field is one its kind declares, so the verifier checks content
against the hash that is really in the leaf (a typo would print content nobody checks)."""

from __future__ import annotations

from coparent.tlog import bundle, entry


def test_every_disclosed_kind_with_a_declared_shape_names_one_of_its_fields() -> None:
    for kind, (_name, leaf_field) in bundle.DISCLOSED.items():
        if kind in entry.KINDS:
            required, optional = entry.KINDS[kind]
            assert leaf_field in required | optional, (kind, leaf_field)

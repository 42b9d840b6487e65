from __future__ import annotations

from tests.cast import Cast


def ids(cast: Cast) -> dict[str, str]:
    from tests.passes.test_passes import issue

    pickup_pass = issue(cast, actor=cast.alice)  # no schedule: it waits for a co-signature
    gate, _token = _gate(cast)
    return {"pass_id": str(pickup_pass.public_id), "gate_id": str(gate.public_id)}


def _gate(cast: Cast):
    from coparent.passes import services

    return services.gate_create(
        family=cast.family_a, actor=cast.alice, name="Riverside School, main gate"
    )

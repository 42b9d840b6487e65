"""Two parents answering one request at the same moment, with real threads: exactly one
membership, and the record has no gap."""

from __future__ import annotations

import threading
import traceback

import pytest
from django.db import connection

from coparent.core.errors import ServiceError
from coparent.families import services
from coparent.families.models import AccessRequest, Membership
from coparent.records.models import LogEntry
from tests.cast import build_cast
from tests.workspace.helpers import ask, coordinator


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rule", ["one", "both"])
def test_two_parents_approving_at_once_make_one_membership(rule: str) -> None:
    cast = build_cast()
    services.family_policy_update(
        family=cast.family_a, actor=cast.alice, access_approval=rule, deletion_hold=False
    )
    pro = coordinator()
    request = ask(pro)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(user) -> None:
        try:
            found = AccessRequest.objects.get(pk=request.pk)
            barrier.wait()
            services.access_request_approve(family=cast.family_a, actor=user, request=found)
            outcomes.append("ok")
        except ServiceError as error:
            outcomes.append(error.message)
        except BaseException:
            outcomes.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (cast.alice, cast.bob)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Membership.objects.filter(family=cast.family_a, user=pro).count() == 1
    if rule == "both":
        assert outcomes == ["ok", "ok"], outcomes
    else:
        assert sorted(outcomes) == ["This request has already been answered.", "ok"], outcomes
    indexes = list(
        LogEntry.objects.filter(family=cast.family_a)
        .order_by("index")
        .values_list("index", flat=True)
    )
    assert indexes == list(range(len(indexes)))

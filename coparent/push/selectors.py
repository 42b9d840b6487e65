"""Reads of push subscriptions: always the asking user's own."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from coparent.accounts.models import User
from coparent.push.models import PushSubscription


def subscription_list(user: User) -> QuerySet[PushSubscription]:
    return PushSubscription.objects.filter(user=user)


def subscription_get(user: User, public_id: object) -> PushSubscription:
    """One of the user's subscriptions; someone else's answers the same 404 as a missing one."""
    try:
        parsed = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        raise Http404 from None
    found = PushSubscription.objects.filter(user=user, public_id=parsed).first()
    if found is None:
        raise Http404
    return found

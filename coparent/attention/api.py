"""GET /api/v1/attention: what waits for the caller, family by family, as on home."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from coparent.api.base import actor
from coparent.attention import selectors
from coparent.attention.registry import Item
from coparent.core.tenancy import NOT_FAMILY_SCOPED_API
from coparent.families.selectors import family_list_for_user

router = Router(tags=["attention"])


class AttentionItemOut(Schema):
    kind: str
    title: str
    detail: str
    link: str
    deadline: dt.datetime | None
    count: int
    answer: bool
    stands_for: int
    summary: bool


class AttentionFamilyOut(Schema):
    id: uuid.UUID
    name: str
    your_role: str
    count: int
    items: list[AttentionItemOut]


class AttentionOut(Schema):
    count: int
    families: list[AttentionFamilyOut]


def _item_out(item: Item) -> AttentionItemOut:
    return AttentionItemOut(
        kind=item.kind,
        title=item.title,
        detail=item.detail,
        link=item.link,
        deadline=item.deadline,
        count=item.count,
        answer=item.answer,
        stands_for=item.stands_for,
        summary=item.summary,
    )


@router.get(
    "/attention",
    response=AttentionOut,
    summary="What waits for you in each of your families",
    description=(
        "Per family: swap and schedule proposals to answer, passes to co-sign, unread "
        "conversations, today's and tomorrow's exchanges with their check-ins, invitations not "
        "yet accepted. Soonest deadline first; texts are written in your own time zone. `answer` "
        "is true for what waits for your answer (the `count`); `link` is the page where it is "
        "answered. An area lists at most five lines; one more line sums up the rest: its "
        "`summary` is true and its `stands_for` is how many it sums up (1 on every other "
        "line). Only the caller's own families are read, so it takes no family id."
    ),
    openapi_extra=NOT_FAMILY_SCOPED_API,
)
def attention(request: HttpRequest) -> AttentionOut:
    now = timezone.now()
    user = actor(request)
    families = []
    for membership in family_list_for_user(user):
        membership.user = user
        items = selectors.items_for(membership.family, membership, now)
        families.append(
            AttentionFamilyOut(
                id=membership.family.public_id,
                name=membership.family.name,
                your_role=membership.role,
                count=selectors.answer_count(items),
                items=[_item_out(item) for item in items],
            )
        )
    return AttentionOut(count=sum(f.count for f in families), families=families)

"""Reads of children's information, always as one member may see it: the item's visibility,
the kind's parents-only fields, and for a child's own account what a parent allowed."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from coparent.childinfo import kinds
from coparent.childinfo.models import InfoItem, InfoVersion
from coparent.families.models import Child, Family, Membership, Role


def visibility_filter(membership: Membership) -> Q | None:
    """The items this member may see (None: none at all)."""
    if membership.role == Role.PARENT:
        return Q()
    if membership.role == Role.CAREGIVER:
        return Q(visibility__in=[kinds.CAREGIVERS, kinds.FAMILY])
    if membership.role == Role.PROFESSIONAL:
        return Q(visibility=kinds.FAMILY)
    if membership.role == Role.CHILD and membership.child_id is not None:
        return Q(child_may_see=True, child_id=membership.child_id)
    return None


def child_list(family: Family, membership: Membership) -> list[Child]:
    """The children whose pages this member may open: a child's account sees only its own."""
    children = Child.objects.filter(family=family)
    if membership.role == Role.CHILD:
        children = children.filter(id=membership.child_id or 0)
    return list(children)


def child_queryset(family: Family, membership: Membership) -> QuerySet[Child]:
    children = Child.objects.filter(family=family)
    if membership.role == Role.CHILD:
        return children.filter(id=membership.child_id or 0)
    return children


def item_queryset(family: Family, membership: Membership, child: Child) -> QuerySet[InfoItem]:
    rule = visibility_filter(membership)
    items = InfoItem.objects.filter(family=family, child=child, removed_at__isnull=True)
    return items.none() if rule is None else items.filter(rule)


def levels_seen(membership: Membership) -> frozenset[str]:
    """The visibilities whose fields this member reads (a child's account: any field a parent
    did not keep to the parents, on items the child may see)."""
    if membership.role == Role.PARENT:
        return frozenset(kinds.VISIBILITIES)
    if membership.role in (Role.CAREGIVER, Role.CHILD):
        return frozenset({kinds.CAREGIVERS, kinds.FAMILY})
    if membership.role == Role.PROFESSIONAL:
        return frozenset({kinds.FAMILY})
    return frozenset()


@dataclass(frozen=True)
class Line:
    name: str
    label: str
    value: str
    level: str
    narrowed: bool  # seen by fewer people than the item


@dataclass(frozen=True)
class ShownItem:
    item: InfoItem
    title: str
    lines: list[Line]

    @property
    def details(self) -> list[Line]:
        """The lines under the title (the title is the kind's first field)."""
        first = self.item.spec.fields[0].name
        return [line for line in self.lines if line.name != first]

    @property
    def values(self) -> dict[str, str]:
        return {line.name: self.item.values[line.name] for line in self.lines}


def shown(item: InfoItem, membership: Membership) -> ShownItem:
    """The item as this member may read it: fields kept from them are left out."""
    spec = item.spec
    seen = levels_seen(membership)
    is_child = membership.role == Role.CHILD
    lines = []
    for f in spec.fields:
        if f.name not in item.values:
            continue
        level = spec.field_level(f.name, item.visibility, item.field_visibility)
        allowed = item.field_visibility.get(f.name) != kinds.PARENTS if is_child else level in seen
        if allowed:
            lines.append(
                Line(
                    f.name,
                    str(f.label),
                    kinds.display(f, item.values[f.name]),
                    level,
                    level != item.visibility,
                )
            )
    first = spec.fields[0].name
    title = next((line.value for line in lines if line.name == first), str(spec.label))
    return ShownItem(item=item, title=title, lines=lines)


def item_list(family: Family, membership: Membership, child: Child) -> list[ShownItem]:
    return [shown(i, membership) for i in item_queryset(family, membership, child)]


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    items: list[ShownItem]
    kinds: list[kinds.KindSpec]


def sections(items: list[ShownItem]) -> list[Section]:
    """The page's sections in their order, the items of each by kind then age."""
    order = {key: n for n, key in enumerate(kinds.KINDS)}
    by_section: dict[str, list[ShownItem]] = {key: [] for key, _label in kinds.SECTIONS}
    for found in sorted(items, key=lambda s: order[s.item.kind]):
        by_section[found.item.spec.section].append(found)
    return [
        Section(
            key,
            str(label),
            by_section[key],
            [spec for spec in kinds.KINDS.values() if spec.section == key],
        )
        for key, label in kinds.SECTIONS
    ]


def version_list(family: Family, child: Child) -> QuerySet[InfoVersion]:
    """Every version of every item of the child, newest first (parents only: old versions may
    have had another visibility)."""
    return InfoVersion.objects.filter(family=family, item__child=child).select_related(
        "item", "changed_by"
    )

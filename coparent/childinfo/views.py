"""Children's information pages: the children, one child's information in sections (allergies
and emergency contacts first, for the caregiver at the school gate), item forms, history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from coparent.childinfo import forms, kinds, selectors, services
from coparent.childinfo.models import InfoItem
from coparent.core.errors import ServiceError
from coparent.core.forms import add_service_error
from coparent.core.http import FamilyRequest
from coparent.core.tenancy import family_view, get_for_family
from coparent.families.models import Child, Role


def _child(request: FamilyRequest, child_id: str) -> Child:
    return get_for_family(
        selectors.child_queryset(request.family, request.membership),
        request.family,
        public_id=child_id,
    )


def _item(request: FamilyRequest, child: Child, item_id: str) -> InfoItem:
    return get_for_family(
        InfoItem.objects.filter(child=child, removed_at__isnull=True),
        request.family,
        public_id=item_id,
    )


@login_required
@family_view()
def children(request: FamilyRequest) -> HttpResponse:
    found = selectors.child_list(request.family, request.membership)
    if len(found) == 1 and not request.membership.is_parent:
        # One child and nothing to add: the caregiver at the gate is one tap from the allergies.
        return redirect("childinfo:child", request.family.public_id, found[0].public_id)
    return render(request, "childinfo/children.html", {"children": found})


@login_required
@family_view()
def child(request: FamilyRequest, child_id: str) -> HttpResponse:
    found = _child(request, child_id)
    items = selectors.item_list(request.family, request.membership, found)
    return render(
        request,
        "childinfo/child.html",
        {
            "child": found,
            "sections": selectors.sections(items),
            "empty": not items,
            "is_parent": request.membership.is_parent,
        },
    )


@login_required
@family_view(roles=[Role.PARENT], write=True)
def item_new(request: FamilyRequest, child_id: str, info_kind: str) -> HttpResponse:
    found = _child(request, child_id)
    spec = kinds.KINDS.get(info_kind)
    if spec is None:
        raise Http404
    form = forms.ItemForm(
        spec, request.POST or None, initial={"visibility": spec.default_visibility}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.item_create(
                family=request.family,
                actor=request.user,
                child=found,
                kind=spec.key,
                values=form.values(),
                visibility=form.cleaned_data["visibility"],
                field_visibility=form.field_visibility(),
                child_may_see=form.cleaned_data["child_may_see"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(_anchor(request, found, spec.section))
    return render(
        request,
        "childinfo/item_form.html",
        {"child": found, "form": form, "kind": spec, "item": None},
    )


def _anchor(request: FamilyRequest, found: Child, section: str) -> str:
    from django.urls import reverse

    return reverse("childinfo:child", args=[request.family.public_id, found.public_id]) + (
        f"#{section}"
    )


@login_required
@family_view(roles=[Role.PARENT], write=True)
def item_edit(request: FamilyRequest, child_id: str, item_id: str) -> HttpResponse:
    found = _child(request, child_id)
    item = _item(request, found, item_id)
    form = forms.ItemForm(
        item.spec,
        request.POST or None,
        item_values=item.values,
        field_visibility=item.field_visibility,
        initial={"visibility": item.visibility, "child_may_see": item.child_may_see},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(
                family=request.family,
                actor=request.user,
                item=item,
                values=form.values(),
                visibility=form.cleaned_data["visibility"],
                field_visibility=form.field_visibility(),
                child_may_see=form.cleaned_data["child_may_see"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(_anchor(request, found, item.spec.section))
    return render(
        request,
        "childinfo/item_form.html",
        {
            "child": found,
            "form": form,
            "kind": item.spec,
            "item": item,
            "versions": item.versions.select_related("changed_by")[:20],
        },
    )


@login_required
@family_view(roles=[Role.PARENT], write=True)
def item_remove(request: FamilyRequest, child_id: str, item_id: str) -> HttpResponse:
    found = _child(request, child_id)
    item = _item(request, found, item_id)
    if request.method == "POST":
        try:
            services.item_remove(family=request.family, actor=request.user, item=item)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Removed. Its earlier versions stay in the history and the record.")
            )
        return redirect(_anchor(request, found, item.spec.section))
    shown = selectors.shown(item, request.membership)
    return render(request, "childinfo/item_remove.html", {"child": found, "shown": shown})


@login_required
@family_view(roles=[Role.PARENT], write=True)
def activity_calendar(request: FamilyRequest, child_id: str, item_id: str) -> HttpResponse:
    found = _child(request, child_id)
    item = _item(request, found, item_id)
    if item.kind != "activity":
        raise Http404
    if request.method == "POST":
        try:
            added = services.activity_calendar_add(
                family=request.family, actor=request.user, item=item
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(n)d sessions are on the family calendar now.") % {"n": added},
            )
        return redirect(_anchor(request, found, "activities"))
    shown = selectors.shown(item, request.membership)
    return render(request, "childinfo/activity_calendar.html", {"child": found, "shown": shown})


@login_required
@family_view(roles=[Role.PARENT])
def history(request: FamilyRequest, child_id: str) -> HttpResponse:
    found = _child(request, child_id)
    versions = []
    for version in selectors.version_list(request.family, found)[:200]:
        spec = version.item.spec
        lines = [
            (str(f.label), kinds.display(f, version.values[f.name]))
            for f in spec.fields
            if f.name in version.values
        ]
        narrowed = [
            str(f.label)
            for f in spec.fields
            if f.name in version.values
            and spec.field_level(f.name, version.visibility, version.field_visibility)
            != version.visibility
        ]
        versions.append((version, spec, spec.title(version.values), lines, narrowed))
    return render(request, "childinfo/history.html", {"child": found, "versions": versions})

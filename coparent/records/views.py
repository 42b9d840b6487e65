"""The record page (checkpoint, how to verify, export) and the published verifier key."""

from __future__ import annotations

import datetime as dt
import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

from coparent.core import fragments
from coparent.core.errors import ServiceError
from coparent.core.forms import DateInput
from coparent.core.http import FamilyRequest
from coparent.core.tenancy import family_view, not_family_scoped
from coparent.families.models import Family, Role
from coparent.records import keys, selectors
from coparent.records.export import export_bundle
from coparent.records.labels import entry_label
from coparent.records.models import LogEntry
from coparent.tlog import decode
from coparent.tlog.rollback import KIND as ROLLBACK

RECORD_ROLES = (Role.PARENT, Role.PROFESSIONAL)
TITLE = _("Family record")
PAGE = 50


class ExportForm(forms.Form):
    start = forms.DateField(
        label=pgettext_lazy("date range", "From"), required=False, widget=DateInput()
    )
    end = forms.DateField(label=_("Until (not included)"), required=False, widget=DateInput())
    thread = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            raise forms.ValidationError(_("The end date must be after the start date."))
        return data


def _utc(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_current_timezone()).astimezone(
        dt.UTC
    )


@login_required
@family_view(roles=RECORD_ROLES)
def record(request: FamilyRequest) -> HttpResponse:
    return fragments.render_kept(
        request, str(TITLE), "records/record.html", lambda: _record_context(request)
    )


def _record_context(request: FamilyRequest) -> dict[str, object]:
    family = request.family
    before = request.GET.get("before", "")
    entries = LogEntry.objects.filter(family=family).select_related("actor").order_by("-index")
    if before.isdecimal() and len(before) < 19:  # isdigit() takes "²"; 19 digits overflow
        entries = entries.filter(index__lt=int(before))
    page = list(entries[:PAGE])
    for entry in page:
        fields = decode(bytes(entry.leaf)).fields
        who = entry.actor.display_name if entry.actor else _("coparent")
        entry.label = entry_label(entry.kind, str(who), fields)  # type: ignore[attr-defined]
        if entry.kind == ROLLBACK:  # say in words what a rollback statement says
            entry.rollback = fields  # type: ignore[attr-defined]
    return {
        **_checkpoint_context(family),
        "entries": page,
        "older": page[-1].index if page and page[-1].index > 0 else None,
        "form": ExportForm(),
    }


def _checkpoint_context(family: Family) -> dict[str, object]:
    checkpoint = selectors.checkpoint_get(family)
    return {
        "checkpoint": checkpoint,
        "root_hex": checkpoint.root.hex(),
        "verifier_key": keys.verifier_key_for(checkpoint.note),
    }


def _refused(request: FamilyRequest, form: ExportForm) -> HttpResponse:
    """The record page again with the export form's errors (not kept: it answers a form)."""
    return fragments.render_kept(
        request,
        str(TITLE),
        "records/record.html",
        lambda: {**_checkpoint_context(request.family), "entries": [], "form": form},
        keep=False,
        status=400,
    )


@login_required
@family_view(roles=RECORD_ROLES)
@require_GET
def export(request: FamilyRequest) -> HttpResponse:
    form = ExportForm(request.GET)
    if not form.is_valid():
        return _refused(request, form)
    buffer = io.BytesIO()
    thread = form.cleaned_data["thread"]
    try:
        export_bundle(
            buffer,
            family=request.family,
            reader=request.membership,
            thread_id=str(thread) if thread else None,
            start=_utc(form.cleaned_data["start"]),
            end=_utc(form.cleaned_data["end"]),
        )
    except ServiceError as error:
        if error.code == "not_found":
            raise Http404 from None
        form.add_error(None, error.message)
        return _refused(request, form)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="coparent-record-{stamp}.zip"'
    return response


@not_family_scoped
@require_GET
def verifier_keys(request: HttpRequest) -> HttpResponse:
    """The keys that check this server's checkpoints, one a line with the period it signed:
    `<verifier key> from=<UTC time|start> until=<UTC time|now>`, the current key first, then
    retired ones (still valid for checkpoints signed before they were retired)."""
    lines = [key.line() for key in keys.published_keys()]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response

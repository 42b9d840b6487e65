"""The notifications page, marking as read, and the settings page under Account. Each person
sees only their own notifications, from all their families."""

from __future__ import annotations

import uuid

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coparent.core.errors import ServiceError
from coparent.core.forms import add_service_error
from coparent.core.paging import page_number
from coparent.notifications import forms, selectors, services
from coparent.notifications.models import Notification


def _own(request: HttpRequest, notification_id: str) -> Notification:
    try:
        public_id = uuid.UUID(notification_id)
    except ValueError:
        raise Http404 from None
    found = selectors.notifications_of(request.user).filter(public_id=public_id).first()  # type: ignore[arg-type]
    if found is None:
        raise Http404
    return found


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = selectors.notification_page(
        request.user,  # type: ignore[arg-type]
        page_number(request.GET.get("page", "1")),
    )
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_open(request: HttpRequest, notification_id: str) -> HttpResponse:
    """Marks it read and goes where it is answered."""
    notification = _own(request, notification_id)
    services.notification_read(user=request.user, notification=notification)  # type: ignore[arg-type]
    if url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return redirect(notification.link)
    return redirect("notifications:list")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_read_all(user=request.user)  # type: ignore[arg-type]
    flash.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    current = services.settings_get(user)  # type: ignore[arg-type]
    initial: dict[str, object] = {
        "include_details": current.include_details,
        "quiet_start": current.quiet_start,
        "quiet_end": current.quiet_end,
        "digest_hour": current.digest_hour,
    }
    for kind, channel in selectors.channels_for(user).items():  # type: ignore[arg-type]
        initial[f"channel_{kind}"] = channel
    form = forms.SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(
                user=user,  # type: ignore[arg-type]
                channels=form.channels(),
                quiet_start=form.cleaned_data["quiet_start"],
                quiet_end=form.cleaned_data["quiet_end"],
                include_details=form.cleaned_data["include_details"],
                digest_hour=form.cleaned_data["digest_hour"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            flash.success(request, _("Saved."))
            return redirect("notifications:settings")
    return render(
        request, "notifications/settings.html", {"form": form, "section": "notifications"}
    )

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import include, path
from django.views import defaults
from django.views.i18n import set_language

from coparent.accounts.api import router as account_router
from coparent.api.base import api
from coparent.attention.api import router as attention_router
from coparent.childinfo.api import router as childinfo_router
from coparent.core.logging import request_id_of
from coparent.core.tenancy import not_family_scoped
from coparent.decisions.api import router as decision_router
from coparent.documents.api import router as document_router
from coparent.exchanges.api import router as exchange_router
from coparent.expenses.api import router as expense_router
from coparent.families import views as family_views
from coparent.families.api import router as family_router
from coparent.journal.api import router as journal_router
from coparent.messaging.api import router as messaging_router
from coparent.notifications.api import router as notification_router
from coparent.passes.api import router as pass_router
from coparent.plan.api import router as plan_router
from coparent.push.api import router as push_router
from coparent.records.api import router as record_router
from coparent.reports.api import router as report_router
from coparent.safety.api import router as safety_router
from coparent.schedule.api import router as schedule_router

api.add_router("/", account_router)
api.add_router("/", family_router)
api.add_router("/", record_router)
api.add_router("/", messaging_router)
api.add_router("/", pass_router)
api.add_router("/", exchange_router)
api.add_router("/", plan_router)
api.add_router("/", expense_router)
api.add_router("/", schedule_router)
api.add_router("/", decision_router)
api.add_router("/", attention_router)
api.add_router("/", notification_router)
api.add_router("/", push_router)
api.add_router("/", safety_router)
api.add_router("/", childinfo_router)
api.add_router("/", document_router)
api.add_router("/", journal_router)
api.add_router("/", report_router)


@not_family_scoped
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"message": str(exception or "")}, status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        # Standalone like the 500 page: the request's data cannot be read again.
        return HttpResponse(render_to_string("413.html"), status=413)
    return defaults.bad_request(request, exception)  # type: ignore[arg-type]


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: whatever failed may be the very middleware a context processor needs.
    page = render_to_string("500.html", {"request_id": request_id_of(request)})
    return HttpResponse(page, status=500)


handler400 = bad_request
handler404 = not_found
handler403 = forbidden
handler500 = server_error

urlpatterns = [
    path("", family_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    # The visitors' language switcher (a cookie); signed-in people choose in their account.
    path("i18n/setlang/", not_family_scoped(set_language), name="set_language"),
    path("api/v1/", api.urls),
    path("", include("coparent.accounts.urls")),
    path("", include("coparent.families.urls")),
    path("", include("coparent.records.urls")),
    path("", include("coparent.messaging.urls")),
    path("", include("coparent.passes.urls")),
    path("", include("coparent.exchanges.urls")),
    path("", include("coparent.plan.urls")),
    path("", include("coparent.expenses.urls")),
    path("", include("coparent.reports.urls")),
    path("", include("coparent.schedule.urls")),
    path("", include("coparent.decisions.urls")),
    path("", include("coparent.notifications.urls")),
    path("", include("coparent.push.urls")),
    path("", include("coparent.safety.urls")),
    path("", include("coparent.childinfo.urls")),
    path("", include("coparent.documents.urls")),
    path("", include("coparent.journal.urls")),
]

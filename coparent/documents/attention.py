"""Documents that have expired or expire within a month wait on the parents' Home: a passport
to renew before a trip."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from coparent.attention.registry import Item, Provider, Viewer, register
from coparent.documents import selectors
from coparent.documents.models import Document
from coparent.families.models import Role


@register
class ExpiringDocumentProvider(Provider):
    kind = "document"
    roles = frozenset({Role.PARENT})

    def _expiring(self, viewer: Viewer) -> QuerySet[Document]:
        return selectors.expiring(viewer.membership, viewer.local(viewer.now).date())

    def items(self, viewer: Viewer) -> list[Item]:
        today = viewer.local(viewer.now).date()
        result = []
        for document in self._expiring(viewer).order_by("expires_on", "id"):
            assert document.expires_on is not None
            when = formats.date_format(document.expires_on, "DATE_FORMAT")
            title = (
                _("%(title)s has expired") % {"title": document.title}
                if document.expires_on < today
                else _("%(title)s expires soon") % {"title": document.title}
            )
            detail = _("Expiry date: %(date)s. Upload the renewed document as a new version.") % {
                "date": when
            }
            link = reverse("documents:detail", args=[viewer.family.public_id, document.public_id])
            result.append(Item(self.kind, title, detail, link))
        return result

    def badge(self, viewer: Viewer) -> QuerySet[Document]:
        return self._expiring(viewer)

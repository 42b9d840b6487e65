"""Deleting an account: the person leaves every family and their personal data is erased.

The user row stays, because the messages and record entries they made stay for the other
members (the record cannot be rewritten, and the other parent keeps their conversation): its
name becomes "A former member", which every page, export and email shows wherever a name goes,
and the address, password, sessions, tokens, push subscriptions, two-factor devices, preferences,
notifications and copies of their data are erased or deleted. A family left with no member but
professionals is deleted FAMILY_DELETE_DAYS later unless a parent put it on hold
(families.services.families_purge).
"""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from coparent.accounts.models import ApiToken, DataExport, SignInEvent, User, UserSession
from coparent.core.errors import ServiceError
from coparent.core.logging import security_log

# Stored as the name of an erased account, so it reads the same in the record, in exports made
# later and in emails. Kept in English on purpose: a stored name is not translated per reader.
FORMER_MEMBER = gettext_noop("A former member")


def account_delete(*, user: User, password: str, code: str = "") -> None:
    """Checks the password (and the two-factor code when two-factor is on), then leaves each
    family in that family's own transaction, then erases the account in one more."""
    from coparent.accounts.services import has_two_factor, two_factor_verify

    if not password or not user.check_password(password):
        raise ServiceError(_("That password is not right."), field="password")
    if has_two_factor(user) and two_factor_verify(user=user, code=code) is None:
        raise ServiceError(_("That code is not right."), field="code")
    from coparent.families.services import membership_leave_all

    membership_leave_all(user=user)
    account_erase(user=user)


@transaction.atomic
def account_erase(*, user: User) -> None:
    from coparent.families.models import AccessRequest, AccessRequestStatus, Invitation
    from coparent.notifications.models import (
        ChannelPreference,
        Notification,
        NotificationSettings,
    )
    from coparent.push.models import PushSubscription
    from coparent.safety.models import ContactDetails
    from coparent.schedule.models import FeedToken

    locked = User.objects.select_for_update(no_key=True).get(pk=user.pk)
    old_email = locked.email
    sessions = UserSession.objects.filter(user=locked)
    Session.objects.filter(
        session_key__in=list(sessions.values_list("session_key", flat=True))
    ).delete()
    sessions.delete()
    ApiToken.objects.filter(user=locked).delete()
    PushSubscription.objects.filter(user=locked).delete()
    FeedToken.objects.filter(user=locked).delete()  # calendar links
    ChannelPreference.objects.filter(user=locked).delete()
    NotificationSettings.objects.filter(user=locked).delete()
    Notification.objects.filter(recipient=locked).delete()
    TOTPDevice.objects.filter(user=locked).delete()
    StaticDevice.objects.filter(user=locked).delete()
    SignInEvent.objects.filter(user=locked).delete()  # times, browsers and addresses
    ContactDetails.objects.filter(membership__user=locked).delete()  # phone and address
    for export in DataExport.objects.filter(user=locked):
        from coparent.accounts.exports import data_export_remove

        data_export_remove(export)
    # Their address wherever it was written beside them: invitations to it, unfiled requests
    # to it, and requests they made that are still waiting.
    Invitation.objects.filter(email=old_email).update(email="")
    AccessRequest.objects.filter(email=old_email, family__isnull=True).delete()
    AccessRequest.objects.filter(requester=locked, status=AccessRequestStatus.PENDING).update(
        status=AccessRequestStatus.WITHDRAWN, answered_at=timezone.now()
    )
    locked.display_name = FORMER_MEMBER
    locked.email = f"erased-{locked.public_id.hex}@erased.invalid"
    locked.set_unusable_password()
    locked.is_active = False
    locked.email_verified = False
    locked.contact_email = ""
    locked.contact_email_confirmed = False
    locked.notify_new_sign_in = False
    locked.timezone = "UTC"
    locked.last_login = None
    locked.erased_at = timezone.now()
    locked.save()
    security_log.info("account deleted user=%s", locked.public_id)
    user.display_name = locked.display_name
    user.email = locked.email
    user.is_active = False

"""A person's notifications and notification choices, for their right-of-access zip."""

from __future__ import annotations

from coparent.accounts.models import User
from coparent.accounts.personal_data import Section, register_personal_data
from coparent.notifications.models import ChannelPreference, Notification, NotificationSettings


@register_personal_data("notifications")
def notifications_data(user: User) -> Section:
    found = NotificationSettings.objects.filter(user=user).first()
    return Section(
        {
            "notifications": [
                {
                    "kind": n.kind,
                    "title": n.detail_title,
                    "text": n.detail_body,
                    "at": n.created_at,
                    "read": n.read_at,
                }
                for n in Notification.objects.filter(recipient=user)
            ],
            "channels": {p.kind: p.channel for p in ChannelPreference.objects.filter(user=user)},
            "settings": (
                {
                    f.name: getattr(found, f.name)
                    for f in NotificationSettings._meta.concrete_fields
                    if f.name not in ("id", "user")
                }
                if found
                else {}
            ),
        }
    )

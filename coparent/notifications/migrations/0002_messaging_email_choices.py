"""Message emails used to be chosen per family on the messaging settings page; they are now one
choice per person among all notifications. Where a person's families disagreed, the more private
choice wins: no email if any said none, details only if every one asked for them."""

from django.db import migrations


def carry_over(apps, schema_editor):
    MessagingPreference = apps.get_model("messaging", "MessagingPreference")
    ChannelPreference = apps.get_model("notifications", "ChannelPreference")
    NotificationSettings = apps.get_model("notifications", "NotificationSettings")
    by_user: dict[int, list[tuple[bool, bool]]] = {}
    for user_id, emails, content in MessagingPreference.objects.values_list(
        "membership__user_id", "email_new_messages", "email_include_content"
    ):
        by_user.setdefault(user_id, []).append((emails, content))
    for user_id, choices in by_user.items():
        if not all(emails for emails, _content in choices):
            ChannelPreference.objects.update_or_create(
                user_id=user_id, kind="message", defaults={"channel": "app"}
            )
        if all(content for _emails, content in choices):
            NotificationSettings.objects.update_or_create(
                user_id=user_id, defaults={"include_details": True}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("messaging", "0002_search"),
    ]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]

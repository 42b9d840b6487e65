from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coparent.notifications.models import Channel, Kind

HOURS = [(h, f"{h:02d}:00") for h in range(24)]


class SettingsForm(forms.Form):
    include_details = forms.BooleanField(
        label=_("Put names and what was said in emails and push notifications"),
        required=False,
        help_text=_(
            "Off, they only say that something happened (“You have a new message in coparent”). "
            "Leave it off if anyone else can see your phone or your email."
        ),
    )
    quiet_start = forms.TimeField(
        label=_("Quiet hours start"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_end = forms.TimeField(
        label=_("Quiet hours end"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_(
            "In your own time zone. During quiet hours nothing is emailed or pushed, except "
            "exchange reminders; what waits is sent when they end. It is still in the app."
        ),
    )
    digest_hour = forms.TypedChoiceField(
        label=_("Send the daily summary at"), choices=HOURS, coerce=int, initial=18
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[f"channel_{kind.value}"] = forms.ChoiceField(
                label=kind.label, choices=Channel.choices
            )

    def channel_fields(self) -> list[forms.BoundField]:
        return [self[f"channel_{kind.value}"] for kind in Kind]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("quiet_start")) != bool(data.get("quiet_end")) and not self.errors:
            self.add_error(
                "quiet_end", _("Give both the start and the end of your quiet hours, or neither.")
            )
        return data

    def channels(self) -> dict[str, str]:
        return {kind.value: self.cleaned_data[f"channel_{kind.value}"] for kind in Kind}

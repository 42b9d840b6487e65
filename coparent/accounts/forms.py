from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from coparent.accounts.models import ApiToken, User
from coparent.core.forms import TextField, TimezoneField


class SignupForm(forms.Form):
    display_name = TextField(
        label=_("Your name"),
        max_length=80,
        help_text=_("Shown to the people in your family."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_(
            "At least 8 characters. A long passphrase is best; common passwords are refused."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    timezone = TimezoneField(
        label=_("Your time zone"),
        help_text=_("Times are shown to you in this zone."),
    )

    def clean(self) -> dict[str, Any]:
        """The password rules are checked here, before the view counts the request against the
        sign-up limit: mistyping a weak password three times must not lock the address out."""
        data = super().clean() or {}
        if data.get("email") and data.get("password"):
            candidate = User(
                email=data["email"].strip().lower(), display_name=data.get("display_name", "")
            )
            try:
                password_validation.validate_password(data["password"], candidate)
            except ValidationError as error:
                self.add_error("password", error)
        return data


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = TextField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))


def language_choices() -> list[tuple[str, str]]:
    """Each language in its own name ("Español"), as a reader looks for it."""
    return [
        (code, capfirst(translation.get_language_info(code)["name_local"]))
        for code, _name in settings.LANGUAGES
    ]


class ProfileForm(forms.Form):
    display_name = TextField(label=_("Your name"), max_length=80)
    timezone = TimezoneField(
        label=_("Your time zone"),
        detect="suggest",
        help_text=_("Times are shown to you in this zone."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        help_text=_("Pages, emails and notifications are in this language."),
        choices=language_choices,
    )
    notify_new_sign_in = forms.BooleanField(
        label=_("Email me when my account is signed in from a new browser"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = self.initial.get("timezone", "")
        field = self.fields["timezone"]
        assert isinstance(field, TimezoneField)
        field.include(zone)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=_("At least 8 characters. Signing in elsewhere ends when you change it."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class ReauthForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    code = TextField(
        label=_("Two-factor code"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        label=_("New email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class ContactEmailForm(forms.Form):
    contact_email = forms.EmailField(
        label=_("Email for notifications"),
        required=False,
        help_text=_("Leave empty to get notifications at your sign-in address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class TokenCreateForm(forms.Form):
    name = TextField(label=_("Name"), max_length=80, help_text=_("e.g. “backup script”"))
    scope = forms.ChoiceField(
        label=_("Access"), choices=ApiToken.SCOPES, initial=ApiToken.READ, widget=forms.RadioSelect
    )


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password, to confirm"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = TextField(
        label=_("Two-factor code"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

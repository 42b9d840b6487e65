from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coparent.core.forms import TextField
from coparent.core.inputs import BAD_TEXT, text_problem
from coparent.messaging.services import MAX_BODY, MAX_SUBJECT


class MessageForm(forms.Form):
    body = TextField(
        label=_("Message"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write a message first.")},
    )
    file = forms.FileField(
        label=_("Attach a file"),
        required=False,
        help_text=_(
            "A PNG or JPEG picture or a PDF, up to 10 MB. Location data in photos is removed."
        ),
    )
    corrects = forms.UUIDField(required=False, widget=forms.HiddenInput)
    confirm_tone = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # A picture or a document may be sent without words.
        self.fields["body"].required = not (self.files and self.files.get("file"))

    def clean_file(self) -> object:
        upload = self.cleaned_data.get("file")
        if upload is not None and text_problem(upload.name or ""):
            raise forms.ValidationError(BAD_TEXT, code="bad_text")
        return upload


class ThreadForm(MessageForm):
    subject = TextField(
        label=_("Subject"),
        max_length=MAX_SUBJECT,
        help_text=_("What this conversation is about, e.g. “Summer holidays 2027”."),
    )
    others = forms.MultipleChoiceField(
        label=_("Also include"), required=False, widget=forms.CheckboxSelectMultiple, choices=[]
    )
    field_order = ("subject", "others", "body", "file")

    def __init__(self, *args: object, others: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["others"].choices = others  # type: ignore[attr-defined]


class RedactForm(forms.Form):
    reason = TextField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Written to the family record, e.g. “sent my new address by mistake”."),
    )
    court_order = TextField(
        label=_("Court order reference"),
        max_length=90,
        required=False,
        help_text=_("Only if a court ordered this redaction. It is written to the family record."),
    )

    def __init__(self, *args: object, own: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not own:
            # Someone else's words go only under a court order: the field is required, and says so.
            field = self.fields["court_order"]
            field.required = True
            field.help_text = _(
                "Required: someone else's message can be redacted only under a court order. "
                "Give the order's reference, e.g. its case number."
            )
            field.error_messages["required"] = _(
                "Give the court order's reference: without a court order you can redact only "
                "your own messages."
            )


class PreferenceForm(forms.Form):
    shield = forms.BooleanField(
        label=_("Fold away messages that may be hostile, so I choose when to read them"),
        required=False,
    )


class SearchForm(forms.Form):
    q = TextField(label=_("Search messages"), max_length=200, required=False)

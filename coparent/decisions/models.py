"""Decisions the parents take together, and the agreements they end in.

A `Decision` is one matter (a question about a child or the family). Each proposal about it is a
`Proposal` (version 1, 2, ... : a counter-proposal is a new version pointing at the one it
answers). A decision's `subject` names what kind of thing is being agreed: "decision" for a plain
decision, or a kind another app registered in `decisions.subjects` (the parenting plan's
provisions), whose structured terms travel in `Proposal.payload`. An accepted proposal, or a
court-order default applied at the deadline, becomes an `Agreement`; a later agreement about the
same matter supersedes it, and both stay. Times are stored in UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coparent.core.models import FamilyLink, FamilyOwned


class Category(models.TextChoices):
    EDUCATION = "education", _("Education")
    MEDICAL = "medical", _("Medical")
    RELIGION = "religion", _("Religion")
    ACTIVITIES = "activities", _("Activities")
    TRAVEL = "travel", _("Travel")
    ONLINE = "online", _("Social media and online presence")
    PARTNERS = "partners", _("New partners")
    RELOCATION = "relocation", _("Relocation")
    OTHER = "other", _("Other")


class AnswerKind(models.TextChoices):
    YES_NO = "yes_no", _("Yes or no: agree to the proposal as written")
    OPTIONS = "options", _("Choose one of the options")


class NoAnswer(models.TextChoices):
    """What the deadline does to an unanswered proposal."""

    NOTHING = "nothing", _("Nothing is decided: the matter stays open")
    COURT_DEFAULT = "court_default", _("The default outcome the court order gives applies")


class DecisionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("decision status", "Open")
    AGREED = "agreed", pgettext_lazy("proposal status", "Agreed")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired without an answer")
    WITHDRAWN = "withdrawn", pgettext_lazy("status", "Withdrawn")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    COUNTERED = "countered", _("Answered with a counter-proposal")
    EXPIRED = "expired", _("Expired without an answer")
    WITHDRAWN = "withdrawn", pgettext_lazy("status", "Withdrawn")


class Decision(FamilyOwned):
    """One matter the parents decide together; its proposals are its versions."""

    # "decision", or a kind registered in decisions.subjects by another app (plan provisions).
    subject = models.CharField(max_length=40, default="decision")
    # Within a subject, which matter this is (e.g. a provision kind), so that "the agreement in
    # force about X" can be found; empty for free-standing decisions.
    subject_key = models.CharField(max_length=60, blank=True)
    category = models.CharField(max_length=12, choices=Category.choices)
    children = models.ManyToManyField(
        "families.Child", blank=True, related_name="+", through="DecisionChild"
    )
    status = models.CharField(
        max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.OPEN
    )
    # The agreement this decision, once agreed, replaces (it is kept, marked superseded).
    supersedes = models.ForeignKey(
        "Agreement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-updated_at", "-pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["family", "status", "updated_at"]),
            models.Index(fields=["family", "subject", "subject_key"]),
        ]

    def __str__(self) -> str:
        return f"decision {self.public_id}"


class DecisionChild(FamilyLink):
    """A child a decision is about."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey("families.Child", on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "decisions_decision_children"
        unique_together = (("decision", "child"),)


class Proposal(FamilyOwned):
    """One version of a decision, as one parent proposed it. Never edited after it is answered:
    a change is a counter-proposal, a new version."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="proposals")
    number = models.PositiveIntegerField()  # 1, 2, ... within the decision
    counter_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    title = models.CharField(max_length=200)
    details = models.TextField(blank=True)
    answer_kind = models.CharField(max_length=8, choices=AnswerKind.choices)
    options = models.JSONField(default=list, blank=True)  # list[str] when answer_kind=options
    # The subject's structured terms, cleaned by its registered schema ({} for plain decisions).
    payload = models.JSONField(default=dict, blank=True)
    respond_by = models.DateTimeField()
    on_no_answer = models.CharField(
        max_length=14, choices=NoAnswer.choices, default=NoAnswer.NOTHING
    )
    default_outcome = models.CharField(max_length=1000, blank=True)
    # Which order gives the default ("Order of 3 March 2025, para. 12"): named, never invented.
    default_source = models.CharField(max_length=200, blank=True)
    # SHA-256(salt || canonical content) is what the record holds (see services._content).
    salt = models.BinaryField()
    status = models.CharField(
        max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    chosen_option = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=1000, blank=True)  # why it was declined
    reason_salt = models.BinaryField(blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["decision", "number"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["status", "respond_by"])]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["decision", "number"], name="one_proposal_number_per_decision"
            ),
            models.UniqueConstraint(
                fields=["decision"],
                condition=models.Q(status="pending"),
                name="one_pending_proposal_per_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"proposal {self.public_id} (v{self.number})"

    def current_status(self, now: dt.datetime | None = None) -> str:
        """Past its deadline a pending proposal is expired, even before the worker stored it."""
        if self.status == ProposalStatus.PENDING and self.respond_by <= (now or timezone.now()):
            return ProposalStatus.EXPIRED
        return str(self.status)

    @property
    def status_label(self) -> str:
        return str(ProposalStatus(self.current_status()).label)


class Comment(FamilyOwned):
    """A parent's comment on a decision; on the record (its hash), never edited."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="comments")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    salt = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"comment {self.public_id}"


class AgreementBasis(models.TextChoices):
    AGREED = "agreed", _("Agreed by both parents")
    COURT_DEFAULT = "court_default", _("Default outcome from the court order")


class Agreement(FamilyOwned):
    """What a decision ended in. Both parents' acceptances and their times are kept: the
    proposer's is the proposal itself, the other's the answer. An agreement is never edited:
    a later agreement about the same matter supersedes it."""

    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="agreement")
    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="agreement")
    basis = models.CharField(max_length=14, choices=AgreementBasis.choices)
    outcome = models.CharField(max_length=1000)  # the chosen option, "as proposed", or default
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)  # empty for a court default
    agreed_at = models.DateTimeField()
    superseded_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    # Caregivers and children see an agreement only once a parent shares it with them.
    shared_with_caregivers = models.BooleanField(default=False)
    shared_with_children = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["-agreed_at", "-pk"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["family", "agreed_at"])]

    def __str__(self) -> str:
        return f"agreement {self.public_id}"

    @property
    def in_force(self) -> bool:
        return self.superseded_by_id is None

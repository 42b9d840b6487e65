"""Writes for decisions: propose, accept, decline, counter-propose, withdraw, comment, share an
agreement, and the deadline expiry the worker runs.

Every function takes the family and the acting user, checks the actor's role and the rules, and
changes nothing unless every rule holds (one transaction). Lock order: the family's record
(`family_lock`), then the decision row, then its proposals and agreements. Another app whose
proposals are "agreed like decisions" (the parenting plan) calls these same functions with its
own registered `subject` and a `payload` (see decisions.subjects).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coparent.accounts.models import User
from coparent.core.errors import Conflict, ServiceError
from coparent.core.inputs import text_problem
from coparent.decisions.models import (
    Agreement,
    AgreementBasis,
    AnswerKind,
    Category,
    Comment,
    Decision,
    DecisionStatus,
    NoAnswer,
    Proposal,
    ProposalStatus,
)
from coparent.decisions.subjects import Payload, subject_for
from coparent.families.models import Child, Family, Membership, Role
from coparent.families.services import require_parent
from coparent.notifications.models import Kind
from coparent.notifications.services import Detail, Phrase, notify
from coparent.records.services import family_lock, record_append
from coparent.tlog import content_hash, new_salt

MAX_TITLE = 200
MAX_DETAILS = 5000
MAX_OPTION = 200
MAX_OPTIONS = 10
MAX_REASON = 1000
MAX_COMMENT = 5000
MAX_DEFAULT = 1000
MAX_SOURCE = 200
MAX_RESPOND_DAYS = 365


def _iso(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).isoformat() if value else ""


def proposal_content(proposal: Proposal) -> bytes:
    """The canonical bytes of what a proposal says; the record holds SHA-256(salt || these)."""
    return json.dumps(
        {
            "title": proposal.title,
            "details": proposal.details,
            "answer_kind": proposal.answer_kind,
            "options": list(proposal.options),
            "payload": proposal.payload,
            "on_no_answer": proposal.on_no_answer,
            "default_outcome": proposal.default_outcome,
            "default_source": proposal.default_source,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")


def decision_link(decision: Decision) -> str:
    return reverse("decisions:detail", args=[decision.family.public_id, decision.public_id])


def _other_parent(family: Family, actor: User) -> User | None:
    other = (
        Membership.objects.active()
        .filter(family=family, role=Role.PARENT)
        .exclude(user=actor)
        .select_related("user")
        .first()
    )
    return other.user if other else None


def _parents(family: Family) -> list[User]:
    return [
        m.user
        for m in Membership.objects.active()
        .filter(family=family, role=Role.PARENT)
        .select_related("user")
    ]


def _text(value: str | None, limit: int, field: str, *, required: bool) -> str:
    # The service's own check, whatever called it (a form, the API, a script): before
    # stripping, since str.strip() takes U+001C-U+001F and U+0085 for spaces.
    problem = text_problem(value or "")
    if problem:
        raise ServiceError(problem, field=field)
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(_("This field is required."), field=field)
    if len(value) > limit:
        raise ServiceError(
            _("At most %(limit)d characters.") % {"limit": limit},
            field=field,
        )
    return value


def _terms(
    *,
    subject: str,
    title: str,
    details: str,
    answer_kind: str,
    options: Sequence[str],
    respond_by: dt.datetime | None,
    on_no_answer: str,
    default_outcome: str,
    default_source: str,
    payload: Payload | None,
) -> dict[str, Any]:
    """The checked, cleaned content of one proposal (a first one or a counter)."""
    if answer_kind not in AnswerKind.values:
        raise ServiceError(_("Choose how the proposal is answered."), field="answer_kind")
    cleaned_options: list[str] = []
    if answer_kind == AnswerKind.OPTIONS:
        for option in options:
            option = _text(option, MAX_OPTION, "options", required=False)
            if option and option not in cleaned_options:
                cleaned_options.append(option)
        if len(cleaned_options) < 2:
            raise ServiceError(_("Give at least two different options."), field="options")
        if len(cleaned_options) > MAX_OPTIONS:
            raise ServiceError(
                _("At most %(count)d options.") % {"count": MAX_OPTIONS}, field="options"
            )
    if respond_by is None:
        raise ServiceError(_("Enter a respond-by date."), field="respond_by")
    if timezone.is_naive(respond_by):
        raise ServiceError(_("A time needs its time zone."), field="respond_by")
    respond_by = respond_by.astimezone(dt.UTC)
    now = timezone.now()
    if respond_by <= now:
        raise ServiceError(_("The respond-by date must be in the future."), field="respond_by")
    if respond_by > now + dt.timedelta(days=MAX_RESPOND_DAYS):
        raise ServiceError(
            _("The respond-by date must be within %(days)d days.") % {"days": MAX_RESPOND_DAYS},
            field="respond_by",
        )
    if on_no_answer not in NoAnswer.values:
        raise ServiceError(_("Choose what happens without an answer."), field="on_no_answer")
    if on_no_answer == NoAnswer.COURT_DEFAULT:
        default_outcome = _text(default_outcome, MAX_DEFAULT, "default_outcome", required=True)
        default_source = _text(default_source, MAX_SOURCE, "default_source", required=True)
    else:
        default_outcome = default_source = ""
    return {
        "title": _text(title, MAX_TITLE, "title", required=True),
        "details": _text(details, MAX_DETAILS, "details", required=False),
        "answer_kind": answer_kind,
        "options": cleaned_options,
        "payload": subject_for(subject).clean(dict(payload or {})),
        "respond_by": respond_by,
        "on_no_answer": on_no_answer,
        "default_outcome": default_outcome,
        "default_source": default_source,
    }


def _record_proposal(kind: str, proposal: Proposal, actor: User) -> None:
    decision = proposal.decision
    record_append(
        family=decision.family,
        actor=actor,
        kind=kind,
        fields={
            "decision": str(decision.public_id),
            "proposal": str(proposal.public_id),
            "version": proposal.number,
            "subject": decision.subject,
            "category": decision.category,
            "children": tuple(sorted(str(c.public_id) for c in decision.children.all())),
            "respond_by": _iso(proposal.respond_by),
            "on_no_answer": proposal.on_no_answer,
            "content": content_hash(bytes(proposal.salt), proposal_content(proposal)),
            "counter_of": str(proposal.counter_of.public_id) if proposal.counter_of else "",
            "supersedes": str(decision.supersedes.public_id) if decision.supersedes else "",
        },
    )


def _new_proposal(
    decision: Decision,
    actor: User,
    terms: dict[str, Any],
    number: int,
    counter_of: Proposal | None,
) -> Proposal:
    return Proposal.objects.create(
        family=decision.family,
        decision=decision,
        number=number,
        counter_of=counter_of,
        proposed_by=actor,
        salt=new_salt(),
        **terms,
    )


@transaction.atomic
def decision_propose(
    *,
    family: Family,
    actor: User,
    title: str,
    category: str,
    respond_by: dt.datetime | None,
    answer_kind: str = AnswerKind.YES_NO,
    options: Sequence[str] = (),
    details: str = "",
    children: Iterable[Child] = (),
    on_no_answer: str = NoAnswer.NOTHING,
    default_outcome: str = "",
    default_source: str = "",
    subject: str = "decision",
    subject_key: str = "",
    payload: Payload | None = None,
    supersedes: Agreement | None = None,
) -> Decision:
    """A parent proposes a decision (version 1) to the other parent, who answers by
    `respond_by`. `children` empty means it is about the whole family. Without an answer,
    `on_no_answer` says what happens: nothing (it expires undecided) or the default outcome a
    court order gives (`default_outcome`, named by `default_source`), applied at the deadline.
    `supersedes`, an agreement in force, is replaced (and kept) once this one is agreed."""
    require_parent(family, actor)
    family_lock(family)
    other = _other_parent(family, actor)
    if other is None:
        raise ServiceError(_("Invite the other parent first: a decision is taken by both parents."))
    if category not in Category.values:
        raise ServiceError(_("Choose a category."), field="category")
    children = list(children)
    if any(child.family_id != family.pk for child in children):
        raise ServiceError(_("That child is not in this family."), field="children")
    subject_key = _text(subject_key, 60, "subject_key", required=False)
    if supersedes is not None:
        supersedes = (
            Agreement.objects.select_for_update(no_key=True)
            .filter(pk=supersedes.pk, family=family)
            .first()
        )
        if supersedes is None:
            raise ServiceError(_("That agreement is not in this family."), field="supersedes")
        if not supersedes.in_force:
            raise Conflict(_("That agreement was already replaced."))
    terms = _terms(
        subject=subject,
        title=title,
        details=details,
        answer_kind=answer_kind,
        options=options,
        respond_by=respond_by,
        on_no_answer=on_no_answer,
        default_outcome=default_outcome,
        default_source=default_source,
        payload=payload,
    )
    now = timezone.now()
    decision = Decision.objects.create(
        family=family,
        subject=subject,
        subject_key=subject_key,
        category=category,
        supersedes=supersedes,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    decision.children.set(children, through_defaults={"family_id": decision.family_id})
    proposal = _new_proposal(decision, actor, terms, 1, None)
    _record_proposal("decision.proposed", proposal, actor)
    notify(
        family,
        [other],
        Kind.DECISION_PROPOSAL,
        link=decision_link(decision),
        detail=Detail(
            Phrase(
                gettext_lazy("%(name)s proposed a decision; please answer"),
                {"name": actor.display_name},
            ),
            proposal.title,
        ),
        actor=actor,
    )
    return decision


def _locked_pending(family: Family, proposal: Proposal) -> Proposal:
    """The proposal, locked in the lock order and checked again: still pending, deadline not
    passed (refused before the worker has stored the expiry, too)."""
    family_lock(family)
    decision = Decision.objects.select_for_update(no_key=True).get(
        pk=proposal.decision_id, family=family
    )
    locked = (
        Proposal.objects.select_for_update(no_key=True, of=("self",))
        .select_related("counter_of", "proposed_by")
        .get(pk=proposal.pk, family=family)
    )
    locked.decision = decision
    status = locked.current_status()
    if status == ProposalStatus.EXPIRED:
        raise Conflict(_("This proposal expired: its respond-by date has passed."))
    if status != ProposalStatus.PENDING:
        raise Conflict(
            _("This proposal is no longer open (%(status)s).") % {"status": locked.status_label}
        )
    return locked


def _answerable(family: Family, actor: User, proposal: Proposal) -> Proposal:
    require_parent(family, actor)
    locked = _locked_pending(family, proposal)
    if locked.proposed_by_id == actor.pk:
        raise ServiceError(_("The other parent answers this proposal."), code="forbidden")
    return locked


def _settle(locked: Proposal, status: str, actor: User | None, now: dt.datetime) -> None:
    locked.status = status
    locked.answered_by = actor
    locked.answered_at = now
    locked.save(update_fields=["status", "answered_by", "answered_at", "chosen_option", "reason"])


def _agree(
    locked: Proposal,
    *,
    basis: str,
    outcome: str,
    accepted_by: User | None,
    now: dt.datetime,
    strict: bool,
) -> Agreement:
    """The agreement a settled proposal ends in, superseding the one it replaces (the old one is
    kept, marked superseded, and its sharing carries over)."""
    decision = locked.decision
    old = None
    if decision.supersedes_id is not None:
        old = Agreement.objects.select_for_update(no_key=True).get(
            pk=decision.supersedes_id, family=decision.family
        )
        if not old.in_force:
            if strict:
                raise Conflict(
                    _("The agreement this would replace was already replaced by another.")
                )
            old = None
    agreement = Agreement.objects.create(
        family=decision.family,
        decision=decision,
        proposal=locked,
        basis=basis,
        outcome=outcome[:1000],
        proposed_by=locked.proposed_by,
        proposed_at=locked.proposed_at,
        accepted_by=accepted_by,
        accepted_at=now if accepted_by else None,
        agreed_at=now,
        shared_with_caregivers=bool(old and old.shared_with_caregivers),
        shared_with_children=bool(old and old.shared_with_children),
    )
    if old is not None:
        old.superseded_by = agreement
        old.superseded_at = now
        old.save(update_fields=["superseded_by", "superseded_at"])
    return agreement


def _set_decision_status(decision: Decision, status: str, now: dt.datetime) -> None:
    decision.status = status
    decision.updated_at = now
    decision.save(update_fields=["status", "updated_at"])


@transaction.atomic
def decision_accept(
    *, family: Family, actor: User, proposal: Proposal, option: str = ""
) -> Agreement:
    """The other parent accepts the pending proposal (choosing one of its options when it has
    options): the decision is agreed and becomes an agreement, superseding the one it
    replaces."""
    locked = _answerable(family, actor, proposal)
    if locked.answer_kind == AnswerKind.OPTIONS:
        option = (option or "").strip()
        if option not in locked.options:
            raise ServiceError(_("Choose one of the options."), field="option")
        outcome = option
    else:
        option = ""
        outcome = locked.title
    now = timezone.now()
    locked.chosen_option = option
    _settle(locked, ProposalStatus.ACCEPTED, actor, now)
    agreement = _agree(
        locked,
        basis=AgreementBasis.AGREED,
        outcome=outcome,
        accepted_by=actor,
        now=now,
        strict=True,
    )
    _set_decision_status(locked.decision, DecisionStatus.AGREED, now)
    record_append(
        family=family,
        actor=actor,
        kind="decision.accepted",
        fields={
            "decision": str(locked.decision.public_id),
            "proposal": str(locked.public_id),
            "agreement": str(agreement.public_id),
            "option": locked.options.index(option) + 1 if option else 0,
            "supersedes": _superseded_id(agreement),
        },
    )
    notify(
        family,
        [locked.proposed_by],
        Kind.DECISION_ANSWER,
        link=decision_link(locked.decision),
        detail=Detail(
            Phrase(gettext_lazy("%(name)s accepted your proposal"), {"name": actor.display_name}),
            locked.title,
        ),
        actor=actor,
    )
    return agreement


def _superseded_id(agreement: Agreement) -> str:
    old = Agreement.objects.filter(superseded_by=agreement).values_list("public_id", flat=True)
    found = list(old)
    return str(found[0]) if found else ""


@transaction.atomic
def decision_decline(*, family: Family, actor: User, proposal: Proposal, reason: str) -> Proposal:
    """The other parent declines, saying why. The decision is closed as declined; an agreement
    it would have replaced stays in force."""
    reason = _text(reason, MAX_REASON, "reason", required=True)
    locked = _answerable(family, actor, proposal)
    now = timezone.now()
    locked.reason = reason
    locked.reason_salt = new_salt()
    locked.save(update_fields=["reason_salt"])
    _settle(locked, ProposalStatus.DECLINED, actor, now)
    _set_decision_status(locked.decision, DecisionStatus.DECLINED, now)
    record_append(
        family=family,
        actor=actor,
        kind="decision.declined",
        fields={
            "decision": str(locked.decision.public_id),
            "proposal": str(locked.public_id),
            "content": content_hash(bytes(locked.reason_salt), reason.encode("utf-8")),
        },
    )
    notify(
        family,
        [locked.proposed_by],
        Kind.DECISION_ANSWER,
        link=decision_link(locked.decision),
        detail=Detail(
            Phrase(gettext_lazy("%(name)s declined your proposal"), {"name": actor.display_name}),
            reason,
        ),
        actor=actor,
    )
    return locked


@transaction.atomic
def decision_counter(
    *,
    family: Family,
    actor: User,
    proposal: Proposal,
    title: str,
    respond_by: dt.datetime | None,
    answer_kind: str = AnswerKind.YES_NO,
    options: Sequence[str] = (),
    details: str = "",
    on_no_answer: str = NoAnswer.NOTHING,
    default_outcome: str = "",
    default_source: str = "",
    payload: Payload | None = None,
) -> Proposal:
    """The other parent answers with a new version (counter_of the pending one), which the
    first parent now answers. The decision, its children and what it supersedes stay."""
    locked = _answerable(family, actor, proposal)
    decision = locked.decision
    terms = _terms(
        subject=decision.subject,
        title=title,
        details=details,
        answer_kind=answer_kind,
        options=options,
        respond_by=respond_by,
        on_no_answer=on_no_answer,
        default_outcome=default_outcome,
        default_source=default_source,
        payload=payload,
    )
    now = timezone.now()
    _settle(locked, ProposalStatus.COUNTERED, actor, now)
    counter = _new_proposal(decision, actor, terms, locked.number + 1, locked)
    decision.updated_at = now
    decision.save(update_fields=["updated_at"])
    _record_proposal("decision.countered", counter, actor)
    notify(
        family,
        [locked.proposed_by],
        Kind.DECISION_PROPOSAL,
        link=decision_link(decision),
        detail=Detail(
            Phrase(
                gettext_lazy("%(name)s answered your proposal with a counter-proposal"),
                {"name": actor.display_name},
            ),
            counter.title,
        ),
        actor=actor,
    )
    return counter


@transaction.atomic
def decision_withdraw(*, family: Family, actor: User, proposal: Proposal) -> Proposal:
    """The parent who made the pending proposal takes it back; the decision closes."""
    require_parent(family, actor)
    locked = _locked_pending(family, proposal)
    if locked.proposed_by_id != actor.pk:
        raise ServiceError(_("Only the parent who proposed it can withdraw it."), code="forbidden")
    now = timezone.now()
    _settle(locked, ProposalStatus.WITHDRAWN, actor, now)
    _set_decision_status(locked.decision, DecisionStatus.WITHDRAWN, now)
    record_append(
        family=family,
        actor=actor,
        kind="decision.withdrawn",
        fields={"decision": str(locked.decision.public_id), "proposal": str(locked.public_id)},
    )
    notify(
        family,
        _parents(family),
        Kind.DECISION_ANSWER,
        link=decision_link(locked.decision),
        detail=Detail(
            Phrase(gettext_lazy("%(name)s withdrew a proposal"), {"name": actor.display_name}),
            locked.title,
        ),
        actor=actor,
    )
    return locked


@transaction.atomic
def decision_comment(*, family: Family, actor: User, decision: Decision, body: str) -> Comment:
    """A parent comments on a decision, open or closed; the comment is on the record."""
    require_parent(family, actor)
    body = _text(body, MAX_COMMENT, "body", required=True)
    family_lock(family)
    locked = Decision.objects.select_for_update(no_key=True).get(pk=decision.pk, family=family)
    current = Proposal.objects.filter(decision=locked).order_by("-number").first()
    assert current is not None  # every decision is created with its first version
    comment = Comment.objects.create(
        family=family, decision=locked, proposal=current, author=actor, body=body, salt=new_salt()
    )
    record_append(
        family=family,
        actor=actor,
        kind="decision.commented",
        fields={
            "decision": str(locked.public_id),
            "comment": str(comment.public_id),
            "proposal": str(current.public_id),
            "content": content_hash(bytes(comment.salt), body.encode("utf-8")),
        },
    )
    notify(
        family,
        _parents(family),
        Kind.DECISION_COMMENT,
        link=decision_link(locked) + f"#comment-{comment.public_id}",
        detail=Detail(
            Phrase(gettext_lazy("%(name)s commented on a decision"), {"name": actor.display_name}),
            current.title,
        ),
        actor=actor,
    )
    return comment


@transaction.atomic
def agreement_share(
    *,
    family: Family,
    actor: User,
    agreement: Agreement,
    caregivers: bool,
    children: bool,
) -> Agreement:
    """A parent shares an agreement with the family's caregivers and/or children, or stops
    sharing it. Professionals always read every agreement; nobody else sees unshared ones."""
    require_parent(family, actor)
    family_lock(family)
    locked = Agreement.objects.select_for_update(no_key=True).get(pk=agreement.pk, family=family)
    if (locked.shared_with_caregivers, locked.shared_with_children) == (caregivers, children):
        return locked
    locked.shared_with_caregivers = caregivers
    locked.shared_with_children = children
    locked.save(update_fields=["shared_with_caregivers", "shared_with_children"])
    record_append(
        family=family,
        actor=actor,
        kind="decision.shared",
        fields={
            "agreement": str(locked.public_id),
            "caregivers": int(caregivers),
            "children": int(children),
        },
    )
    return locked


@transaction.atomic
def _proposal_expire(family: Family, pk: int, now: dt.datetime) -> bool:
    family_lock(family)
    proposal = Proposal.objects.only("decision_id").get(pk=pk, family=family)
    decision = Decision.objects.select_for_update(no_key=True).get(
        pk=proposal.decision_id, family=family
    )
    locked = (
        Proposal.objects.select_for_update(no_key=True, of=("self",))
        .select_related("proposed_by")
        .get(pk=pk, family=family)
    )
    locked.decision = decision
    if locked.status != ProposalStatus.PENDING or locked.respond_by > now:
        return False  # answered or withdrawn meanwhile
    _settle(locked, ProposalStatus.EXPIRED, None, now)
    _set_decision_status(decision, DecisionStatus.EXPIRED, now)
    agreement = None
    if locked.on_no_answer == NoAnswer.COURT_DEFAULT:
        agreement = _agree(
            locked,
            basis=AgreementBasis.COURT_DEFAULT,
            outcome=locked.default_outcome,
            accepted_by=None,
            now=now,
            strict=False,
        )
    record_append(
        family=family,
        actor=None,
        kind="decision.expired",
        fields={
            "decision": str(decision.public_id),
            "proposal": str(locked.public_id),
            "outcome": NoAnswer.COURT_DEFAULT if agreement else NoAnswer.NOTHING,
            "agreement": str(agreement.public_id) if agreement else "",
            "supersedes": _superseded_id(agreement) if agreement else "",
        },
    )
    notify(
        family,
        _parents(family),
        Kind.DEADLINE_EXPIRED,
        link=decision_link(decision),
        detail=Detail(
            gettext_lazy("A proposed decision expired without an answer"),
            (
                Phrase(
                    gettext_lazy("The default outcome from the court order applies: %(outcome)s"),
                    {"outcome": locked.default_outcome},
                )
                if agreement
                else gettext_lazy("Nothing was decided. To ask again, make a new proposal.")
            ),
        ),
    )
    return True


def decisions_expire(*, now: dt.datetime | None = None) -> int:
    """Expire every proposal still unanswered at its respond-by time: stored as expired, the
    court-order default applied where the proposal named one, on the record with no actor, and
    both parents told. Each in its own transaction under the family lock, checked again there,
    so an answer that lands first wins and two runs expire each once. Returns how many expired;
    a failure on one does not stop the others and is raised at the end (the worker retries)."""
    now = now or timezone.now()
    due = [
        (proposal.family, proposal.pk)
        for proposal in Proposal.objects.filter(
            status=ProposalStatus.PENDING, respond_by__lte=now
        ).select_related("family")
    ]
    expired = 0
    failure: Exception | None = None
    for family, pk in due:
        try:
            expired += _proposal_expire(family, pk, now)
        except Exception as error:
            failure = failure or error
    if failure is not None:
        raise failure
    return expired

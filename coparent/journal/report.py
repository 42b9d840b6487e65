"""The journal section of a court report: the private journal entries of the member who makes
the report, written in the period, each with its proof (the salt, the log index of the record
entry that holds SHA-256(salt || text), and that hash), so disclosing an entry comes with the
means to check it. Nobody else's journal ever comes out here: the section reads only the
reader's own entries, and a report made by anyone else (or by the operator's command, which has
no reader) says so in one line."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coparent.families.models import Role
from coparent.journal import selectors
from coparent.messaging import files
from coparent.reports.sections import ReportOut, ReportScope, Section, register_section
from coparent.tlog import content_hash

APPENDIX_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


def write(scope: ReportScope, out: ReportOut) -> None:
    reader = scope.reader
    if reader is None or reader.role != Role.PARENT:
        out.note(str(_("A private journal is only included in its author's own report.")))
        return
    proved = [
        p
        for p in selectors.entries_for_report(
            family=scope.family,
            author=reader,
            start=scope.start,
            end=scope.end,
            entry_ids=scope.journal_entry_ids,
        )
        if p.index < scope.tree_size
    ]
    out.note(
        str(
            _(
                "The private journal entries %(who)s wrote in the period, disclosed by them. The "
                "family record holds only each entry's fingerprint, SHA-256(salt || text); the "
                "salt printed here lets anyone check the text against the record entry named."
            )
        )
        % {"who": scope.name(reader.user_id)}
    )
    if not proved:
        out.note(str(_("No journal entries in this period.")))
        return
    entries_csv = out.csv(
        "journal", ["written_at", "text", "corrects", "log_index", "salt", "sha256"]
    )
    for item in proved:
        entry = item.entry
        digest = content_hash(item.salt, entry.body.encode("utf-8"))
        details = [
            str(_("Record: %(mark)s")) % {"mark": out.entry(item.index)},
            str(_("Salt (hex): %(salt)s")) % {"salt": item.salt_hex},
            str(_("Fingerprint: %(hash)s")) % {"hash": digest},
        ]
        corrects = ""
        if entry.corrects is not None:
            corrects = scope.when(entry.corrects.created_at)
            details.append(
                str(_("Corrects the entry of %(when)s (%(mark)s)"))
                % {"when": corrects, "mark": out.entry(entry.corrects.record_index)}
                if entry.corrects.record_index < scope.tree_size
                else str(_("Corrects the entry of %(when)s")) % {"when": corrects}
            )
        for number, photo in enumerate(item.photos, start=1):
            line = str(_("Photo %(n)s (%(type)s), salt %(salt)s")) % {
                "n": number,
                "type": photo.photo.media_type,
                "salt": photo.salt.hex(),
            }
            if photo.photo.media_type in APPENDIX_TYPES:
                try:
                    content = files.read(photo.photo.stored_name)
                except OSError:
                    content = None
                if content is not None:
                    title = str(_("Journal photo %(n)s of %(when)s")) % {
                        "n": number,
                        "when": scope.when(entry.created_at),
                    }
                    line += f", {out.appendix(title, content, photo.photo.media_type)}"
            details.append(line)
        out.item(scope.when(entry.created_at), entry.body, details)
        entries_csv(
            [
                entry.created_at.isoformat(),
                entry.body,
                corrects,
                item.index,
                item.salt_hex,
                digest,
            ]
        )


register_section(
    Section(
        key="journal",
        title=_("My journal"),
        write=write,
        order=50,
        roles=frozenset({Role.PARENT}),
    )
)

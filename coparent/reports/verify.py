"""`coparent verify REPORT.pdf`: extracts the record bundle attached to a court report, checks it
exactly as `coparent verify BUNDLE.zip` does, then checks that every entry the report prints
("log #N") is in that bundle. No Django: pypdf reads the attachment, PDFium (pypdfium2) the
text, coparent.tlog checks the bundle.
"""

from __future__ import annotations

import io
import json
import re
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

BUNDLE_NAME = "record-bundle.zip"
MARK = re.compile(r"log\s#(\d+)")


class ReportProblem(Exception):
    pass


def is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"%PDF-"
    except OSError:
        return False


def extract_bundle(path: Path) -> bytes:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        attachments = reader.attachments
    except (PdfReadError, OSError, ValueError) as exc:
        raise ReportProblem(f"report: cannot be read as a PDF ({exc})") from exc
    found = attachments.get(BUNDLE_NAME)
    if not found:
        raise ReportProblem(f"report: no attached file named {BUNDLE_NAME}")
    if len(found) != 1:
        raise ReportProblem(f"report: {BUNDLE_NAME} is attached more than once")
    return found[0]


def printed_indexes(path: Path) -> dict[int, int]:
    """{log index: first page it is printed on}, from the report's extracted text (PDFium,
    through pypdfium2: a thousand-page report is read in seconds)."""
    import pypdfium2

    found: dict[int, int] = {}
    document = pypdfium2.PdfDocument(str(path))
    try:
        for number in range(len(document)):
            page = document[number]
            text = page.get_textpage().get_text_range()
            for match in MARK.finditer(text):
                found.setdefault(int(match.group(1)), number + 1)
    finally:
        document.close()
    return found


def bundle_indexes(bundle: bytes) -> set[int]:
    """The indexes of the bundle's entries, read line by line (the bundle verified first)."""
    with zipfile.ZipFile(io.BytesIO(bundle)) as zf, zf.open("entries.jsonl") as lines:
        return {json.loads(line)["index"] for line in lines if line.strip()}


def main(argv: Sequence[str]) -> int:
    """Called by `coparent verify` when its file is a PDF; same options as for a bundle."""
    import pypdfium2

    from coparent.tlog import verify as bundle_verify

    args = list(argv)
    target = next((Path(a) for a in args if not a.startswith("-") and is_pdf(Path(a))), None)
    if target is None:
        return bundle_verify.main(args)
    try:
        bundle = extract_bundle(target)
    except ReportProblem as exc:
        print(f"FAILED: {exc}")
        return 1
    print(f"Checking {BUNDLE_NAME}, the record bundle attached to {target}:")
    with _temporary(bundle) as bundle_path:
        position = args.index(str(target))
        status = bundle_verify.main([*args[:position], str(bundle_path), *args[position + 1 :]])
    if status != 0:
        print(f"FAILED: the record bundle attached to {target} does not verify (above)")
        return status
    try:
        printed = printed_indexes(target)
        held = bundle_indexes(bundle)
    except (ValueError, KeyError, zipfile.BadZipFile, pypdfium2.PdfiumError) as exc:
        print(f"FAILED: report: cannot be read ({exc})")
        return 1
    missing = sorted(set(printed) - held)
    if missing:
        first = missing[0]
        print(
            f"FAILED: report: log #{first} is printed on page {printed[first]} but is not in the "
            f"attached bundle ({len(missing)} printed entries missing)"
        )
        return 1
    print(
        f"OK: every one of the {len(printed)} record entries printed in {target} is in the "
        "attached bundle, which verifies"
    )
    return 0


class _temporary:
    def __init__(self, data: bytes) -> None:
        import tempfile

        self._dir = tempfile.TemporaryDirectory()
        self.path = Path(self._dir.name) / BUNDLE_NAME
        self.path.write_bytes(data)

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        self._dir.cleanup()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

import json
import subprocess
import sys
from pathlib import Path

import pytest

from coparent.engine.cli import main
from tests.engine.helpers import make_spec


def write(tmp_path: Path, spec) -> str:
    path = tmp_path / "spec.json"
    path.write_text(spec if isinstance(spec, str) else json.dumps(spec))
    return str(path)


def test_preview_prints_segments_nights_and_a_summary(tmp_path, capsys):
    code = main(
        ["preview", write(tmp_path, make_spec()), "--from", "2026-01-01", "--to", "2026-02-01"]
    )
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    data = json.loads(out)
    assert set(data) == {"segments", "nights", "summary"}
    assert data["segments"][0]["start"] == "2026-01-01T00:00:00-06:00"
    assert data["segments"][-1]["end"] == "2026-02-01T00:00:00-06:00"
    assert set(data["segments"][0]) == {"start", "end", "parent", "source"}
    assert len(data["nights"]) == 31
    # 2-2-3 from Monday 5 January (AABBAAA BBAABBB): 1 January is day 10 (A), and the night
    # of 31 January (day 12, B) is decided at 00:00 on 1 February, just past the window.
    assert data["nights"][0] == {"date": "2026-01-01", "parent": "A"}
    assert data["nights"][-1] == {"date": "2026-01-31", "parent": "B"}
    assert set(data["summary"]) == {"A", "B"}
    assert set(data["summary"]["A"]) == {
        "overnights",
        "hours",
        "overnights_percent",
        "hours_percent",
        "days",
    }
    assert sum(p["overnights"] for p in data["summary"].values()) == 31
    assert sum(p["hours"] for p in data["summary"].values()) == 31 * 24


def test_preview_of_a_family_spec_gives_one_result_per_child(tmp_path, capsys):
    family = {"children": {"emma": make_spec(), "liam": make_spec(rotation=None, default="B")}}
    code = main(["preview", write(tmp_path, family), "--from", "2026-01-01", "--to", "2026-01-08"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["children"]["liam"]["summary"]["B"]["overnights"] == 7


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            make_spec(rotation={"template": "9-9", "anchor": "2026-01-05", "first": "A"}),
            "unknown template",
        ),
        (
            make_spec(
                recurring=[
                    {
                        "rrule": "FREQ=SOMETIMES",
                        "start_time": "18:00",
                        "end": {"days": 0, "time": "20:00"},
                        "parent": "B",
                    }
                ]
            ),
            "bad RRULE",
        ),
        (make_spec(timezone="America/Atlantis"), "unknown IANA time zone"),
        (make_spec(default="C"), "not declared"),
        (
            make_spec(
                overrides=[
                    {
                        "start": "2026-01-05T18:00",
                        "end": "2026-01-05T09:00",
                        "parent": "B",
                        "name": "x",
                    }
                ]
            ),
            "end must be after start",
        ),
        (
            make_spec(
                holidays=[
                    {
                        "name": "H",
                        "date": {"month": 7, "day": 4},
                        "start": {"days": 1, "time": "09:00"},
                        "end": {"days": 0, "time": "09:00"},
                        "parent": "A",
                    }
                ]
            ),
            "end must be after start",
        ),
        ("{not json", "malformed JSON"),
        ("[1, 2]", "must be an object"),
    ],
)
def test_an_invalid_spec_exits_2_with_one_line_on_stderr_and_nothing_on_stdout(
    tmp_path, capsys, spec, message
):
    code = main(["preview", write(tmp_path, spec), "--from", "2026-01-01", "--to", "2026-02-01"])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.endswith("\n")
    assert message in err


def test_a_missing_file_exits_2_with_one_line(tmp_path, capsys):
    code = main(
        ["preview", str(tmp_path / "nope.json"), "--from", "2026-01-01", "--to", "2026-02-01"]
    )
    out, err = capsys.readouterr()
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert "cannot read" in err


def test_to_must_be_after_from(tmp_path, capsys):
    code = main(
        ["preview", write(tmp_path, make_spec()), "--from", "2026-02-01", "--to", "2026-02-01"]
    )
    out, err = capsys.readouterr()
    assert (code, out, err.count("\n")) == (2, "", 1)


@pytest.mark.parametrize(
    "argv",
    [
        ["preview", "spec.json", "--from", "2026-13-01", "--to", "2026-02-01"],
        ["preview", "spec.json", "--to", "2026-02-01"],
        ["publish"],
    ],
)
def test_bad_arguments_exit_2_with_one_line(capsys, argv):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    out, err = capsys.readouterr()
    assert (exited.value.code, out, err.count("\n")) == (2, "", 1)


def test_the_engine_imports_without_django():
    code = (
        "import sys, coparent.engine, coparent.engine.cli; "
        "bad = [m for m in sys.modules if m.split('.')[0] in {'django', 'ninja', 'django_otp'}]; "
        "sys.exit(1 if bad else 0)"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, env={}, cwd=root, check=False
    )
    assert result.returncode == 0, result.stderr

"""The runload command: exit codes, text and JSON output on real files."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from runload.cli import ExitStatus, main


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_scan_history_a_text(realdata, tmp_path):
    cache = str(tmp_path / "cache")
    code, out, err = run("scan", "--cache-dir", cache, str(realdata / "history_a"))
    assert code == ExitStatus.SUCCESS
    assert "Scanned 314 files" in out and "0 from the cache, 314 decoded" in out
    assert "Runs: 188, 1,371.2 km (46 manual entries without records)" in out
    assert "local dates 2019-08-31 to 2022-12-21" in out
    assert "local time from: the FIT file 184, nothing (UTC assumed) 4" in out
    # no progress bar when stderr is not a terminal; the UTC warning is shown
    assert err.startswith("runload: warning: 4 sessions dated in UTC")
    code, out, err = run("scan", "--cache-dir", cache, "--tz", "Asia/Shanghai",
                         str(realdata / "history_a"))
    assert "314 from the cache, 0 decoded" in out
    assert "local time from: the FIT file 184, --tz 4" in out
    assert err == ""


def test_bad_time_zone_is_a_usage_error(realdata, capsys):
    code, _, _ = run("scan", "--tz", "Mars/Base", str(realdata / "history_a"))
    assert code == ExitStatus.USAGE
    assert "--tz: must be an IANA time zone name" in capsys.readouterr().err  # argparse


def test_scan_json_reports_skipped_and_failed(realdata):
    code, out, _ = run("scan", "--json", "--no-cache", str(realdata / "fit"))
    assert code == ExitStatus.SUCCESS
    summary = json.loads(out)
    assert summary["files"] == 40
    skipped = {item["path"].rsplit("/", 1)[1]: item["reason"] for item in summary["skipped"]}
    failed = {item["path"].rsplit("/", 1)[1]: item["reason"] for item in summary["failed"]}
    assert "monitoring_b" in skipped["fitparse__MonitoringFile.fit"]
    assert failed == {"sportslib__empty-sessions.fit": "empty file (0 bytes)"}
    partial = {item["path"].rsplit("/", 1)[1] for item in summary["partial"]}
    assert {d["rule"] for d in summary["duplicates"]} >= {"overlap_shifted"}
    assert "fitparse__nick.fit" in partial
    assert summary["files_by_status"]["read"] + summary["files_by_status"]["partial"] == 38


def test_missing_path_exit_code(tmp_path):
    code, out, err = run("scan", str(tmp_path / "nope"))
    assert code == ExitStatus.NOT_FOUND
    assert "nope: no such file or folder" in err


def test_usage_error_exit_code():
    code, _, _ = run("frobnicate")
    assert code == ExitStatus.USAGE


def test_python_dash_m_runs(realdata):
    proc = subprocess.run([sys.executable, "-m", "runload", "scan", "--json",
                           str(realdata / "fit" / "gc__3386684871.fit")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["runs"]["count"] == 1


def test_public_api_is_importable_from_the_package(realdata):
    import runload

    act = runload.read_activity(realdata / "fit" / "gc__3386684871.fit")
    assert isinstance(act, runload.Activity)
    assert issubclass(runload.NotAnActivityError, runload.ReadError)
    assert issubclass(runload.ReadError, runload.RunloadError)


def test_closed_pipe_is_not_an_error(realdata):
    proc = subprocess.run(f'"{sys.executable}" -m runload scan --json "{realdata / "gpx"}" | head -1',
                          shell=True, capture_output=True, text=True, check=False)
    assert proc.stdout == "{\n"
    assert "Traceback" not in proc.stderr


def test_analyze_history_a_in_plain_words(realdata, tmp_path):
    code, out, err = run("analyze", "--no-cache", "--tz", "Asia/Shanghai", "--weeks", "3",
                         str(realdata / "history_a"))
    assert code == ExitStatus.SUCCESS, err
    assert out.startswith("Weeks (starting on Monday, local dates):")
    assert "2022-12-19" in out  # the last week
    assert "F-SPIKE [caution; moderate evidence; J. S. B. Frandsen et al.]" in out
    assert "None of them predicts or prevents an injury" in out
    assert "doi:10.1136/bjsports-2024-109380" in out
    assert "ACWR (uncoupled 7:21 days, minutes of running)" in out


def test_analyze_csv_json_and_period(realdata):
    code, out, _ = run("analyze", "--no-cache", "--tz", "Asia/Shanghai", "--format", "csv",
                       "--since", "2022-10-01", str(realdata / "history_a"))
    assert code == ExitStatus.SUCCESS
    flags = pd.read_csv(io.StringIO(out))
    assert (flags["local_date"] >= "2022-10-01").all()
    # the surface flags and the one-variable flag's surface mix depend on the classification
    assert len(flags[~flags["flag_id"].isin(["F-SURFACE", "F-ONEVAR"])]) == 5
    code, out, _ = run("analyze", "--no-cache", "--tz", "Asia/Shanghai", "--format", "json",
                       "--until", "2020-12-31", str(realdata / "history_a"))
    result = json.loads(out)
    assert result["flags"] and all(f["local_date"] <= "2020-12-31" for f in result["flags"])
    assert {r["key"] for r in result["references"]} == {f["citation_key"]
                                                       for f in result["flags"]}


def test_analyze_config_file(realdata, tmp_path):
    config = tmp_path / "runload.toml"
    config.write_text("[spike]\nenabled = false\n\n[weekly_jump]\nenabled = false\n")
    code, out, _ = run("analyze", "--no-cache", "--tz", "Asia/Shanghai", "--format", "csv",
                       "--config", str(config), str(realdata / "history_a"))
    assert code == ExitStatus.SUCCESS
    assert not {"F-SPIKE", "F-WEEK30"} & set(pd.read_csv(io.StringIO(out))["flag_id"])
    config.write_text("[spike]\nlookback = 30\n")
    code, _, err = run("analyze", "--no-cache", "--config", str(config),
                       str(realdata / "history_a"))
    assert code == ExitStatus.ERROR
    assert "Unknown key 'lookback' in config section [spike]" in err


SURFACES_TOML = """\
[[override]]
from = 2022-10-01
to = 2022-10-31
surface = "trail"

[[override]]
activity_id = "826517323a13aac2-0"
surface = "track"
"""


def test_analyze_with_a_surface_override_file(realdata, tmp_path):
    path = tmp_path / "surfaces.toml"
    path.write_text(SURFACES_TOML)
    code, out, err = run("analyze", "--no-cache", "--tz", "Asia/Shanghai", "--format", "json",
                         "--since", "2022-09-26", "--surfaces", str(path),
                         str(realdata / "history_a"))
    assert code == ExitStatus.SUCCESS, err
    result = json.loads(out)
    weeks = {w["week_start"]: w for w in result["weeks"]}
    for week in ("2022-10-03", "2022-10-10", "2022-10-17", "2022-10-24"):
        assert weeks[week]["distance_trail_m"] == weeks[week]["distance_m"] > 0
        assert weeks[week]["share_trail_frac"] == 1.0
    assert weeks["2022-12-05"]["distance_track_m"] == pytest.approx(11006.82)
    # 7 October runs and the 8 December run; nothing else is user_override
    assert result["surfaces"]["source_runs"]["user_override"] == 8
    assert result["surfaces"]["runs"]["track"] >= 1
    surface_flags = [f for f in result["flags"] if f["flag_id"] == "F-SURFACE"]
    overridden = [f for f in surface_flags if "(surface from your override file)" in f["message"]]
    assert any(f["local_date"].startswith("2022-10") for f in overridden)
    assert all(f["evidence_grade"] == "expert opinion" for f in surface_flags)

    code, out, err = run("analyze", "--no-cache", "--tz", "Asia/Shanghai", "--surfaces",
                         str(path), "--since", "2022-09-26", str(realdata / "history_a"))
    assert code == ExitStatus.SUCCESS, err
    assert "Surface mix (share of each week's distance):" in out
    assert "user_override 8" in out
    # without --since: the last 4 weeks only, and a line saying how many flags are older
    code, out, err = run("analyze", "--no-cache", "--tz", "Asia/Shanghai", "--surfaces",
                         str(path), str(realdata / "history_a"))
    assert "user_override 1" in out
    assert "earlier flags are not shown: --since YYYY-MM-DD shows a longer period" in out


def test_scan_reports_what_a_surface_override_file_changed(realdata, tmp_path):
    path = tmp_path / "surfaces.csv"
    path.write_text("activity_id,from,to,surface\n,2022-10-01,2022-10-31,trail\n"
                    "826517323a13aac2-0,,,track\nnot-an-id-0,,,road\n")
    code, out, err = run("scan", "--no-cache", "--tz", "Asia/Shanghai", "--surfaces", str(path),
                         str(realdata / "history_a"))
    assert code == ExitStatus.SUCCESS, err
    assert (f"Surface overrides ({path}, 3 rules): 8 sessions set to user_override" in out)
    assert "1 rules match no session: rule 3" in out
    code, out, _ = run("scan", "--no-cache", "--tz", "Asia/Shanghai", "--json", "--surfaces",
                       str(path), str(realdata / "history_a"))
    summary = json.loads(out)["surface_overrides"]
    assert (summary["rules"], summary["sessions_set"], summary["rules_unmatched"]) == (3, 8, [3])
    assert 0 <= summary["sessions_changed"] <= 8


def test_a_bad_surface_override_file_is_a_one_line_error(realdata, tmp_path):
    path = tmp_path / "surfaces.toml"
    path.write_text(SURFACES_TOML.replace('"track"', '"gravel"'))
    for command in ("scan", "analyze"):
        code, out, err = run(command, "--no-cache", "--surfaces", str(path),
                             str(realdata / "history_a"))
        assert code == ExitStatus.ERROR
        assert out == ""
        assert err == (f"runload: {path}, line 6 ([[override]] entry 2): unknown surface "
                       "'gravel'; the surfaces are road, trail, track, treadmill, indoor, "
                       "unknown.\n")
    code, _, err = run("analyze", "--surfaces", str(tmp_path / "absent.csv"),
                       str(realdata / "history_a"))
    assert code == ExitStatus.ERROR
    assert "absent.csv: cannot read the surface override file" in err


# --- report and --units -------------------------------------------------------------------

def test_report_writes_html_and_pdf(realdata, tmp_path):
    html, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    code, out, err = run("report", "--tz", "Asia/Shanghai", "-o", str(html), "--pdf", str(pdf),
                         str(realdata / "history_a"))
    assert code == ExitStatus.SUCCESS, err
    assert out.splitlines() == [
        f"Wrote {html}", f"Wrote {pdf}",
        "Week of 2022-12-19, 3 days so far: 10.2 km in 1 run, longest 10.2 km, 2 rest days, "
        "no flags; 128 flags in the whole history."]
    text = html.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and '<section id="summary"' in text
    assert 'data-as-of="2022-12-21"' in text and "<script" not in text
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.pdf"]


def test_report_as_of_weeks_and_miles(realdata, tmp_path):
    html = tmp_path / "old.html"
    code, out, err = run("report", "--tz", "Asia/Shanghai", "--as-of", "2022-12-10",
                         "--units", "mi", "--weeks", "4", "-o", str(html),
                         str(realdata / "history_a"))
    assert code == ExitStatus.SUCCESS, err
    assert out.splitlines()[-1] == (
        "Week of 2022-12-05, 6 days so far: 6.8 mi in 1 run, longest 6.8 mi, 5 rest days, "
        "flags: 1 caution; 128 flags in the whole history.")
    text = html.read_text(encoding="utf-8")
    assert 'data-as-of="2022-12-10"' in text and 'data-units="mi"' in text
    dates = re.findall(r'<tr [^>]*data-flag-id="[^"]+" data-local-date="([0-9-]+)"', text)
    assert dates and max(dates) <= "2022-12-10"
    weeks = re.findall(r'<tr data-week-start="([0-9-]+)"', text)
    assert weeks == ["2022-12-05", "2022-11-28", "2022-11-21", "2022-11-14"]
    # runs after --as-of are left out: the 21 Dec run is not in the history
    assert "Wed 21 Dec 2022" not in text


def test_report_errors_are_one_line(realdata, tmp_path, capsys):
    missing = tmp_path / "no" / "report.html"
    code, out, err = run("report", "-o", str(missing), str(realdata / "history_a"))
    assert (code, out) == (ExitStatus.ERROR, "")
    assert err == (f"runload: cannot write the report to {missing}: the folder "
                   f"{missing.parent} does not exist\n")
    code, _, err = run("report", "-o", str(tmp_path / "r.html"), "--pdf", str(tmp_path),
                       str(realdata / "history_a"))
    assert code == ExitStatus.ERROR
    assert err == f"runload: cannot write the PDF to {tmp_path}: it is a folder\n"
    code, _, _ = run("report", "--as-of", "2022-02-30", "-o", str(tmp_path / "r.html"),
                     str(realdata / "history_a"))
    assert code == ExitStatus.USAGE
    assert "--as-of: must be a date as YYYY-MM-DD; got '2022-02-30'" in capsys.readouterr().err
    code, _, _ = run("report", "--weeks", "0", "-o", str(tmp_path / "r.html"),
                     str(realdata / "history_a"))
    assert code == ExitStatus.USAGE
    assert "--weeks: must be a whole number >= 1" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_units_in_scan_and_analyze_tables(realdata, tmp_path):
    code, out, _ = run("scan", "--units", "mi", "--tz", "Asia/Shanghai",
                       str(realdata / "history_a"))
    assert code == ExitStatus.SUCCESS
    assert "Runs: 188, 852.0 mi (46 manual entries without records)" in out
    code, out, _ = run("analyze", "--units", "mi", "--weeks", "3", "--tz", "Asia/Shanghai",
                       str(realdata / "history_a"))
    assert code == ExitStatus.SUCCESS
    lines = out.splitlines()
    assert "pace" in lines[1]
    assert lines[2].startswith("  2022-12-05      6.8 mi     1          6    6.8 mi  11:24 /mi")
    assert "(previous week under 3.11 mi or 2 runs)" in lines[2]
    assert " km" not in "\n".join(lines[2:5])
    assert "6.8 mi is 10.06 % longer than your longest run" in out  # flag message in miles
    code, out, _ = run("analyze", "--weeks", "1", "--tz", "Asia/Shanghai",
                       str(realdata / "history_a"))
    assert "10.2 km" in out and "7:12 /km" in out


def test_units_from_the_config_and_units_wins(realdata, tmp_path):
    config = tmp_path / "runload.toml"
    config.write_text('[display]\nunits = "mi"\n')
    code, out, _ = run("scan", "--config", str(config), "--tz", "Asia/Shanghai",
                       str(realdata / "history_a"))
    assert code == ExitStatus.SUCCESS and "852.0 mi" in out
    code, out, _ = run("analyze", "--config", str(config), "--weeks", "1", "--tz",
                       "Asia/Shanghai", str(realdata / "history_a"))
    assert "6.4 mi" in out and "/mi" in out
    code, out, _ = run("analyze", "--config", str(config), "--units", "km", "--weeks", "1",
                       "--tz", "Asia/Shanghai", str(realdata / "history_a"))
    assert "10.2 km" in out and not re.search(r"\d mi\b|/mi\b", out)


def test_csv_and_json_stay_in_metres_whatever_the_units(realdata):
    outputs = {}
    for units in ("km", "mi"):
        code, out, _ = run("analyze", "--units", units, "--format", "json", "--tz",
                           "Asia/Shanghai", str(realdata / "history_a"))
        assert code == ExitStatus.SUCCESS
        outputs[units] = json.loads(out)
        code, out, _ = run("scan", "--units", units, "--json", "--tz", "Asia/Shanghai",
                           str(realdata / "history_a"))
        assert json.loads(out)["runs"]["distance_m"] == pytest.approx(1371184.0, abs=100)
    assert outputs["km"]["weeks"] == outputs["mi"]["weeks"]
    assert [f["value"] for f in outputs["km"]["flags"]] == [f["value"] for f in
                                                            outputs["mi"]["flags"]]


# --- coach ---------------------------------------------------------------------------------

SAMPLE_ROSTER = Path(__file__).resolve().parent.parent / "sample_data" / "roster"


def test_coach_writes_the_page_and_one_line_per_athlete(tmp_path):
    html, pdf = tmp_path / "team.html", tmp_path / "team.pdf"
    code, out, err = run("coach", str(SAMPLE_ROSTER / "roster.toml"), "--week", "2026-W43",
                         "-o", str(html), "--pdf", str(pdf), "--no-progress")
    assert (code, err) == (ExitStatus.SUCCESS, "")
    assert out.splitlines() == [
        f"Wrote {html}", f"Wrote {pdf}",
        "Tuesday group, week of 2026-10-19 to 2026-10-25 (3 athletes, most in need of "
        "attention first):",
        "  Ben Carter: 49.8 km in 5 runs; flags: 1 warning, 1 caution, 1 info (F-SPIKE, "
        "F-WEEK30, F-ONEVAR)",
        "  Chloé Martin: 31.8 km in 4 runs; flags: 2 caution, 1 info (F-LAYOFF, F-ONEVAR)",
        "  Ana Ruiz: 25.0 km in 3 runs; no flags"]
    text = html.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and '<section id="roster"' in text
    assert 'data-as-of="2026-10-25"' in text and "<script" not in text
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["team.html", "team.pdf"]


def test_coach_default_week_units_and_config(tmp_path):
    config = tmp_path / "coach.toml"
    config.write_text('[display]\nunits = "mi"\n', encoding="utf-8")
    code, out, _ = run("coach", str(SAMPLE_ROSTER / "roster.toml"), "--config", str(config),
                       "-o", str(tmp_path / "team.html"))
    assert code == ExitStatus.SUCCESS
    lines = out.splitlines()
    assert lines[1].startswith("Tuesday group, week of 2026-11-02 to 2026-11-08")
    assert "  Ana Ruiz: 15.5 mi in 3 runs; no flags" in lines
    code, out, _ = run("coach", str(SAMPLE_ROSTER / "roster.toml"), "--config", str(config),
                       "--units", "km", "-o", str(tmp_path / "team.html"))
    assert "  Ana Ruiz: 25.0 km in 3 runs; no flags" in out.splitlines()


@pytest.mark.parametrize("week", ["2026-W60", "soon", "2027-W53"])
def test_coach_week_is_a_usage_error(week, tmp_path, capsys):
    code, out, _ = run("coach", str(SAMPLE_ROSTER / "roster.toml"), "--week", week,
                       "-o", str(tmp_path / "team.html"))
    assert (code, out) == (ExitStatus.USAGE, "")
    assert f"argument --week: {week!r} is not a week" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_coach_checks_the_outputs_before_reading(tmp_path):
    missing = tmp_path / "no" / "team.html"
    code, out, err = run("coach", str(SAMPLE_ROSTER / "roster.toml"), "-o", str(missing))
    assert (code, out) == (ExitStatus.ERROR, "")
    assert err == (f"runload: cannot write the coach page to {missing}: the folder "
                   f"{missing.parent} does not exist\n")
    code, _, err = run("coach", str(SAMPLE_ROSTER / "roster.toml"), "-o",
                       str(tmp_path / "t.html"), "--pdf", str(tmp_path))
    assert err == f"runload: cannot write the PDF to {tmp_path}: it is a folder\n"
    assert not list(tmp_path.iterdir())


def test_coach_an_athlete_whose_data_fails_is_on_the_page(tmp_path):
    roster = tmp_path / "roster.toml"
    roster.write_text(
        'title = "Group <b>A</b>"\n'
        f'[[athlete]]\nname = "Ana Ruiz"\npath = "{SAMPLE_ROSTER / "ana"}"\n'
        'tz = "Europe/Madrid"\n'
        '[[athlete]]\nname = "Dan <i>"\npath = "dan_export.zip"\n', encoding="utf-8")
    html = tmp_path / "team.html"
    code, out, err = run("coach", str(roster), "--week", "2026-W45", "-o", str(html))
    assert code == ExitStatus.SUCCESS
    assert out.splitlines()[2:] == [
        f"  Dan <i>: could not read the data: {tmp_path / 'dan_export.zip'}: no such file or "
        "folder",
        "  Ana Ruiz: 25.0 km in 3 runs; no flags"]
    assert err == ("runload: warning: the data of 1 athlete could not be read (Dan <i>); the "
                   "page says why.\n")
    text = html.read_text(encoding="utf-8")
    assert "Dan &lt;i&gt;" in text and "<i>" not in text and "Group &lt;b&gt;A" in text
    assert 'data-status="error"' in text


def test_coach_import_warnings_name_the_athlete(tmp_path):
    from tests.test_roster_week import fit_run

    folder = tmp_path / "uma"
    folder.mkdir()
    (folder / "run.fit").write_bytes(fit_run("2026-10-20", 6.0, offset_h=None))
    roster = tmp_path / "roster.toml"
    roster.write_text(f'[[athlete]]\nname = "Uma"\npath = "{folder}"\n', encoding="utf-8")
    code, out, err = run("coach", str(roster), "-o", str(tmp_path / "t.html"))
    assert code == ExitStatus.SUCCESS
    assert err.startswith("runload: warning: Uma: 1 session dated in UTC")
    assert out.splitlines()[-1] == "  Uma: 6.0 km in 1 run; no flags"


def test_coach_errors_are_one_line(tmp_path):
    code, _, err = run("coach", str(tmp_path / "absent.toml"), "-o", str(tmp_path / "t.html"))
    assert code == ExitStatus.ERROR
    assert err.startswith(f"runload: {tmp_path / 'absent.toml'}: cannot read the roster")
    roster = tmp_path / "roster.toml"
    roster.write_text('[[athlete]]\nname = "Yan"\npath = "gone"\n', encoding="utf-8")
    code, _, err = run("coach", str(roster), "-o", str(tmp_path / "t.html"))
    assert code == ExitStatus.ERROR
    assert err == ("runload: No athlete of the roster has a run to choose the week by; name "
                   "the week, e.g. 2026-W46.\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roster.toml"]


# --- pain journal --------------------------------------------------------------------------

SAMPLE_RUNNER = Path(__file__).resolve().parent.parent / "sample_data" / "runner"


def test_pain_add_three_entries_then_analyze_shows_the_journal(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    journal = tmp_path / "pain.csv"
    code, out, err = run("pain", "add", "2026-06-06", "knee", "4", "--timing", "after",
                         "--note", "sore after the Harz hills, downstairs")
    assert (code, err) == (ExitStatus.SUCCESS, "")
    assert out == (f"Wrote line 2 of {journal}: 2026-06-06, knee, 4/10, after (sore after the "
                   "Harz hills, downstairs)\n")
    code, out, _ = run("pain", "add", "2026-06-08", "Knee", "1", "--timing", "next morning")
    assert out == f"Wrote line 3 of {journal}: 2026-06-08, knee, 1/10, next morning\n"
    code, out, _ = run("pain", "add", "2026-08-12", "lower back", "5", "--file", "pain.csv")
    assert out == f"Wrote line 4 of {journal}: 2026-08-12, lower back, 5/10\n"
    assert journal.read_text(encoding="utf-8") == (
        "date,region,severity,timing,note\n"
        "2026-06-06,knee,4,after,\"sore after the Harz hills, downstairs\"\n"
        "2026-06-08,knee,1,next_morning,\n"
        "2026-08-12,lower_back,5,,\n")

    code, out, err = run("pain", "show")
    assert (code, err) == (ExitStatus.SUCCESS, "")
    assert out.splitlines()[:3] == [
        f"Pain journal ({journal}: 3 entries, 2 episodes; an episode starts at 3/10 or more "
        "after 14 days without):",
        "  knee: on 2026-06-06, peak 4/10, 1 entry",
        "  lower back: since 2026-08-12, still open (last entry 2026-08-12), peak 5/10, 1 entry"]

    code, out, err = run("analyze", str(SAMPLE_RUNNER), "--pain", "pain.csv", "--no-progress")
    assert code == ExitStatus.SUCCESS, err
    part = out[out.index("Pain journal"):out.index("These flags are associations")]
    lines = part.splitlines()
    assert lines[0] == ("Pain journal (pain.csv: 3 entries, 2 episodes; an episode starts at "
                        "3/10 or more after 14 days without):")
    assert lines[1] == "  knee: on 2026-06-06, peak 4/10, 1 entry"
    knee = lines[2:lines.index("  lower back: since 2026-08-12, still open (last entry "
                               "2026-08-12), peak 5/10, 1 entry")]
    assert knee and all(s.startswith("      In the ") for s in knee)
    assert any("trails" in s for s in knee)   # the Harz week before the knee episode
    assert lines[-3:] == [
        "  Studies have not linked any training-load measure to low-back pain in runners.",
        "  These are patterns in your own history, not the reason for the pain; with 2 "
        "episodes this says little. See a clinician if pain persists, gets worse or radiates "
        "(e.g. into a leg).", ""]
    without = run("analyze", str(SAMPLE_RUNNER), "--no-progress")[1]
    assert "Pain journal" not in without
    assert out.replace(part, "") == without

    code, out, _ = run("analyze", str(SAMPLE_RUNNER), "--pain", "pain.csv", "--format", "json")
    pain = json.loads(out)["pain"]
    assert (pain["file"], pain["entries"], pain["enabled"]) == ("pain.csv", 3, True)
    assert [e["episode_id"] for e in pain["episodes"]] == ["knee-2026-06-06",
                                                           "lower_back-2026-08-12"]
    assert pain["episodes"][1]["end_date"] is None and pain["episodes"][1]["is_open"]
    assert len(pain["exposures"]) == 66
    assert pain["exposures"][0]["onset_date"] == "2026-06-06"
    code, out, _ = run("analyze", str(SAMPLE_RUNNER), "--pain", "pain.csv", "--format", "csv")
    assert "knee" not in out    # csv is the flags table, as without a journal


@pytest.mark.parametrize(("argv", "says"), [
    (("2026-13-01", "knee", "3"), "argument DATE: got '2026-13-01'; a date is written "
                                  "YYYY-MM-DD"),
    (("2026-05-01", "neck", "3"), "argument REGION: got 'neck'; a region is one of lower_back"),
    (("2026-05-01", "knee", "11"), "argument SEVERITY: got '11'; a severity is a whole number "
                                   "from 0 (no pain) to 10"),
    (("2026-05-01", "knee", "-1"), "argument SEVERITY: got '-1'"),
    (("2026-05-01", "knee", "3", "--timing", "soon"), "argument --timing: got 'soon'"),
])
def test_pain_add_bad_values_are_usage_errors(tmp_path, capsys, argv, says):
    journal = tmp_path / "pain.csv"
    code, out, _ = run("pain", "add", *argv, "--file", str(journal))
    assert (code, out) == (ExitStatus.USAGE, "")
    assert says in capsys.readouterr().err
    assert not journal.exists()


def test_pain_journal_errors_are_one_line(tmp_path):
    other = tmp_path / "runs.csv"
    other.write_text("name,distance\nAna,5\n", encoding="utf-8")
    code, out, err = run("pain", "add", "2026-05-01", "knee", "3", "--file", str(other))
    assert (code, out) == (ExitStatus.ERROR, "")
    assert err == (f"runload: {other}, line 1: not a pain journal header (unknown column "
                   "'name'): got 'name,distance'; the header is date,region,severity,timing,"
                   "note (timing and note optional); not appending to it\n")
    assert other.read_text(encoding="utf-8") == "name,distance\nAna,5\n"
    bad = tmp_path / "pain.csv"
    bad.write_text("date,region,severity\n2026-05-01,knee,3\n2026-05-02,knee,x\n",
                   encoding="utf-8")
    for argv in (("analyze", str(SAMPLE_RUNNER), "--pain", str(bad)),
                 ("report", str(SAMPLE_RUNNER), "--pain", str(bad), "-o",
                  str(tmp_path / "r.html")),
                 ("pain", "show", "--file", str(bad))):
        code, out, err = run(*argv)
        assert (code, out) == (ExitStatus.ERROR, ""), argv
        assert err == (f"runload: {bad}, line 3: column 'severity': got 'x'; a severity is a "
                       "whole number from 0 (no pain) to 10\n")
    code, _, err = run("pain", "show", "--file", str(tmp_path / "none.csv"))
    assert code == ExitStatus.ERROR and "none.csv: no such pain journal" in err
    assert not (tmp_path / "r.html").exists()


def test_report_takes_the_pain_journal(tmp_path):
    journal = tmp_path / "pain.csv"
    journal.write_text("date,region,severity\n2026-06-06,knee,4\n2026-06-08,knee,1\n",
                       encoding="utf-8")
    html = tmp_path / "r.html"
    code, out, err = run("report", str(SAMPLE_RUNNER), "--pain", str(journal), "-o", str(html),
                         "--no-progress")
    assert code == ExitStatus.SUCCESS, err
    assert out.startswith(f"Wrote {html}\n")
    assert 'id="pain-knee-2026-06-06"' in html.read_text(encoding="utf-8")


def test_terminal_escapes_in_file_names_are_printed_escaped(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "evil\x1b[2J\u202egpx.fit").write_bytes(b"\x0e\x10garbage, not FIT")
    code, out, err = run("scan", str(folder), "--no-cache", "--no-progress")
    assert code == ExitStatus.SUCCESS
    text = out + err
    assert "\x1b" not in text and "\u202e" not in text
    assert "evil\\x1b[2J\\u202egpx.fit" in text

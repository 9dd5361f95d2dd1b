"""The ten deliberately broken files of ../shared/realdata, each in the folder it lives in.

Their README lists them under "Corrupt on purpose".  Read with
``runload.read_history(folder)``, each is reported with the damage named
(failed with a ReadError's reason when nothing can be read, partial or read
with the repair named otherwise), and every other file of its folder is read
completely: its sessions are all in the history, exactly as reading the file
alone gives them.  (test_importer.py checks the statuses of all the folders
read together; test_fit/test_gpx/test_tcx each file's own outcome.)
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from runload import read_history
from runload.errors import CorruptFileError, NotAnActivityError, RunloadWarning
from runload.readers.content import read_activity
from runload.schema import validate_columns

#: relpath -> (status in the files report, pattern its reason must match).
BROKEN = {
    "fit/fitdecode__activity-unexpected-eof.fit":
        ("partial", r"file truncated: header declares 757 data bytes, 756 present"),
    "fit/fitdecode__activity-settings-corruptheader.fit":
        ("partial", r"chained FIT part 2 at byte 771 has a corrupt header"),
    "fit/fitdecode__activity-filecrc.fit": ("partial", r"^file CRC mismatch"),
    "fit/fitparse__nick.fit":
        ("partial", r"truncated message: the data ends at byte 403454.*no session message"),
    "fit/sportslib__empty-sessions.fit": ("failed", r"^empty file \(0 bytes\)$"),
    "fit/sportslib__empty-activities.fit":
        ("partial", r"^header declares no data although the file has 86004 more bytes"),
    "fit/fitparse__strava-android-app-201.10-b1218918.fit":
        ("partial", r"data message uses undefined local message 11 at byte 7471"),
    "gpx/sportslib__6037744996.gpx":
        ("read", r"unbound prefix.*the file uses XML prefixes it never declares \(gpxdata\)"),
    "gpx/runalyze__standard.gpx":
        ("read", r"latitude is mandatory.*1 track point\(s\) have no valid position"),
    "tcx/runpandas__malformed.tcx":
        ("partial", r"the TrainingCenterDatabase root element is missing: the file was cut"),
}
#: Files that are valid but no activity (not broken): reported as such.
NOT_ACTIVITIES = {"fit/fitparse__MonitoringFile.fit", "gpx/gc__MetadataOnly.gpx",
                  "gpx/gpxpy__route.gpx", "gpx/runalyze__Route-only.gpx",
                  "tcx/runalyze__Route-only.tcx"}


def _corrupt_on_purpose(realdata: Path) -> set[str]:
    """The files the README lists as corrupt on purpose ('…' abbreviations resolved)."""
    readme = (realdata / "README.md").read_text(encoding="utf-8")
    bullet = next(line for line in readme.splitlines() if "Corrupt on purpose" in line)
    start = readme.index(bullet)
    text = readme[start:readme.index("\n* ", start + 1)]
    found = set()
    for name in re.findall(r"`((?:fit|gpx|tcx)/[^`]+)`", text):
        head, _, tail = name.partition("…")
        matches = [str(p.relative_to(realdata)) for p in (realdata / head).parent.iterdir()
                   if str(p.relative_to(realdata)).startswith(head)
                   and str(p.relative_to(realdata)).endswith(tail)]
        assert len(matches) == 1, (name, matches)
        found.add(matches[0])
    return found


def test_the_ten_are_the_readmes_list(realdata):
    assert _corrupt_on_purpose(realdata) == set(BROKEN)


@pytest.mark.parametrize("folder", ["fit", "gpx", "tcx"])
def test_broken_files_named_and_the_rest_of_their_folder_read(folder, realdata):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunloadWarning)  # files without any time zone
        history = read_history(realdata / folder, use_cache=False, tz="UTC")
    files = history.report.files
    validate_columns(files, "files")
    validate_columns(history.sessions, "sessions")
    report = {str(Path(p).relative_to(realdata)): row
              for p, row in zip(files["source_path"], files.itertuples(), strict=True)}
    assert set(report) == {str(p.relative_to(realdata)) for p in (realdata / folder).iterdir()}

    kept = set(history.sessions["activity_id"]) | set(history.report.duplicates["activity_id"])
    for rel, row in sorted(report.items()):
        if rel in BROKEN:
            status, pattern = BROKEN[rel]
            assert (row.status, bool(re.search(pattern, row.reason))) == (status, True), \
                (rel, row.status, row.reason)
        elif rel in NOT_ACTIVITIES:
            assert row.status == "not_activity" and row.reason, rel
            continue
        else:
            assert (row.status, row.reason) == ("read", ""), (rel, row.status, row.reason)
        if row.status == "failed":
            assert row.n_sessions == 0
            continue
        # every session of the file, as reading it alone gives them, is in the history
        # (or folded into a duplicate of it, for the same run recorded twice)
        alone = read_activity(realdata / rel).sessions
        assert row.n_sessions == len(alone) >= 1, rel
        assert set(alone["activity_id"]) <= kept, rel
    assert len(history.sessions) + len(history.report.duplicates) == files["n_sessions"].sum()


@pytest.mark.parametrize("relpath", sorted(BROKEN))
def test_each_broken_file_alone(relpath, realdata):
    status, pattern = BROKEN[relpath]
    path = realdata / relpath
    if status == "failed":
        with pytest.raises(CorruptFileError) as info:
            read_activity(path)
        assert info.value.path == str(path) and re.search(pattern, info.value.reason)
        return
    act = read_activity(path)
    validate_columns(act.sessions, "sessions")
    assert bool(act.sessions["is_partial"].all()) is (status == "partial")
    assert re.search(pattern, "; ".join(act.problems))


def test_broken_bytes_name_the_file_too(realdata):
    with pytest.raises(CorruptFileError, match=r"^empty\.fit: empty file \(0 bytes\)$"):
        read_activity((realdata / "fit/sportslib__empty-sessions.fit").read_bytes(),
                      name="empty.fit")
    with pytest.raises(NotAnActivityError, match=r"^mon\.fit: FIT file of type 'monitoring_b'"):
        read_activity((realdata / "fit/fitparse__MonitoringFile.fit").read_bytes(),
                      name="mon.fit")

"""The pain journal CSV: reading (every error names file, line, column and value) and appending."""

from __future__ import annotations

import datetime
import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from runload.errors import ConfigError, PainJournalError
from runload.readers import pain as pain_module
from runload.readers.pain import HEADER, append_pain_entry, read_pain_journal
from runload.schema import validate_columns

D = pd.Timestamp


def write(tmp_path: Path, text: str, name: str = "pain.csv", *, bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


# --- reading ---------------------------------------------------------------------------------

def test_reads_bom_crlf_comments_quoted_notes_and_aliases(tmp_path):
    path = write(tmp_path, (
        "# my journal\r\n"
        "Date, Region ,SEVERITY,timing,note\r\n"
        "\r\n"
        "2026-05-04,Lower back,4,next morning,\"stiff, eased by noon\"\r\n"
        "# a comment, with \"a quote\r\n"
        "2026-05-03,lower-back,2,,\r\n"
        "2026-05-03,KNEE,3,During,\"two lines:\r\n# not a comment\r\nsaid \"\"ouch\"\"\"\r\n"
        ",,,,\r\n"
        "2026-05-05,shin,0,after,plain note\r\n"), bom=True)
    table = read_pain_journal(path)
    validate_columns(table, "pain_entries")
    assert table.attrs["path"] == str(path)
    # sorted by date, then line
    assert table.to_dict("records") == [
        {"line": 6, "local_date": D("2026-05-03"), "region": "lower_back", "severity": 2,
         "timing": "", "note": ""},
        {"line": 7, "local_date": D("2026-05-03"), "region": "knee", "severity": 3,
         "timing": "during", "note": 'two lines:\r\n# not a comment\r\nsaid "ouch"'},
        {"line": 4, "local_date": D("2026-05-04"), "region": "lower_back", "severity": 4,
         "timing": "next_morning", "note": "stiff, eased by noon"},
        {"line": 11, "local_date": D("2026-05-05"), "region": "shin", "severity": 0,
         "timing": "after", "note": "plain note"},
    ]


def test_optional_columns_in_any_order(tmp_path):
    path = write(tmp_path, "severity,region,date\n5,hip,2026-05-01\n")
    table = read_pain_journal(path)
    assert table[["line", "region", "severity", "timing", "note"]].values.tolist() == [
        [2, "hip", 5, "", ""]]


@pytest.mark.parametrize("text", ["", "\n\n", "# nothing yet\n", HEADER + "\n", HEADER])
def test_an_empty_journal_has_no_entries(tmp_path, text):
    table = read_pain_journal(write(tmp_path, text))
    assert table.empty
    validate_columns(table, "pain_entries")


ROWS = HEADER + "\n2026-05-01,knee,3,,\n"


@pytest.mark.parametrize(("row", "line", "column", "value", "accepted"), [
    ("2026-13-01,knee,3,,", 3, "date", "'2026-13-01'", "YYYY-MM-DD"),
    ("03/05/2026,knee,3,,", 3, "date", "'03/05/2026'", "YYYY-MM-DD"),
    ("2026-5-3,knee,3,,", 3, "date", "'2026-5-3'", "YYYY-MM-DD"),
    (",knee,3,,", 3, "date", "empty", "YYYY-MM-DD"),
    ("2026-05-02,back,3,,", 3, "region", "'back'", "lower_back, hip, knee, shin, foot, other"),
    ("2026-05-02,,3,,", 3, "region", "empty", "'lower back' and 'lower-back' also work"),
    ("2026-05-02,knee,11,,", 3, "severity", "'11'", "whole number from 0 (no pain) to 10"),
    ("2026-05-02,knee,-1,,", 3, "severity", "'-1'", "whole number from 0 (no pain) to 10"),
    ("2026-05-02,knee,4.5,,", 3, "severity", "'4.5'", "whole number"),
    ("2026-05-02,knee,high,,", 3, "severity", "'high'", "whole number"),
    ("2026-05-02,knee", 3, "severity", "empty", "whole number"),
    ("2026-05-02,knee,3,before,", 3, "timing", "'before'",
     "during, after, next_morning ('next morning' also works) or empty"),
    ("\n# note\n2026-05-02,knee,3,,x", 5, None, None, None),  # fine: a comment and a blank
])
def test_every_bad_value_names_file_line_column_and_value(tmp_path, row, line, column, value,
                                                           accepted):
    path = write(tmp_path, ROWS + row + "\n")
    if column is None:
        assert read_pain_journal(path)["line"].tolist() == [2, line]
        return
    with pytest.raises(PainJournalError) as info:
        read_pain_journal(path)
    error = info.value
    assert isinstance(error, ConfigError)
    assert (error.path, error.line, error.column) == (str(path), line, column)
    message = str(error)
    assert message.startswith(f"{path}, line {line}: column '{column}': got {value}; ")
    assert accepted in message


@pytest.mark.parametrize(("text", "line", "says"), [
    (ROWS + "2026-05-02,knee,3,,sore, then fine\n", 3,
     "6 cells, but the header has 5 columns (date,region,severity,timing,note); a note "
     "holding a comma must be in double quotes"),
    (ROWS + "2026-05-02,knee,3,,\"never closed\n2026-05-03,knee,1,,\n", 3,
     "a double quote opened on this line is never closed"),
    ("when,region,severity\n", 1, "not a pain journal header (unknown column 'when')"),
    ("# hi\ndate,region,note\n", 2, "not a pain journal header (no 'severity' column)"),
    ("date,region,severity,date\n", 1, "the column 'date' appears twice"),
])
def test_structure_errors_name_the_line(tmp_path, text, line, says):
    path = write(tmp_path, text)
    with pytest.raises(PainJournalError) as info:
        read_pain_journal(path)
    assert info.value.line == line
    assert str(info.value).startswith(f"{path}, line {line}: ")
    assert says in str(info.value)


def test_not_utf8_and_missing_file(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "\n2026-05-01,knee,3,,caf\xe9\n").encode("latin-1"))
    with pytest.raises(PainJournalError, match=r"line 2: not UTF-8 text"):
        read_pain_journal(path)
    missing = tmp_path / "nope.csv"
    with pytest.raises(PainJournalError, match=r"nope\.csv: no such pain journal; start one "
                                               r"with `runload pain add"):
        read_pain_journal(missing)


# --- appending -------------------------------------------------------------------------------

def test_append_creates_the_journal_with_its_header(tmp_path):
    path = tmp_path / "pain.csv"
    assert append_pain_entry(path, date="2026-05-03", region="lower back", severity=4,
                             timing="next morning") == 2
    assert append_pain_entry(path, date=datetime.date(2026, 5, 4), region="Knee", severity="2",
                             note='sore, then "fine"\nnext line') == 3
    assert append_pain_entry(path, date=D("2026-05-06"), region="hip", severity=0) == 5
    assert path.read_bytes() == (
        b"date,region,severity,timing,note\n"
        b"2026-05-03,lower_back,4,next_morning,\n"
        b'2026-05-04,knee,2,,"sore, then ""fine""\nnext line"\n'
        b"2026-05-06,hip,0,,\n")
    table = read_pain_journal(path)
    assert table["line"].tolist() == [2, 3, 5]
    assert table["note"].tolist()[1] == 'sore, then "fine"\nnext line'
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize(("old", "added"), [
    # CRLF and no line break at the end: one CRLF first, the row in CRLF
    (b"\xef\xbb\xbfdate,region,severity,timing,note\r\n2026-05-01,knee,3,,\"a\r\nb\"",
     b"\r\n2026-05-02,knee,1,after,\r\n"),
    (b"date,region,severity,timing,note\n2026-05-01,knee,3,,\n",
     b"2026-05-02,knee,1,after,\n"),
    (b"# started in May\n\n", b"date,region,severity,timing,note\n2026-05-02,knee,1,after,\n"),
    (b"", b"date,region,severity,timing,note\n2026-05-02,knee,1,after,\n"),
])
def test_append_keeps_the_old_bytes_exactly(tmp_path, old, added):
    path = tmp_path / "pain.csv"
    path.write_bytes(old)
    path.chmod(0o640)
    line = append_pain_entry(path, date="2026-05-02", region="knee", severity=1, timing="after")
    data = path.read_bytes()
    assert data == old + added
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    table = read_pain_journal(path)
    assert table["line"].tolist()[-1] == line
    assert table["severity"].tolist()[-1] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["pain.csv"]  # no temp file left


def test_append_to_a_journal_without_timing_or_note_columns(tmp_path):
    path = write(tmp_path, "date,region,severity\n")
    assert append_pain_entry(path, date="2026-05-02", region="knee", severity=3) == 2
    assert path.read_text() == "date,region,severity\n2026-05-02,knee,3\n"
    with pytest.raises(PainJournalError, match=r"the journal has no 'note' column"):
        append_pain_entry(path, date="2026-05-02", region="knee", severity=3, note="x")


@pytest.mark.parametrize(("text", "says"), [
    ("name,distance\nAna,5\n", "line 1: not a pain journal header (unknown column 'name')"),
    (HEADER + "\n2026-05-01,knee,3,,\"open quote\n", "line 2: a double quote opened"),
])
def test_append_refuses_a_file_that_is_not_a_journal(tmp_path, text, says):
    path = write(tmp_path, text)
    before = path.read_bytes()
    with pytest.raises(PainJournalError) as info:
        append_pain_entry(path, date="2026-05-02", region="knee", severity=3)
    assert says in str(info.value)
    assert path.read_bytes() == before


@pytest.mark.parametrize(("kwargs", "column", "says"), [
    ({"date": "2026-02-30"}, "date", "got '2026-02-30'; a date is written YYYY-MM-DD"),
    ({"date": datetime.datetime(2026, 5, 2, 7, 30)}, "date", "a date is written"),
    ({"region": "neck"}, "region", "got 'neck'; a region is one of"),
    ({"severity": 12}, "severity", "got 12; a severity is a whole number"),
    ({"severity": True}, "severity", "got True"),
    ({"timing": "at night"}, "timing", "got 'at night'; a timing is"),
    ({"note": 5}, "note", "got 5; a note is any text"),
])
def test_append_checks_the_values_like_the_reader(tmp_path, kwargs, column, says):
    path = tmp_path / "pain.csv"
    values = {"date": "2026-05-02", "region": "knee", "severity": 3, **kwargs}
    with pytest.raises(PainJournalError) as info:
        append_pain_entry(path, **values)
    assert info.value.column == column
    assert str(info.value).startswith(f"{path}: the new entry's {column}: ")
    assert says in str(info.value)
    assert not path.exists()


def test_append_is_atomic_when_the_rename_fails(tmp_path, monkeypatch):
    path = write(tmp_path, ROWS)
    before = path.read_bytes()

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pain_module.os, "replace", fail)
    with pytest.raises(PainJournalError, match=r"cannot write the pain journal: No space left"):
        append_pain_entry(path, date="2026-05-02", region="knee", severity=3)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["pain.csv"]


def test_append_follows_a_symbolic_link(tmp_path):
    real = write(tmp_path, ROWS, "journal.csv")
    link = tmp_path / "pain.csv"
    link.symlink_to(real)
    assert append_pain_entry(link, date="2026-05-02", region="knee", severity=1) == 3
    assert link.is_symlink()
    assert real.read_text().endswith("2026-05-02,knee,1,,\n")

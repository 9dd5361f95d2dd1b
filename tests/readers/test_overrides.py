"""Tests of runload.readers.overrides: surface override files, TOML and CSV."""

from __future__ import annotations

import pandas as pd
import pytest

import runload
from runload.errors import ConfigError, RunloadError
from runload.readers.overrides import OVERRIDE_COLUMNS, read_surface_overrides

TOML = """\
# my surfaces
[[override]]
activity_id = "dea0b14c395e65df-0"
surface = "trail"

[[override]]
from = 2024-03-01
to = 2024-03-10
surface = "Treadmill"

[[override]]
from = "2024-03-05"
to = "2024-03-05"
surface = "road"
"""

CSV = """\
activity_id,from,to,surface
dea0b14c395e65df-0,,,trail
,2024-03-01,2024-03-10,Treadmill
,2024-03-05,2024-03-05,road
"""


def expected() -> pd.DataFrame:
    return pd.DataFrame({
        "activity_id": pd.Series(["dea0b14c395e65df-0", "", ""], dtype="string"),
        "from_date": pd.Series([None, "2024-03-01", "2024-03-05"],
                               dtype="datetime64[us]"),
        "to_date": pd.Series([None, "2024-03-10", "2024-03-05"], dtype="datetime64[us]"),
        "surface": pd.Series(["trail", "treadmill", "road"], dtype="string"),
        "rule_index": pd.Series([0, 1, 2], dtype="int64"),
    })


def write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


@pytest.mark.parametrize("name, text", [("s.toml", TOML), ("s.csv", CSV)])
def test_toml_and_csv_give_the_same_table(tmp_path, name, text):
    path = write(tmp_path, name, text)
    table = read_surface_overrides(path)
    pd.testing.assert_frame_equal(table, expected())
    assert dict(table.dtypes.astype(str)) == OVERRIDE_COLUMNS
    assert table.attrs["path"] == str(path)


def test_csv_columns_in_any_order_with_a_bom_blank_and_comment_rows(tmp_path):
    text = ("\ufeffSurface, To ,FROM,activity_id\n"
            "# the holiday\n"
            "trail,,,dea0b14c395e65df-0\n"
            "\n"
            "treadmill,2024-03-10,2024-03-01,\n"
            ",,,\n"
            "road,2024-03-05,2024-03-05\n")            # trailing empty cell left out
    table = read_surface_overrides(write(tmp_path, "s.CSV", text))
    pd.testing.assert_frame_equal(table, expected())


def test_csv_with_only_id_or_only_range_columns(tmp_path):
    ids = read_surface_overrides(write(tmp_path, "a.csv", "activity_id,surface\nx-0,track\n"))
    assert ids["activity_id"].tolist() == ["x-0"] and ids["from_date"].isna().all()
    ranges = read_surface_overrides(write(tmp_path, "b.csv",
                                          "from,to,surface\n2024-01-01,2024-01-02,indoor\n"))
    assert ranges["activity_id"].tolist() == [""]
    assert ranges["to_date"].tolist() == [pd.Timestamp("2024-01-02")]


@pytest.mark.parametrize("name, text", [("e.toml", ""), ("e.toml", "# nothing yet\n"),
                                        ("e.csv", "activity_id,from,to,surface\n"),
                                        ("e.csv", "")])
def test_a_file_without_rules_gives_an_empty_table(tmp_path, name, text):
    table = read_surface_overrides(write(tmp_path, name, text))
    assert table.empty
    assert dict(table.dtypes.astype(str)) == OVERRIDE_COLUMNS


def test_the_package_exports_the_reader():
    assert runload.read_surface_overrides is read_surface_overrides
    assert issubclass(ConfigError, RunloadError)


# --- errors: the file, the line or entry, the bad value ---------------------------------

def error_of(tmp_path, name: str, text: str) -> str:
    path = write(tmp_path, name, text)
    with pytest.raises(ConfigError) as info:
        read_surface_overrides(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    assert "\n" not in message
    return message


def test_toml_bad_surface_names_the_line_entry_and_value(tmp_path):
    text = TOML.replace('surface = "road"', 'surface = "gravel"')
    message = error_of(tmp_path, "s.toml", text)
    assert "line 11 ([[override]] entry 3)" in message
    assert "unknown surface 'gravel'" in message
    assert "road, trail, track, treadmill, indoor, unknown" in message


def test_csv_bad_surface_names_the_line_and_value(tmp_path):
    message = error_of(tmp_path, "s.csv", CSV.replace(",road", ",tarmac"))
    assert ", line 4: unknown surface 'tarmac'" in message


@pytest.mark.parametrize("bad", ["2024-02-30", "01/03/2024", "2024-03-01T07:00", "yesterday"])
def test_csv_bad_date(tmp_path, bad):
    message = error_of(tmp_path, "s.csv", CSV.replace(",2024-03-01,", f",{bad},"))
    assert f", line 3: 'from' must be a date as YYYY-MM-DD; got '{bad}'" in message


def test_toml_bad_dates(tmp_path):
    message = error_of(tmp_path, "s.toml", TOML.replace("to = 2024-03-10", "to = 2024-03-10T08:00:00"))
    assert "line 6 ([[override]] entry 2): 'to' must be a date without a time" in message
    message = error_of(tmp_path, "s.toml", TOML.replace('to = "2024-03-05"', "to = 20240305"))
    assert "entry 3): 'to' must be a date as YYYY-MM-DD; got 20240305" in message
    message = error_of(tmp_path, "s.toml", TOML.replace("to = 2024-03-10", "to = 2024-02-10"))
    assert "entry 2): 'from' (2024-03-01) is after 'to' (2024-02-10)" in message


def test_csv_unknown_or_repeated_column(tmp_path):
    message = error_of(tmp_path, "s.csv", "activity_id,surfce\nx-0,trail\n")
    assert ", line 1: unknown column 'surfce'" in message
    message = error_of(tmp_path, "s.csv", "\n# rules\nactivity_id,surface,surface\nx,road,road\n")
    assert ", line 3: the column 'surface' appears twice" in message
    message = error_of(tmp_path, "s.csv", "activity_id,from\nx,\n")
    assert ", line 1: the header must name a 'surface' column" in message
    message = error_of(tmp_path, "s.csv", "from,surface\n2024-01-01,road\n")
    assert "must name 'activity_id' or both 'from' and 'to'" in message


def test_toml_unknown_key(tmp_path):
    message = error_of(tmp_path, "s.toml", TOML.replace('surface = "trail"',
                                                        'surface = "trail"\nnote = "hills"'))
    assert "line 2 ([[override]] entry 1): unknown key 'note'" in message
    message = error_of(tmp_path, "s.toml", 'version = 1\n' + TOML)
    assert "unknown key 'version'" in message


@pytest.mark.parametrize("row, problem", [
    ("x-0,2024-03-01,2024-03-02,road", "names an activity_id or a date range (from/to), not both"),
    (",2024-03-01,,road", "needs an activity_id, or both 'from' and 'to'"),
    (",,,road", "got neither"),
    ("x-0,,,", "the rule has no 'surface'"),
    ("x-0,,,road,extra", "5 cells, but the header has 4 columns"),
])
def test_csv_rule_shape(tmp_path, row, problem):
    message = error_of(tmp_path, "s.csv", f"activity_id,from,to,surface\n{row}\n")
    assert ", line 2: " in message and problem in message


def test_toml_rule_shape_and_syntax(tmp_path):
    message = error_of(tmp_path, "s.toml", '[override]\nactivity_id = "x"\nsurface = "road"\n')
    assert "[[override]] (two brackets)" in message
    message = error_of(tmp_path, "s.toml", '[[override]]\nactivity_id = 7\nsurface = "road"\n')
    assert "'activity_id' must be a non-empty text; got 7" in message
    message = error_of(tmp_path, "s.toml", '[[override]]\nsurface = "road\n')
    assert "not valid TOML" in message and "line 2" in message
    # an inline array has no header lines to point at: the entry number is given
    message = error_of(tmp_path, "s.toml", 'override = [{activity_id = "x", surface = "mud"}]\n')
    assert "[[override]] entry 1: unknown surface 'mud'" in message


def test_unreadable_files(tmp_path):
    message = error_of(tmp_path, "s.txt", CSV)
    assert "must be .toml or .csv; got the extension '.txt'" in message
    with pytest.raises(ConfigError, match="cannot read the surface override file"):
        read_surface_overrides(tmp_path / "absent.toml")
    path = tmp_path / "latin.csv"
    path.write_bytes("activity_id,surface\ncaf\xe9,road\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        read_surface_overrides(path)

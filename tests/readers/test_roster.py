from pathlib import Path

import pytest

from runload.config import Thresholds
from runload.errors import ConfigError
from runload.readers.roster import read_roster


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "team" / "roster.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_roster_paths_relative_to_the_file_and_overrides_kept(tmp_path):
    path = _write(tmp_path, '''
title = "Tuesday group"
[[athlete]]
name = "Ana Ruiz"
path = "ana"
tz = "Europe/Madrid"
[athlete.thresholds]
spike = { lookback_days = 28 }

[[athlete]]
name = " Ben & \\"Co\\" <b> "
path = "../elsewhere/ben.zip"
''')
    roster = read_roster(path)
    assert roster.title == "Tuesday group"
    ana, ben = roster.athletes
    assert ana.path == (tmp_path / "team" / "ana").resolve()
    assert ana.tz == "Europe/Madrid"
    assert ana.overrides == {"spike": {"lookback_days": 28}}
    assert ben.name == 'Ben & "Co" <b>'
    assert ben.path == (tmp_path / "elsewhere" / "ben.zip").resolve()
    assert ben.tz is None and ben.overrides == {}
    # the athlete's override goes on top of the coach's settings, keeping the rest
    coach = Thresholds.from_mapping({"display": {"units": "mi"}, "spike": {"enabled": False}})
    mine = coach.with_overrides(ana.overrides)
    assert (mine.spike.lookback_days, mine.spike.enabled, mine.display.units) == (28, False, "mi")


def test_title_defaults_to_the_file_name(tmp_path):
    path = _write(tmp_path, '[[athlete]]\nname = "A"\npath = "a"\n')
    assert read_roster(path).title == "roster"


@pytest.mark.parametrize(("text", "message"), [
    ('title = "x"', r"names no athletes"),
    ('[[athlete]]\npath = "a"', r"athlete 1 has no 'name'"),
    ('[[athlete]]\nname = "Ana"', r"athlete 1 \('Ana'\) has no 'path'"),
    ('[[athlete]]\nname = "Ana"\npath = "a"\ncolour = "red"', r"unknown key\(s\) \['colour'\]"),
    ('[[athlete]]\nname = "Ana"\npath = ""', r"'path' must be a non-empty string; got ''"),
    ('[[athlete]]\nname = "Ana"\npath = "a"\ntz = "Mars/Olympus"',
     r"unknown time zone 'tz' = 'Mars/Olympus'"),
    ('[[athlete]]\nname = "A"\npath = "a"\n[[athlete]]\nname = "A"\npath = "b"',
     r"athlete 2 has the same name as athlete 1, 'A'"),
    ('[[athlete]]\nname = "Ana"\npath = "a"\n[athlete.thresholds]\nspike = { lookbak_days = 3 }',
     r"athlete 1 \('Ana'\): Unknown key 'lookbak_days' in config section \[spike\]"),
    ('athletes = 3', r"unknown top-level key\(s\) \['athletes'\]"),
    ('[[athlete]\nname = "x"', r"not a valid TOML roster"),
])
def test_bad_rosters_name_the_file_athlete_and_key(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as info:
        read_roster(path)
    assert str(path) in str(info.value)


def test_missing_roster_file(tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.toml: cannot read the roster"):
        read_roster(tmp_path / "nope.toml")


def test_the_pain_key_is_a_path_relative_to_the_roster(tmp_path):
    path = _write(tmp_path, '[[athlete]]\nname = "Ana"\npath = "ana"\npain = "ana/pain.csv"\n'
                            '[[athlete]]\nname = "Ben"\npath = "ben"\n')
    ana, ben = read_roster(path).athletes
    assert ana.pain == (tmp_path / "team" / "ana" / "pain.csv").resolve()
    assert ben.pain is None
    bad = _write(tmp_path, '[[athlete]]\nname = "Ana"\npath = "ana"\npain = ""\n')
    with pytest.raises(ConfigError, match=r"athlete 1 \('Ana'\): 'pain' must be a non-empty "
                                          r"string; got ''"):
        read_roster(bad)

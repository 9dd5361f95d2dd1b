import pytest

from runload.config import Thresholds
from runload.errors import ConfigError
from runload.readers.settings import read_thresholds


def test_sections_override_the_base(tmp_path):
    path = tmp_path / "runload.toml"
    path.write_text('[display]\nunits = "mi"\n[spike]\nlookback_days = 28\n')
    base = Thresholds.from_mapping({"rest": {"enabled": False}})
    t = read_thresholds(path, base)
    assert (t.display.units, t.spike.lookback_days, t.rest.enabled) == ("mi", 28, False)
    assert read_thresholds(path).rest.enabled is True


@pytest.mark.parametrize(("text", "message"), [
    ("[spike\n", "not valid TOML"),
    ("[spkie]\nenabled = false\n", r"Unknown config section \[spkie\]"),
    ('[display]\nunits = "miles"\n', r"units must be one of km, mi; got 'miles'"),
])
def test_errors_name_the_file(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        read_thresholds(path)
    assert str(info.value).startswith(str(path))


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the config file"):
        read_thresholds(tmp_path / "none.toml")

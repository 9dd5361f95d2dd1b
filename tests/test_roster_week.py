"""load_roster: a roster's athletes in one week, most in need of attention first.

On the sample roster (three athletes, sample_data/index.toml says what each shows)
and on tiny FIT histories written here, whose numbers are known.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import runload
from runload.analysis.flags import analyze
from runload.analysis.summary import week_summary
from runload.config import Thresholds
from runload.history import AthleteWeek, RosterWeek, load_roster, parse_week
from runload.readers.fit_writer import SyntheticActivity, write_fit, write_other_fit
from runload.readers.roster import Roster, RosterAthlete, read_roster

REPO = Path(__file__).resolve().parent.parent
ROSTER = REPO / "sample_data" / "roster" / "roster.toml"
SAMPLE = {a.name: a for a in read_roster(ROSTER).athletes}
W43 = pd.Timestamp("2026-10-19")  # Ben Carter's big week and 11-mile run (index.toml)


# --- tiny histories ------------------------------------------------------------------

def fit_run(day: str, km: float, *, offset_h: float | None = 1.0) -> bytes:
    """A street run at 07:00 local time, ``km`` long at 5 min/km, no GPS.

    ``offset_h`` is the local time the file writes (None: a watch that writes none).
    """
    start_local = datetime.datetime.fromisoformat(f"{day}T07:00:00")
    start_utc = (start_local - datetime.timedelta(hours=offset_h or 0)).replace(
        tzinfo=datetime.UTC)
    elapsed = np.arange(int(km * 20) + 1) * 15.0       # a record every 15 s
    distance = np.minimum(elapsed / 300.0 * 1000.0, km * 1000.0)
    return write_fit(SyntheticActivity(
        start_utc=start_utc, sport=1, sub_sport=2,
        utc_offset_s=None if offset_h is None else int(offset_h * 3600),
        records={"elapsed_s": elapsed, "distance_m": distance}))


def athlete_dir(root: Path, name: str, runs: list[tuple[str, float]], **kw) -> Path:
    folder = root / name
    folder.mkdir()
    for day, km in runs:
        (folder / f"{day}.fit").write_bytes(fit_run(day, km, **kw))
    return folder


#: Three steady weeks (Mon 5, Wed 6, Sat 8 km) before the week of Mon 19 Oct 2026.
STEADY = [(d, km) for week in ("2026-09-28", "2026-10-05", "2026-10-12")
          for d, km in zip(pd.date_range(week, periods=6, freq="D")[[0, 2, 5]]
                           .strftime("%Y-%m-%d"), (5.0, 6.0, 8.0), strict=True)]


def roster(root: Path, *athletes: RosterAthlete, title: str = "Test group") -> Roster:
    return Roster(path=root / "roster.toml", title=title, athletes=tuple(athletes))


def same_week(a, b) -> bool:
    """WeekSummary equality (its flags are a DataFrame, compared as one)."""
    plain = [f.name for f in dataclasses.fields(a) if f.name != "flags"]
    return (pd.Series([getattr(a, n) for n in plain], dtype=object).equals(
        pd.Series([getattr(b, n) for n in plain], dtype=object)) and a.flags.equals(b.flags))


# --- weeks ---------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "week_start", "expected"), [
    ("2026-W46", "monday", "2026-11-09"),
    ("2026w46", "monday", "2026-11-09"),
    (" 2026-W46 ", "monday", "2026-11-09"),
    ("2026-W01", "monday", "2025-12-29"),     # ISO week 1 starts in the year before
    ("2026-W53", "monday", "2026-12-28"),     # 2026 starts on a Thursday: 53 weeks
    ("2020-W53", "monday", "2020-12-28"),     # a leap year starting on a Wednesday
    ("2026-W46", "sunday", "2026-11-08"),     # the Sunday week holding the ISO Thursday
    ("2026-W53", "sunday", "2026-12-27"),
    ("2026-W46", "thursday", "2026-11-12"),   # shares Thu-Sun (4 days) with the ISO week
    ("2026-11-15", "monday", "2026-11-09"),   # a Sunday ends a Monday week
    ("2026-11-15", "sunday", "2026-11-15"),   # ... and starts a Sunday week
    ("2026-11-14", "sunday", "2026-11-08"),
    (datetime.date(2026, 11, 11), "monday", "2026-11-09"),
    (pd.Timestamp("2026-11-15 23:30", tz="Europe/Berlin"), "monday", "2026-11-09"),
])
def test_parse_week(value, week_start, expected):
    assert parse_week(value, week_start) == pd.Timestamp(expected)


@pytest.mark.parametrize(("value", "says"), [
    ("2026-W60", "2026 has ISO weeks 1 to 53"),
    ("2027-W53", "2027 has ISO weeks 1 to 52"),
    ("2026-W00", "2026 has ISO weeks 1 to 53"),
    ("soon", "give an ISO week such as '2026-W46' or a date"),
    ("2026-02-30", "give an ISO week"),
    ("", "give an ISO week"),
])
def test_parse_week_names_what_is_wrong(value, says):
    with pytest.raises(ValueError, match=re.escape(repr(value))) as info:
        parse_week(value)
    assert says in str(info.value)


def test_parse_week_wants_a_string_or_a_date():
    with pytest.raises(TypeError, match="string or a date"):
        parse_week(46)


# --- the sample roster -------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_w43() -> RosterWeek:
    return load_roster(ROSTER, week="2026-W43")


def test_default_week_is_the_latest_week_holding_a_last_run():
    week = load_roster(ROSTER)
    # every athlete's last run is on Sun 8 Nov 2026 (index.toml)
    assert (week.week_start, week.week_end) == (pd.Timestamp("2026-11-02"),
                                                 pd.Timestamp("2026-11-08"))
    assert week.title == "Tuesday group" and week.path == ROSTER.resolve()
    assert week.units == "km" and week.failed == ()
    assert sorted(a.name for a in week.athletes) == sorted(SAMPLE)
    assert all(a.summary.week_start == week.week_start for a in week.athletes)


def test_sample_week_in_attention_order(sample_w43):
    week = sample_w43
    assert (week.week_start, week.week_end) == (W43, pd.Timestamp("2026-10-25"))
    # Ben: a warning spike and a caution; Chloe: two cautions; Ana: no flags
    assert [a.name for a in week.athletes] == ["Ben Carter", "Chloé Martin", "Ana Ruiz"]
    counts = [a.summary.flag_counts for a in week.athletes]
    assert [(c["high"], c["warning"], c["caution"]) for c in counts] == [
        (0, 1, 1), (0, 0, 2), (0, 0, 0)]
    keys = [a.attention_key for a in week.athletes]
    assert keys == sorted(keys)
    assert [a.summary.attention_key for a in week.athletes] == sorted(
        a.summary.attention_key for a in week.athletes)
    ben = week.athletes[0].summary
    assert ben.longest_run_spike_bin == ">30-100%"
    assert list(ben.flags["flag_id"]) == ["F-SPIKE", "F-WEEK30", "F-ONEVAR"]


def test_each_summary_is_the_analysis_of_the_runs_up_to_the_week_end(sample_w43):
    end = sample_w43.week_end
    for athlete in sample_w43.athletes:
        history = athlete.history
        assert history.as_of == end and athlete.error is None
        whole = runload.read_history(athlete.path, tz=athlete.tz)
        later = whole.sessions["local_date"] > end
        assert later.any(), athlete.name       # the sample goes on to 8 Nov
        assert history.runs["local_date"].max() <= end
        assert len(history.runs) == int((~later & whole.sessions["sport"].eq("running")).sum())
        assert (history.flags["local_date"] <= end).all()
        expected = analyze(whole.sessions[~later.to_numpy()], thresholds=history.thresholds,
                           as_of=end)
        assert same_week(athlete.summary, week_summary(expected, W43))


def test_the_page_units_are_the_coachs_whatever_an_athlete_says(sample_w43):
    # Ben's roster entry asks for miles; the coach's page is in km, his messages too
    ben = sample_w43.athletes[0]
    assert ben.overrides == {"display": {"units": "mi"}}
    assert ben.history.thresholds.display.units == "km"
    spike = ben.summary.flags.set_index("flag_id").loc["F-SPIKE", "message"]
    assert spike.startswith("17.7 km is 37 % longer") and " mi" not in spike
    in_miles = load_roster(ROSTER, week="2026-W43", units="mi")
    assert in_miles.units == "mi"
    assert {a.history.thresholds.display.units for a in in_miles.athletes} == {"mi"}
    spike = in_miles.athletes[0].summary.flags.set_index("flag_id").loc["F-SPIKE", "message"]
    assert spike.startswith("11.0 mi is 37 % longer")


def test_thresholds_layer_coach_then_athlete(tmp_path):
    config = tmp_path / "coach.toml"
    config.write_text('[spike]\nlookback_days = 28\n[weekly_jump]\njump_frac = 0.25\n'
                      '[display]\nunits = "mi"\n[weeks]\nweek_start = "sunday"\n',
                      encoding="utf-8")
    ana = SAMPLE["Ana Ruiz"]
    own = dataclasses.replace(SAMPLE["Chloé Martin"], overrides={
        "spike": {"lookback_days": 21}, "display": {"units": "km"},
        "weeks": {"week_start": "monday"}})
    week = load_roster(roster(tmp_path, ana, own), week="2026-W43", thresholds=config)
    by_name = {a.name: a.history.thresholds for a in week.athletes}
    coach = Thresholds.from_mapping({"spike": {"lookback_days": 28},
                                     "weekly_jump": {"jump_frac": 0.25},
                                     "display": {"units": "mi"}, "weeks": {"week_start": "sunday"}})
    assert week.thresholds == coach and week.units == "mi"
    assert by_name["Ana Ruiz"] == coach
    chloe = by_name["Chloé Martin"]
    assert chloe.spike.lookback_days == 21               # the athlete's own rule wins ...
    assert chloe.weekly_jump.jump_frac == 0.25           # ... the coach's others stay
    assert chloe.display.units == "mi"                   # the page's unit and calendar
    assert chloe.weeks.week_start == "sunday"            # are the coach's
    assert week.week_start == pd.Timestamp("2026-10-18")  # the Sunday before ISO W43
    # the units argument goes on top of the coach's file
    km = load_roster(roster(tmp_path, ana, own), week="2026-W43", thresholds=config, units="km")
    assert km.units == "km"
    assert {a.history.thresholds.display.units for a in km.athletes} == {"km"}
    assert {a.history.thresholds.spike.lookback_days for a in km.athletes} == {21, 28}


def test_sunday_weeks(tmp_path):
    sunday = Thresholds.from_mapping({"weeks": {"week_start": "sunday"}})
    week = load_roster(ROSTER, week="2026-10-21", thresholds=sunday)
    assert (week.week_start, week.week_end) == (pd.Timestamp("2026-10-18"),
                                                 pd.Timestamp("2026-10-24"))
    for athlete in week.athletes:
        s = athlete.summary
        assert (s.week_start, s.week_end, s.days) == (week.week_start, week.week_end, 7)
        weekly = athlete.history.weekly
        assert weekly.index[-1] == week.week_start and (weekly.index.day_of_week == 6).all()
    # Ben's 11-mile run was on Sunday 25 Oct: the next Sunday week
    ben = {a.name: a for a in week.athletes}["Ben Carter"]
    assert ben.summary.longest_run_date < pd.Timestamp("2026-10-25")
    after = load_roster(ROSTER, week="2026-10-25", thresholds=sunday)
    ben = {a.name: a for a in after.athletes}["Ben Carter"]
    assert ben.summary.longest_run_date == pd.Timestamp("2026-10-25")
    assert after.athletes[0].name == "Ben Carter"


def test_a_roster_object_or_its_file(tmp_path):
    from_file = load_roster(ROSTER, week="2026-W45")
    from_object = load_roster(read_roster(ROSTER), week=pd.Timestamp("2026-11-04"))
    assert [a.name for a in from_file.athletes] == [a.name for a in from_object.athletes]
    assert all(same_week(a.summary, b.summary)
               for a, b in zip(from_file.athletes, from_object.athletes, strict=True))


# --- athletes whose data fails ----------------------------------------------------------

def test_athletes_whose_data_fails_appear_first_with_the_reason(tmp_path):
    bad_zip = tmp_path / "bad.zip"
    bad_zip.write_bytes(b"PK\x03\x04 not really a zip")
    no_runs = tmp_path / "monitor"
    no_runs.mkdir()
    (no_runs / "monitor.fit").write_bytes(write_other_fit(
        32, datetime.datetime(2026, 10, 20, tzinfo=datetime.UTC)))
    week = load_roster(roster(
        tmp_path,
        SAMPLE["Ana Ruiz"],
        RosterAthlete("Yan (missing)", tmp_path / "gone"),
        RosterAthlete("Bea (bad zip)", bad_zip),
        RosterAthlete("Cem (no runs)", no_runs),
        SAMPLE["Ben Carter"]), week="2026-W43")
    names = [a.name for a in week.athletes]
    assert names == ["Bea (bad zip)", "Cem (no runs)", "Yan (missing)", "Ben Carter",
                     "Ana Ruiz"]
    assert [a.name for a in week.failed] == names[:3]
    errors = {a.name: a.error for a in week.failed}
    assert errors["Yan (missing)"] == f"{tmp_path / 'gone'}: no such file or folder"
    assert errors["Bea (bad zip)"].startswith(f"no runs found in {bad_zip} (1 files looked at; "
                                              f"1 could not be read, e.g. {bad_zip}: ")
    assert "zip" in errors["Bea (bad zip)"]
    assert errors["Cem (no runs)"] == f"no runs found in {no_runs} (1 files looked at)."
    for athlete in week.failed:
        assert athlete.summary is None and athlete.history is None and athlete.analysis is None
    assert all(a.error is None and a.summary is not None for a in week.athletes[3:])
    assert "3 unreadable" in repr(week)


def test_a_week_before_an_athletes_first_run(tmp_path):
    # Chloe's history starts on Sun 30 Aug 2026, Ana's and Ben's on Sun 13 Sep
    week = load_roster(ROSTER, week="2026-W35")
    assert [a.name for a in week.athletes] == ["Ana Ruiz", "Ben Carter", "Chloé Martin"]
    for athlete in week.athletes[:2]:
        assert athlete.error == ("no runs up to 2026-08-30, the end of this week (the first "
                                 "run is on 2026-09-13).")
        assert athlete.summary is None and athlete.history is not None
    chloe = week.athletes[2].summary
    assert (chloe.runs, chloe.days) == (1, 1)


def test_a_file_that_fails_inside_a_good_import_is_counted(tmp_path):
    folder = athlete_dir(tmp_path, "ok", STEADY + [("2026-10-20", 7.0)])
    (folder / "cut.fit").write_bytes(fit_run("2026-10-22", 9.0)[:10])
    week = load_roster(roster(tmp_path, RosterAthlete("Ola", folder)), week="2026-W43")
    ola = week.athletes[0]
    assert ola.error is None and ola.files_failed == 1
    assert (ola.summary.runs, ola.summary.distance_m) == (1, 7000.0)
    assert week.failed == ()


def test_all_athletes_failing(tmp_path):
    nobody = roster(tmp_path, RosterAthlete("Yan", tmp_path / "gone"))
    with pytest.raises(ValueError, match="No athlete of the roster has a run"):
        load_roster(nobody)
    week = load_roster(nobody, week="2026-W43")
    assert [a.name for a in week.failed] == ["Yan"]


# --- tiny histories: order, as_of, warnings ------------------------------------------------

def test_athletes_sorted_by_attention_key_then_name(tmp_path):
    calm = athlete_dir(tmp_path, "calm", STEADY + [("2026-10-20", 6.0)])
    calm2 = athlete_dir(tmp_path, "calm2", STEADY + [("2026-10-20", 6.0)])
    bump = athlete_dir(tmp_path, "bump", STEADY + [("2026-10-21", 9.0)])      # +12.5 %
    big = athlete_dir(tmp_path, "big", STEADY + [("2026-10-21", 17.0)])       # +112 %
    week = load_roster(roster(
        tmp_path, RosterAthlete("Ada", calm), RosterAthlete("Abe", calm2),
        RosterAthlete("Bob", bump), RosterAthlete("Zed", big)), week="2026-W43")
    assert [a.name for a in week.athletes] == ["Zed", "Bob", "Abe", "Ada"]
    zed, bob = week.athletes[0].summary, week.athletes[1].summary
    assert (zed.flag_counts["high"], zed.longest_run_spike_bin) == (1, ">100%")
    assert (bob.flag_counts["caution"], bob.longest_run_spike_bin) == (1, ">10-30%")
    assert bob.max_spike_frac == pytest.approx(0.125)
    assert week.athletes[2].attention_key[:-2] == week.athletes[3].attention_key[:-2]


def test_runs_after_the_week_are_left_out(tmp_path):
    # a 20 km run on the Monday after the week: a spike, but not this week's
    folder = athlete_dir(tmp_path, "later", STEADY + [("2026-10-21", 6.0),
                                                      ("2026-10-26", 20.0)])
    week = load_roster(roster(tmp_path, RosterAthlete("Lia", folder)), week="2026-W43")
    lia = week.athletes[0]
    assert lia.history.runs["distance_m"].max() == 8000.0
    assert (lia.summary.runs, lia.summary.longest_run_m, len(lia.summary.flags)) == (
        1, 6000.0, 0)
    # the first steady week's runs (5, 6, 8 km) are flagged; nothing after 25 Oct is
    assert list(lia.history.flags["local_date"].dt.strftime("%Y-%m-%d")) == [
        "2026-10-03", "2026-09-30"]
    later = load_roster(roster(tmp_path, RosterAthlete("Lia", folder)))
    assert later.week_start == pd.Timestamp("2026-10-26")
    assert later.athletes[0].summary.longest_run_spike_bin == ">100%"
    assert list(later.athletes[0].summary.flags["flag_id"]) == ["F-SPIKE", "F-WEEK30"]


def test_a_week_after_the_last_run_counts_rest_days(tmp_path):
    folder = athlete_dir(tmp_path, "stopped", STEADY)
    week = load_roster(roster(tmp_path, RosterAthlete("Max", folder)), week="2026-W44")
    s = week.athletes[0].summary
    assert (s.runs, s.distance_m, s.rest_days, s.days) == (0, 0.0, 7, 7)
    assert s.week_end == pd.Timestamp("2026-11-01")


def test_import_warnings_stay_with_their_athlete(tmp_path):
    utc = athlete_dir(tmp_path, "utc", STEADY, offset_h=None)        # no local time, no GPS
    zoned = athlete_dir(tmp_path, "zoned", STEADY, offset_h=None)
    week = load_roster(roster(tmp_path, RosterAthlete("Uma", utc),
                              RosterAthlete("Zoe", zoned, tz="Europe/Berlin")),
                       week="2026-W42")
    said = {a.name: a.warnings for a in week.athletes}
    assert said["Zoe"] == ()
    assert len(said["Uma"]) == 1 and "UTC" in said["Uma"][0]
    assert {a.summary.runs for a in week.athletes} == {3}


def test_roster_week_report_writes_html_and_pdf(tmp_path, sample_w43):
    html, pdf = tmp_path / "team.html", tmp_path / "team.pdf"
    report = sample_w43.report(html, pdf=pdf)
    assert html.read_text(encoding="utf-8") == report.html
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert isinstance(sample_w43.athletes[0], AthleteWeek)
    with pytest.raises(dataclasses.FrozenInstanceError):
        sample_w43.title = "x"  # type: ignore[misc]


# --- pain journals ---------------------------------------------------------------------------

def test_an_athletes_pain_journal_is_read_up_to_the_week_end(tmp_path):
    folder = athlete_dir(tmp_path, "ana", STEADY + [("2026-10-20", 7.0)])
    journal = folder / "pain.csv"
    journal.write_text("date,region,severity,timing,note\n"
                       "2026-10-14,knee,4,after,\n"
                       "2026-10-21,knee,1,,\n"
                       "2026-10-27,lower back,5,,\n", encoding="utf-8")
    broken = athlete_dir(tmp_path, "ben", STEADY + [("2026-10-20", 7.0)]) / "pain.csv"
    broken.write_text("date,region,severity\n2026-10-14,knee,eleven\n", encoding="utf-8")
    week = load_roster(roster(tmp_path, RosterAthlete("Ana", folder, pain=journal),
                              RosterAthlete("Ben", broken.parent, pain=broken),
                              RosterAthlete("Cai", folder)), week="2026-W43")
    ana, cai = (next(a for a in week.athletes if a.name == n) for n in ("Ana", "Cai"))
    assert ana.pain == journal and cai.pain is None
    # 27 Oct is after the week (19-25 Oct): left out, as later runs are
    assert ana.history.pain_entries["local_date"].max() == pd.Timestamp("2026-10-21")
    assert ana.history.pain_episodes[["episode_id", "is_open"]].values.tolist() == [
        ["knee-2026-10-14", False]]
    assert len(ana.history.pain_exposures) == 33
    assert cai.history.pain_entries.empty
    # a journal that cannot be read puts the athlete first, with the reason (never "no pain")
    ben = week.athletes[0]
    assert ben.name == "Ben" and ben.history is None and ben.summary is None
    assert ben.error == (f"pain journal: {broken}, line 2: column 'severity': got 'eleven'; "
                         "a severity is a whole number from 0 (no pain) to 10")
    assert [a.name for a in week.failed] == ["Ben"]


def test_open_pain_comes_after_failed_data_and_before_flags(tmp_path):
    """Ana has no flags in W43; an open knee episode rated 4 puts her before the flagged."""
    journal = tmp_path / "ana_pain.csv"
    journal.write_text("date,region,severity\n2026-10-21,knee,4\n2026-10-24,knee,3\n")
    lines = ['title = "t"']
    for name, athlete in SAMPLE.items():
        lines += ["[[athlete]]", f'name = "{name}"', f'path = "{athlete.path.as_posix()}"']
        if athlete.tz:
            lines.append(f'tz = "{athlete.tz}"')
        if name == "Ana Ruiz":
            lines.append(f'pain = "{journal.as_posix()}"')
    lines += ["[[athlete]]", 'name = "Nobody"', 'path = "missing.zip"']
    roster = tmp_path / "roster.toml"
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    week = load_roster(roster, week="2026-W43")
    assert [a.name for a in week.athletes] == ["Nobody", "Ana Ruiz", "Ben Carter", "Chloé Martin"]
    from runload.report.coach import attention_order
    assert attention_order(week.athletes) == list(week.athletes)
    # rated below the threshold at the week's end: no longer ahead of the flagged
    journal.write_text("date,region,severity\n2026-10-21,knee,4\n2026-10-24,knee,2\n")
    week = load_roster(roster, week="2026-W43")
    assert [a.name for a in week.athletes][1] != "Ana Ruiz"

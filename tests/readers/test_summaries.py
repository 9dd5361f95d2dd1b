"""Tests for runload.readers.summaries: Strava CSVs and Garmin JSON built here, then a real FIT.

No export data is committed: every CSV and JSON file is written by the
helpers below, with headers copied from real exports (inputs.md §2.2,
geo-activity-playground#191/#393, hugovk/strava-tools#1).
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from runload import read_activity, schema
from runload.errors import CorruptFileError, RunloadWarning
from runload.readers import summaries
from runload.readers.summaries import (
    SummaryActivity,
    read_garmin_summaries,
    read_strava_csv,
)


def names(header_line: str) -> list[str]:
    """Column names of a header line as a real export writes it."""
    return [name.strip() for name in header_line.split(",")]


# The current English header with its repeated names: the 94 names inputs.md §2.2 lists
# (geo-activity-playground's EXPECTED_COLUMNS), and a 2026 export's 103.
HEADER_EN = names("""Activity ID, Activity Date, Activity Name, Activity Type,
Activity Description, Elapsed Time, Distance, Max Heart Rate, Relative Effort, Commute,
Activity Private Note, Activity Gear, Filename, Athlete Weight, Bike Weight, Elapsed Time,
Moving Time, Distance, Max Speed, Average Speed, Elevation Gain, Elevation Loss, Elevation Low,
Elevation High, Max Grade, Average Grade, Average Positive Grade, Average Negative Grade,
Max Cadence, Average Cadence, Max Heart Rate, Average Heart Rate, Max Watts, Average Watts,
Calories, Max Temperature, Average Temperature, Relative Effort, Total Work, Number of Runs,
Uphill Time, Downhill Time, Other Time, Perceived Exertion, Type, Start Time,
Weighted Average Power, Power Count, Prefer Perceived Exertion, Perceived Relative Effort,
Commute, Total Weight Lifted, From Upload, Grade Adjusted Distance, Weather Observation Time,
Weather Condition, Weather Temperature, Apparent Temperature, Dewpoint, Humidity,
Weather Pressure, Wind Speed, Wind Gust, Wind Bearing, Precipitation Intensity, Sunrise Time,
Sunset Time, Moon Phase, Bike, Gear, Precipitation Probability, Precipitation Type,
Cloud Cover, Weather Visibility, UV Index, Weather Ozone, Jump Count, Total Grit,
Average Flow, Flagged, Average Elapsed Speed, Dirt Distance, Newly Explored Distance,
Newly Explored Dirt Distance, Activity Count, Total Steps, Carbon Saved, Pool Length,
Training Load, Intensity, Average Grade Adjusted Pace, Timer Time, Total Cycles,
Media""".replace("\n", " "))
HEADER_EN_103 = HEADER_EN[:-1] + [
    "Recovery", "With Pet", "Competition", "Long Run", "For a Cause", "With Kid",
    "Downhill Distance", "Total Sets", "Total Reps", "Media"]

# A German header, 92 columns (geo-activity-playground#393).
HEADER_DE = names(
    "Aktivitäts-ID,Aktivitätsdatum,Name der Aktivität,Aktivitätsart,Aktivitätsbeschreibung,"
    "Verstrichene Zeit,Distanz,Max. Herzfrequenz,Relative Leistung,Pendeln,"
    "Hinweis zur Privatsphäre für Aktivitäten,Aktivitätsausrüstung,Dateiname,Sportlergewicht,"
    "Fahrradgewicht,Verstrichene Zeit,Bewegungszeit,Distanz,Höchstgeschw.,"
    "Durchschnittliche Geschwindigkeit,Höhenzunahme,Höhenunterschied,Min. Höhe,Max. Höhe,"
    "Max. Steigung,Durchschnittliche Steigung,Durchschnittliche positive Steigung,"
    "Durchschnittliche negative Steigung,Max. Tritt-/Schrittfrequenz,"
    "Durchschnittliche Trittfrequenz,Max. Herzfrequenz,Durchschnittliche Herzfrequenz,Max. Watt,"
    "Durchschnittliche Watt,Kalorien,Max. Temperatur,Durchschnittliche Temperatur,"
    "Relative Leistung,Gesamtarbeit,Anzahl Läufe,Bergaufzeit,Bergabzeit,Andere Zeit,"
    "Gefühlte Anstrengung,Art,Startzeit,Gewichtete durchschnittliche Leistung,Leistungszahl,"
    "Gefühlte Anstrengung verwenden,Gefühlte relative Leistung,Pendeln,"
    "Insgesamt gestemmtes Gewicht,Von Upload,Auf Steigung angepasste Distanz,"
    "Wetterbeobachtungszeit,Wetterlage,Wetter: Temperatur,Scheinbare Temperatur,Taupunkt,"
    "Luftfeuchtigkeit,Wetter: Druck,Windgeschwindigkeit,Windböe,Windrichtung,"
    "Niederschlagsintensität,Sonnenaufgangszeit,Sonnenuntergangszeit,Mondphase,Fahrrad,"
    "Ausrüstung,Niederschlagswahrscheinlichkeit,Niederschlagsart,Wolkendecke,"
    "Wetter: Sichtbarkeit,UV-Index,Wetter: Ozon,Sprunganzahl,Schwierigkeit insgesamt,"
    "Durchschnittlicher Flow,Markiert,Durchschnittsgeschwindigkeit im Aufzeichnungszeitraum,"
    "Auf Schotter zurückgelegte Distanz,Neu getestete Distanz,Neu getestete Schotterdistanz,"
    "Aktivitätsanzahl,Schritte insgesamt,Eingesparte CO₂-Emissionen,Pool-Länge,"
    "Trainingsbelastung,Intensität,Durchschnittliches auf Steigung angepasstes Tempo,Medien"
)

# Exports up to June 2019, and the short English header of mid-2019 (hugovk/strava-tools#1).
HEADER_2019 = names("id,date,name,type,description,elapsed_time,distance,commute,gear,filename")
HEADER_MID_2019 = names("Activity ID,Activity Date,Activity Name,Activity Type,"
                        "Activity Description,Elapsed Time,Distance,Commute,Activity Gear,Filename")

# One run with distinct values in both copies of the repeated columns.
EN_RUN = {
    "Activity ID": "4123456789", "Activity Date": "Oct 7, 2020, 2:43:11 PM",
    "Activity Name": "Lunch Run", "Activity Type": "Run",
    ("Elapsed Time", 1): "5601", ("Elapsed Time", 2): "5601.0",
    ("Distance", 1): "18.96", ("Distance", 2): "18962.80078125",
    ("Max Heart Rate", 1): "170", ("Max Heart Rate", 2): "171.0",
    "Filename": "activities/4567.fit.gz", "Moving Time": "5371.0",
    "Max Speed": "10.4", "Average Speed": "4.15", "Elevation Gain": "123.4",
    "Elevation Loss": "120.1", "Average Cadence": "84.5", "Average Heart Rate": "150.2",
    "Average Watts": "", "Calories": "1234.0",
}


def strava_csv(header: list[str], rows: list[dict], *, bom: bool = False) -> bytes:
    """A CSV with ``header`` and ``rows``; a row maps a name or (name, occurrence) to a value."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        seen: dict[str, int] = {}
        cells = []
        for name in header:
            seen[name] = seen.get(name, 0) + 1
            cells.append(row.get((name, seen[name]), row.get(name, "") if seen[name] == 1 else ""))
        writer.writerow(cells)
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8")


def one(activities: list[SummaryActivity]) -> dict:
    assert len(activities) == 1
    return activities[0].session


def notes(session: dict) -> str:
    return session["notes"]


# --- Strava: whole files ------------------------------------------------------------------


def test_english_headers_have_repeated_columns():
    assert (len(HEADER_EN), len(HEADER_EN_103), len(HEADER_DE)) == (94, 103, 92)
    for name in ("Elapsed Time", "Distance", "Max Heart Rate", "Relative Effort", "Commute"):
        assert HEADER_EN.count(name) == 2


@pytest.mark.parametrize("header", [HEADER_EN, HEADER_EN_103], ids=["94", "103"])
def test_english_run_reads_metres_column_moving_time_and_utc_start(header):
    activity = read_strava_csv(strava_csv(header, [EN_RUN]), "export/activities.csv")[0]
    s = activity.session
    assert activity.filename == "activities/4567.fit.gz"
    assert activity.external_id == "4123456789"
    assert s["activity_id"] == "strava-4123456789"
    assert s["start_utc"] == pd.Timestamp("2020-10-07T14:43:11Z")
    assert s["distance_m"] == 18962.80078125
    assert s["elapsed_s"] == 5601.0
    assert s["timer_s"] == 5371.0
    assert s["avg_speed_mps"] == pytest.approx(18962.80078125 / 5371.0, rel=1e-12)
    assert s["max_speed_mps"] == 10.4
    assert (s["ascent_m"], s["descent_m"]) == (123.4, 120.1)
    assert (s["avg_hr_bpm"], s["max_hr_bpm"]) == (150.2, 171.0)
    assert s["avg_cadence_spm"] == 169.0
    assert "Average Cadence 84.5/min read as one leg's and doubled" in notes(s)
    assert math.isnan(s["avg_power_w"]) and s["has_power"] is False
    assert s["calories_kcal"] == 1234.0
    assert (s["sport"], s["sub_sport"], s["sport_label"]) == ("running", "generic", "Run")
    assert s["name"] == "Lunch Run" and s["description"] == ""
    assert s["utc_offset_s"] is None and s["tz_source"] == "" and s["tz_name"] == ""
    assert (s["source_format"], s["decoder"], s["source_path"]) == (
        "strava_csv", "strava_csv", "export/activities.csv")
    assert (s["member_path"], s["content_sha256"], s["device_manufacturer"]) == ("", "", "")
    assert s["is_summary_only"] and s["is_manual"] and s["has_hr"] and not s["has_gps"]
    assert (s["n_records"], s["session_index"]) == (0, 0)


def test_rows_make_a_valid_sessions_table():
    data = strava_csv(HEADER_EN, [EN_RUN, {**EN_RUN, "Activity ID": "2", "Filename": ""}])
    table = schema.sessions_frame([a.session for a in read_strava_csv(data, "a.csv")])
    schema.validate_columns(table, "sessions")
    assert list(table["activity_id"]) == ["strava-4123456789", "strava-2"]
    assert str(table.loc[0, "start_utc"]) == "2020-10-07 14:43:11+00:00"
    assert table["utc_offset_s"].isna().all()


def test_multiline_quoted_description_with_bom_and_manual_row():
    description = 'Intervals, 6 x 800 m\n"hard" ones, with commas,\r\nand a third line'
    manual = {"Activity ID": "77", "Activity Date": "Jan 2, 2021, 7:00:00 AM",
              "Activity Name": "Treadmill, gym", "Activity Type": "Run",
              "Activity Description": description, "Filename": "",
              ("Elapsed Time", 1): "1800", ("Elapsed Time", 2): "1800.0",
              ("Distance", 1): "5.00", ("Distance", 2): "5000.0", "Moving Time": "1800.0"}
    data = strava_csv(HEADER_EN, [manual, EN_RUN], bom=True)
    assert data.startswith(b"\xef\xbb\xbf")
    first, second = read_strava_csv(data, "a.csv")
    assert first.filename == "" and first.external_id == "77"
    assert first.session["description"] == description
    assert first.session["name"] == "Treadmill, gym"
    assert first.session["start_utc"] == pd.Timestamp("2021-01-02T07:00:00Z")
    assert first.session["distance_m"] == 5000.0
    assert second.external_id == "4123456789"


def test_german_header_dates_and_decimal_commas():
    row = {"Aktivitäts-ID": "998877", "Aktivitätsdatum": "07.10.2020, 14:43:11",
           "Name der Aktivität": "Mittagslauf", "Aktivitätsart": "Lauf",
           "Aktivitätsbeschreibung": "locker, mit Steigungen",
           ("Verstrichene Zeit", 1): "5601", ("Verstrichene Zeit", 2): "5601,0",
           ("Distanz", 1): "18,96", ("Distanz", 2): "18962,8",
           "Bewegungszeit": "5371,5", "Höchstgeschw.": "10,4",
           "Durchschnittliche Herzfrequenz": "142,5", ("Max. Herzfrequenz", 2): "171,0",
           "Höhenzunahme": "1.234,5", "Kalorien": "1234.5",
           "Durchschnittliche Trittfrequenz": "170,2", "Dateiname": "activities/998877.gpx"}
    activity = one(read_strava_csv(strava_csv(HEADER_DE, [row], bom=True), "de.csv"))
    assert activity["start_utc"] == pd.Timestamp("2020-10-07T14:43:11Z")
    assert activity["distance_m"] == 18962.8
    assert (activity["elapsed_s"], activity["timer_s"]) == (5601.0, 5371.5)
    assert activity["max_speed_mps"] == 10.4
    assert (activity["avg_hr_bpm"], activity["max_hr_bpm"]) == (142.5, 171.0)
    assert activity["ascent_m"] == 1234.5
    # A single '.' in a German file is a machine-written decimal point.
    assert activity["calories_kcal"] == 1234.5
    assert activity["avg_cadence_spm"] == 170.2
    assert (activity["sport"], activity["sport_label"]) == ("running", "Lauf")
    assert activity["description"] == "locker, mit Steigungen"
    assert activity["notes"] == ""


def test_german_trail_run_label():
    row = {"Aktivitäts-ID": "1", "Aktivitätsdatum": "7.1.2021, 06:05:04",
           "Aktivitätsart": "Traillauf"}
    activity = one(read_strava_csv(strava_csv(HEADER_DE, [row]), "de.csv"))
    assert (activity["sport"], activity["sub_sport"]) == ("running", "trail")
    assert activity["start_utc"] == pd.Timestamp("2021-01-07T06:05:04Z")


def test_old_2019_header_distance_in_metres():
    data = (",".join(HEADER_2019) + "\n"
            "1836776031,2018-09-12 15:02:23,Evening Ride,Ride,,783,3681.0,true,Merida,"
            "activities/1836776031.gpx\n").encode()
    activity = read_strava_csv(data, "old.csv")[0]
    s = activity.session
    assert activity.filename == "activities/1836776031.gpx"
    assert s["start_utc"] == pd.Timestamp("2018-09-12T15:02:23Z")
    assert s["distance_m"] == 3681.0
    assert s["elapsed_s"] == 783.0 and s["timer_s"] == 783.0
    assert "timer time taken as the elapsed time" in s["notes"]
    assert (s["sport"], s["sport_label"]) == ("cycling", "Ride")
    assert s["avg_speed_mps"] == pytest.approx(3681.0 / 783.0)
    assert math.isnan(s["avg_cadence_spm"])


def test_mid_2019_header_lone_distance_is_km():
    data = (",".join(HEADER_MID_2019) + "\n"
            '1836776031,"Sep 12, 2018, 3:02:23 PM",Evening Ride,Ride,,783,3.68,true,Merida,'
            "activities/1836776031.gpx\n").encode()
    s = one(read_strava_csv(data, "mid.csv"))
    assert s["start_utc"] == pd.Timestamp("2018-09-12T15:02:23Z")
    assert s["distance_m"] == pytest.approx(3680.0)
    assert "distance read from the rounded display column, taken as km" in s["notes"]


def test_row_without_readable_date_is_dropped_with_warning():
    rows = [EN_RUN, {**EN_RUN, "Activity ID": "55", "Activity Date": "10/07/2020 14:43:11"},
            {**EN_RUN, "Activity ID": "56", "Activity Date": ""}]
    with pytest.warns(RunloadWarning) as record:
        activities = read_strava_csv(strava_csv(HEADER_EN, rows), "x/activities.csv")
    assert [a.external_id for a in activities] == ["4123456789"]
    messages = [str(w.message) for w in record]
    assert len(messages) == 2
    assert messages[0].startswith("x/activities.csv: row 2 (line 3), Activity ID 55: start "
                                  "'10/07/2020 14:43:11'")
    assert "row 3 (line 4), Activity ID 56" in messages[1]


def test_line_numbers_count_multiline_cells():
    rows = [{**EN_RUN, "Activity Description": "a\nb\nc"},
            {**EN_RUN, "Activity Date": "yesterday"}]
    with pytest.warns(RunloadWarning, match=r"row 2 \(line 5\)"):
        read_strava_csv(strava_csv(HEADER_EN, rows), "a.csv")


def test_unreadable_number_is_nan_with_note_and_zero_hr_is_missing():
    row = {**EN_RUN, ("Distance", 2): "far", "Average Heart Rate": "0", "Average Cadence": "",
           "Average Watts": "250"}
    s = one(read_strava_csv(strava_csv(HEADER_EN, [row]), "a.csv"))
    assert math.isnan(s["distance_m"]) and math.isnan(s["avg_speed_mps"]) is False
    assert s["avg_speed_mps"] == 4.15  # the row's own average when distance is unknown
    assert "unreadable Distance value 'far'" in s["notes"]
    assert math.isnan(s["avg_hr_bpm"]) and s["has_hr"] is False
    assert math.isnan(s["avg_cadence_spm"])
    assert s["avg_power_w"] == 250.0 and s["has_power"] is True


def test_cadence_rules_by_sport():
    rows = [{**EN_RUN, "Activity ID": "1", "Average Cadence": "172"},
            {**EN_RUN, "Activity ID": "2", "Activity Type": "Ride", "Average Cadence": "88"},
            {**EN_RUN, "Activity ID": "3", "Activity Type": "Walk", "Average Cadence": "55"}]
    run, ride, walk = (a.session for a in read_strava_csv(strava_csv(HEADER_EN, rows), "a.csv"))
    assert run["avg_cadence_spm"] == 172.0 and "Cadence" not in run["notes"]
    assert math.isnan(ride["avg_cadence_spm"]) and math.isnan(walk["avg_cadence_spm"])


def test_trail_and_virtual_run_labels():
    rows = [{**EN_RUN, "Activity ID": "1", "Activity Type": "Trail Run"},
            {**EN_RUN, "Activity ID": "2", "Activity Type": "Virtual Run"}]
    trail, virtual = (a.session for a in read_strava_csv(strava_csv(HEADER_EN, rows), "a.csv"))
    assert (trail["sport"], trail["sub_sport"], trail["sport_label"]) == (
        "running", "trail", "Trail Run")
    assert (virtual["sport"], virtual["sub_sport"]) == ("running", "virtual_activity")


def test_implausible_run_speed_is_noted():
    row = {**EN_RUN, ("Distance", 2): "18.96"}
    s = one(read_strava_csv(strava_csv(HEADER_EN, [row]), "a.csv"))
    assert s["distance_m"] == 18.96
    assert "implausible for a run" in s["notes"]


def test_row_without_id_gets_a_content_id():
    row = {**EN_RUN, "Activity ID": ""}
    activity = read_strava_csv(strava_csv(HEADER_EN, [row]), "a.csv")[0]
    again = read_strava_csv(strava_csv(HEADER_EN, [row]), "b.csv")[0]
    assert activity.external_id == ""
    assert activity.session["activity_id"].startswith("strava-")
    assert len(activity.session["activity_id"]) == len("strava-") + 16
    assert activity.session["activity_id"] == again.session["activity_id"]
    assert "no Activity ID" in activity.session["notes"]


def test_blank_lines_are_skipped_and_short_rows_tolerated():
    data = strava_csv(HEADER_EN, [EN_RUN]) + b"\r\n,,,\r\n55,\"Oct 8, 2020, 1:00:00 AM\"\r\n"
    first, short = read_strava_csv(data, "a.csv")
    assert short.external_id == "55"
    assert short.session["start_utc"] == pd.Timestamp("2020-10-08T01:00:00Z")
    assert math.isnan(short.session["distance_m"]) and short.filename == ""


def test_broken_quoting_keeps_the_rows_before():
    data = strava_csv(HEADER_EN, [EN_RUN]) + b'9,"Oct 8, 2020, 1:00:00 AM",Run,Run,"unterminated'
    with pytest.warns(RunloadWarning, match="breaks at line 3"):
        activities = read_strava_csv(data, "a.csv")
    assert [a.external_id for a in activities] == ["4123456789"]


@pytest.mark.parametrize("data, match", [
    (b"", "empty"),
    (b"\r\n\r\n", "empty"),
    ("Aktivit\u00e4ts-ID".encode("latin-1") + b",x\n", "not UTF-8"),
    (b"Date,Steps\n2020-01-01,5\n", "not a Strava activities.csv"),
    (b'"unterminated header', "header is not readable"),
])
def test_unreadable_files_raise(data, match):
    with pytest.raises(CorruptFileError, match=match) as info:
        read_strava_csv(data, "bad.csv")
    assert info.value.path == "bad.csv"


def test_corrupt_error_keeps_cause():
    with pytest.raises(CorruptFileError) as info:
        read_strava_csv(b"\xff\xfe\x00", "bad.csv")
    assert isinstance(info.value.__cause__, UnicodeDecodeError)


@pytest.mark.parametrize("text, expected", [
    ("Oct 7, 2020, 2:43:11 PM", "2020-10-07T14:43:11"),
    ("Oct 7, 2020, 2:43:11\u202fPM", "2020-10-07T14:43:11"),  # CLDR 42 narrow space
    ("October 7, 2020, 2:43 pm", "2020-10-07T14:43:00"),
    ("Oct 7, 2020, 12:05:00 AM", "2020-10-07T00:05:00"),
    ("Oct 7, 2020, 12:05:00 PM", "2020-10-07T12:05:00"),
    ("Sept 7, 2020, 14:43:11", "2020-09-07T14:43:11"),
    ("07.10.2020, 14:43:11", "2020-10-07T14:43:11"),
    ("7.10.2020 04:03:02", "2020-10-07T04:03:02"),
    ("2018-09-12 15:02:23", "2018-09-12T15:02:23"),
    ("2018-09-12T15:02:23Z", "2018-09-12T15:02:23"),
    ("2018-09-12T17:02:23+02:00", "2018-09-12T15:02:23"),
])
def test_date_forms(text, expected):
    assert summaries._parse_date(text) == pd.Timestamp(expected, tz="UTC")


@pytest.mark.parametrize("text", [
    "10/07/2020 14:43:11", "2020-10-07", "Okt 7, 2020, 2:43:11 PM", "Mayday 7, 2020, 1:00 PM", "Feb 30, 2020, 1:00:00 PM",
    "Oct 7, 2020, 13:00:00 PM", "31.02.2020, 10:00:00", "Oct 7, 1970, 2:43:11 PM", "",
])
def test_dates_not_guessed(text):
    assert summaries._parse_date(text) is None


@pytest.mark.parametrize("text, decimal, expected", [
    ("18962.80078125", ".", 18962.80078125), ("1,234.5", ".", 1234.5), ("1,234", ".", 1234.0),
    ("18962,8", ",", 18962.8), ("1.234,5", ",", 1234.5), ("5000.0", ",", 5000.0),
    ("1.234.567", ",", 1234567.0), ("-3,5", ",", -3.5), ("", ".", None), ("  ", ",", None),
])
def test_number_forms(text, decimal, expected):
    assert summaries._parse_number(text, decimal) == expected


@pytest.mark.parametrize("text, decimal", [("5,2", "."), ("1.2.3", ","), ("abc", "."),
                                           ("1,23", ".")])
def test_numbers_not_guessed(text, decimal):
    with pytest.raises(ValueError):
        summaries._parse_number(text, decimal)


# --- Garmin -------------------------------------------------------------------------------

T0_MS = 1_600_000_000_000  # 2020-09-13T12:26:40Z
HOUR_MS = 3_600_000
HUGE_ID = 12345678901234567891  # > 2**64 even; far beyond a float's 2**53


def garmin_entry(**fields) -> dict:
    entry = {"activityId": 1001, "name": "Morning Run", "activityType": "running",
             "sportType": "RUNNING", "startTimeGmt": T0_MS, "startTimeLocal": T0_MS + 8 * HOUR_MS,
             "duration": 3_000_000.0, "elapsedDuration": 3_100_000.0,
             "movingDuration": 2_950_000.0, "distance": 1_000_000.0, "avgSpeed": 0.3333,
             "maxSpeed": 0.45, "elevationGain": 12345.0, "elevationLoss": 12000.0,
             "avgHr": 150.0, "maxHr": 175.0, "avgRunCadence": 84.0, "avgPower": 280.0,
             "calories": 700.0, "startLatitude": 1.3521, "startLongitude": 103.8198,
             "manufacturer": "GARMIN"}
    entry.update(fields)
    return {k: v for k, v in entry.items() if v is not None}


def garmin_json(*entries: dict) -> bytes:
    return json.dumps([{"summarizedActivitiesExport": list(entries)}]).encode()


def test_garmin_units_and_offset():
    s = one(read_garmin_summaries(garmin_json(garmin_entry()), "u_0_summarizedActivities.json"))
    assert s["activity_id"] == "garmin-1001"
    assert s["start_utc"] == pd.Timestamp("2020-09-13T12:26:40Z")
    assert (s["utc_offset_s"], s["tz_source"]) == (8 * 3600, "garmin_json")
    assert s["distance_m"] == pytest.approx(10_000.0, rel=1e-12)
    assert (s["timer_s"], s["elapsed_s"]) == (3000.0, 3100.0)
    assert s["avg_speed_mps"] == pytest.approx(10_000.0 / 3000.0, rel=1e-12)
    assert s["max_speed_mps"] == pytest.approx(4.5, rel=1e-12)
    assert s["ascent_m"] == pytest.approx(123.45, rel=1e-12)
    assert s["descent_m"] == pytest.approx(120.0, rel=1e-12)
    assert s["avg_cadence_spm"] == 168.0
    assert (s["avg_hr_bpm"], s["max_hr_bpm"], s["avg_power_w"], s["calories_kcal"]) == (
        150.0, 175.0, 280.0, 700.0)
    assert (s["start_lat_deg"], s["start_lon_deg"]) == (1.3521, 103.8198)
    assert s["has_gps"] and s["has_hr"] and s["has_power"]
    assert s["device_manufacturer"] == "garmin"
    assert (s["source_format"], s["decoder"]) == ("garmin_json", "garmin_json")
    assert s["is_summary_only"] and s["is_manual"] and s["n_records"] == 0
    assert s["notes"] == ""


def test_garmin_chunk_types_and_offsets():
    entries = [
        garmin_entry(activityId=1, activityType="treadmill_running",
                     startTimeLocal=T0_MS - 5 * HOUR_MS),
        garmin_entry(activityId=2, activityType={"typeKey": "trail_running", "typeId": 6},
                     startTimeLocal=T0_MS + 5 * HOUR_MS + 45 * 60_000 + 1_000),
        garmin_entry(activityId=3, activityType="street_running", startTimeLocal=T0_MS),
        garmin_entry(activityId=4, activityType="cycling", avgRunCadence=None,
                     startTimeLocal=T0_MS + 1234_000),
    ]
    rows = [a.session for a in read_garmin_summaries(garmin_json(*entries), "c.json")]
    assert [(r["sport"], r["sub_sport"], r["sport_label"]) for r in rows] == [
        ("running", "treadmill", "treadmill_running"), ("running", "trail", "trail_running"),
        ("running", "street", "street_running"), ("cycling", "generic", "cycling")]
    assert [r["utc_offset_s"] for r in rows] == [-5 * 3600, 5 * 3600 + 45 * 60, 0, None]
    assert rows[3]["tz_source"] == "" and "1234 s is not a UTC offset" in rows[3]["notes"]
    assert math.isnan(rows[3]["avg_cadence_spm"])
    table = schema.sessions_frame(rows)
    schema.validate_columns(table, "sessions")
    assert list(table["utc_offset_s"].astype("float")[:3]) == [-18000.0, 20700.0, 0.0]


def test_garmin_huge_id_is_kept_exactly():
    data = garmin_json(garmin_entry(activityId=HUGE_ID, parentId=None))
    assert str(HUGE_ID).encode() in data
    activity = read_garmin_summaries(data, "c.json")[0]
    assert activity.external_id == "12345678901234567891"
    assert activity.session["activity_id"] == "garmin-12345678901234567891"
    assert activity.filename == ""


def test_garmin_manual_entry():
    manual = {"activityId": 77, "name": "Gym treadmill", "activityType": "running",
              "startTimeGmt": T0_MS, "startTimeLocal": T0_MS + HOUR_MS,
              "duration": 1_800_000, "distance": 500_000, "manualActivity": True}
    s = one(read_garmin_summaries(garmin_json(manual), "c.json"))
    assert (s["timer_s"], s["elapsed_s"], s["distance_m"]) == (1800.0, 1800.0, 5000.0)
    assert "elapsed time taken as the timer time" in s["notes"]
    assert not s["has_gps"] and not s["has_hr"] and not s["has_power"]
    assert math.isnan(s["start_lat_deg"]) and math.isnan(s["avg_hr_bpm"])
    assert math.isnan(s["avg_cadence_spm"]) and math.isnan(s["calories_kcal"])
    assert s["device_manufacturer"] == "" and s["avg_speed_mps"] == pytest.approx(5000 / 1800)


def test_garmin_cadence_prefers_double_cadence_and_moving_fallback():
    entry = garmin_entry(avgDoubleCadence=169.3, duration=None, elapsedDuration=None)
    s = one(read_garmin_summaries(garmin_json(entry), "c.json"))
    assert s["avg_cadence_spm"] == 169.3
    assert (s["timer_s"], s["elapsed_s"]) == (2950.0, 2950.0)
    assert "timer time taken as movingDuration" in s["notes"]


def test_garmin_api_text_times_and_zero_hr():
    entry = garmin_entry(startTimeGmt=None, startTimeGMT="2019-02-16 05:05:52",
                         startTimeLocal="2019-02-16 07:05:52", avgHr=0)
    s = one(read_garmin_summaries(garmin_json(entry), "c.json"))
    assert s["start_utc"] == pd.Timestamp("2019-02-16T05:05:52Z")
    assert s["utc_offset_s"] == 7200
    assert math.isnan(s["avg_hr_bpm"]) and not s["has_hr"]


def test_garmin_begin_timestamp_fallback():
    entry = garmin_entry(startTimeGmt=None, beginTimestamp=T0_MS)
    s = one(read_garmin_summaries(garmin_json(entry), "c.json"))
    assert s["start_utc"] == pd.Timestamp("2020-09-13T12:26:40Z")
    assert s["utc_offset_s"] == 8 * 3600


def test_garmin_entry_without_start_is_dropped_with_warning():
    entries = [garmin_entry(activityId=5, startTimeGmt=None), garmin_entry(activityId=6),
               "not an entry"]
    with pytest.warns(RunloadWarning) as record:
        activities = read_garmin_summaries(garmin_json(*entries), "g/u_0.json")
    assert [a.external_id for a in activities] == ["6"]
    messages = [str(w.message) for w in record]
    assert messages[0].startswith("g/u_0.json: entry 0 (activityId 5) has no readable start")
    assert messages[1] == "g/u_0.json: entry 2 is not a JSON object; dropped."


def test_garmin_multisport_parent_dropped_when_legs_present():
    parent = garmin_entry(activityId=10, activityType="multi_sport", parent=True)
    legs = [garmin_entry(activityId=11, parentId=10), garmin_entry(activityId=12, parentId=10,
                                                                   activityType="cycling")]
    ids = [a.external_id for a in read_garmin_summaries(garmin_json(parent, *legs), "c.json")]
    assert ids == ["11", "12"]
    alone = one(read_garmin_summaries(garmin_json(parent), "c.json"))
    assert "multisport parent whose legs are not in this file" in alone["notes"]


@pytest.mark.parametrize("doc", [
    {"summarizedActivitiesExport": [garmin_entry()]},
    [[garmin_entry()]],
    [garmin_entry()],
    [{"summarizedActivitiesExport": []}, {"summarizedActivitiesExport": [garmin_entry()]}],
])
def test_garmin_other_shapes(doc):
    activities = read_garmin_summaries(json.dumps(doc).encode(), "c.json")
    assert [a.external_id for a in activities] == ["1001"]


def test_garmin_empty_and_bom():
    assert read_garmin_summaries(b"[]", "c.json") == []
    data = b"\xef\xbb\xbf" + garmin_json(garmin_entry())
    assert len(read_garmin_summaries(data, "c.json")) == 1


@pytest.mark.parametrize("data, match", [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe[]", "not UTF-8"),
    (b"42", "JSON root is a int"),
    (b'[{"somethingElse": []}]', "without 'summarizedActivitiesExport'"),
    (b'[{"summarizedActivitiesExport": {"a": 1}}]', "holds a dict, not a list"),
])
def test_garmin_unreadable_files_raise(data, match):
    with pytest.raises(CorruptFileError, match=match) as info:
        read_garmin_summaries(data, "bad.json")
    assert info.value.path == "bad.json"


def test_garmin_json_error_keeps_cause():
    with pytest.raises(CorruptFileError) as info:
        read_garmin_summaries(b"[{", "bad.json")
    assert isinstance(info.value.__cause__, json.JSONDecodeError)


# --- Cross-check with a real FIT ----------------------------------------------------------


def test_garmin_units_line_up_with_the_fit_file(realdata: Path):
    """A summary entry written, in Garmin's units, from the FIT's own session values.

    The run: 2019-02-16T05:05:52Z, local +2 h, 4922.73 m in 1440.668 s
    (MANIFEST.tsv).  Garmin's export rounds speeds to 1e-4 cm/ms.
    """
    fit = read_activity(realdata / "fit/gc__3386684871.fit").sessions.iloc[0]
    start_ms = int(fit["start_utc"].value // 1_000_000)
    entry = {"activityId": 3386684871, "activityType": {"typeKey": "running"},
             "startTimeGmt": start_ms, "startTimeLocal": start_ms + 7_200_000,
             "duration": 1440668.0, "elapsedDuration": 1440668.0, "distance": 492273.0,
             "avgSpeed": 0.3417, "maxSpeed": 0.4385, "elevationGain": 800.0,
             "elevationLoss": 400.0, "avgHr": 137.0, "maxHr": 149.0,
             "avgRunCadence": 83.4375, "calories": 317.0}
    s = one(read_garmin_summaries(garmin_json(entry), "c.json"))
    assert s["start_utc"] == fit["start_utc"]
    assert s["utc_offset_s"] == fit["utc_offset_s"]
    for column in ("distance_m", "timer_s", "elapsed_s", "avg_speed_mps", "max_speed_mps",
                   "ascent_m", "descent_m", "avg_hr_bpm", "avg_cadence_spm", "calories_kcal"):
        assert s[column] == pytest.approx(fit[column], rel=0.01), column
    assert s["sport"] == fit["sport"]

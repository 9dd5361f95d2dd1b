"""What a format parser hands back: the contract between parsers and the scanner."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class ParsedFile:
    """The activity content of one file, before file-level columns are added.

    Attributes
    ----------
    sessions : tuple of dict
        One dict per session with :data:`runload.schema.SESSION_COLUMNS` keys
        that the format knows (sport, sub_sport, sport_label, name, start_utc,
        utc_offset_s, tz_source, elapsed_s, timer_s, distance_m, ascent_m,
        descent_m, avg_hr_bpm, max_hr_bpm, avg_cadence_spm, avg_speed_mps,
        max_speed_mps, avg_power_w, calories_kcal, device_manufacturer,
        device_product, has_gps, has_hr, has_power, is_manual, is_partial,
        n_records, notes).  File-level keys (activity_id, source_path,
        member_path, source_format, content_sha256, decoder, session_index)
        are added by the scanner.
    streams : tuple of pandas.DataFrame
        One streams table per session (:func:`runload.schema.stream_frame`).
    decoder : str
        'runload-fit', 'fitparse', 'gpx' or 'tcx'.
    problems : tuple of str
        Non-fatal problems met while reading the file, in plain words.
    is_partial : bool
        True when the file was damaged and only the intact part was kept.
    """

    sessions: tuple[dict[str, Any], ...]
    streams: tuple[pd.DataFrame, ...]
    decoder: str
    problems: tuple[str, ...] = field(default=())
    is_partial: bool = False

    def __post_init__(self) -> None:
        if len(self.sessions) != len(self.streams):
            raise ValueError(f"ParsedFile needs one stream per session; got "
                             f"{len(self.sessions)} sessions and {len(self.streams)} streams.")

"""runload: training-load patterns from a runner's whole activity history.

Public API
----------
read_activity
    Read one FIT, GPX or TCX file (also gzipped) into sessions and streams.
scan
    Read every activity file under files and folders; report what was skipped.
"""

__version__ = "0.1.0"

from runload.errors import (
    CorruptFileError,
    NotAnActivityError,
    ReadError,
    RunloadError,
    RunloadWarning,
    UnsupportedFormatError,
)
from runload.readers.scan import Activity, ScanResult, read_activity, scan

__all__ = [
    "Activity",
    "CorruptFileError",
    "NotAnActivityError",
    "ReadError",
    "RunloadError",
    "RunloadWarning",
    "ScanResult",
    "UnsupportedFormatError",
    "__version__",
    "read_activity",
    "scan",
]

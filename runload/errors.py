"""Errors and warnings raised by runload.

Every error runload raises on purpose derives from :class:`RunloadError`, so a
caller (and the CLI) can tell runload's own, explained failures from bugs.
Errors about a file carry the file's ``path`` (and ``member`` inside an
archive) and keep the original exception as ``__cause__``.
"""

from __future__ import annotations


class RunloadError(Exception):
    """Base class of every error runload raises on purpose."""


class ReadError(RunloadError):
    """A file could not be read as an activity.

    Parameters
    ----------
    path : str
        The file (or the archive holding it).
    reason : str
        What is wrong, in plain words.
    member : str, optional
        The member path inside an archive, when the file came from one.
    """

    def __init__(self, path: str, reason: str, *, member: str | None = None) -> None:
        self.path = str(path)
        self.reason = reason
        self.member = member
        where = self.path if member is None else f"{self.path}!{member}"
        super().__init__(f"{where}: {reason}")


class UnsupportedFormatError(ReadError):
    """The content is not FIT, GPX or TCX (or gzip of one of them)."""


class CorruptFileError(ReadError):
    """The file is FIT/GPX/TCX but damaged beyond what runload can recover."""


class NotAnActivityError(ReadError):
    """The file is valid but holds no activity (monitoring, settings, route, course...)."""


class ConfigError(RunloadError):
    """A configuration file cannot be read, or holds an unknown or ill-typed setting."""


class PainJournalError(ConfigError):
    """A pain journal cannot be read or written, or holds an entry runload cannot accept.

    Parameters
    ----------
    path : str
        The journal file.
    reason : str
        What is wrong and what is accepted, in plain words.
    line : int, optional
        The line of the file the problem is on (1 = the first line).
    column : str, optional
        The journal column at fault ('date', 'region', 'severity', 'timing', 'note').
    value : str, optional
        The value received.
    """

    def __init__(self, path: str, reason: str, *, line: int | None = None,
                 column: str | None = None, value: str | None = None) -> None:
        self.path = str(path)
        self.reason = reason
        self.line = line
        self.column = column
        self.value = value
        where = self.path if line is None else f"{self.path}, line {line}"
        super().__init__(f"{where}: {reason}")


class RunloadWarning(UserWarning):
    """A result is degraded but still valid (partial file, assumed time zone...)."""

"""Hostile XML in GPX and TCX files: entity bombs, external entities and DTDs, XInclude.

Every document with a DTD is refused with a CorruptFileError that names the
file and says why, before any parser expands an entity, reads a local file or
opens a connection (see runload.readers.track, "Hostile XML").  XInclude is
never processed: such a file is read as if the include element were not
there.  The tests watch for the secret file being opened (an audit hook) and
for any socket (socket.socket replaced by a trap), and check that the secret
marker appears in no output.
"""

from __future__ import annotations

import gzip
import socket
import sys
import tracemalloc
from pathlib import Path

import pytest

from runload import read_history
from runload.errors import CorruptFileError, ReadError
from runload.readers.content import read_activity
from runload.readers.gpx import parse_gpx
from runload.readers.tcx import parse_tcx
from runload.readers.track import xml_root_offset
from runload.schema import validate_columns

MARKER = "RUNLOAD-SECRET-7f3a9c"

# --- the audit hook: which files are opened while a test runs ---------------------

_OPENED: list[str] | None = None


def _audit(event: str, args: tuple) -> None:
    if _OPENED is not None and event == "open" and args and isinstance(args[0], str | bytes):
        _OPENED.append(str(args[0]))


sys.addaudithook(_audit)  # cannot be removed; inert while _OPENED is None


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(MARKER)
    return path


@pytest.fixture
def guarded(monkeypatch, secret: Path):
    """No socket may be created, and the files opened are recorded."""
    global _OPENED
    calls: list[tuple] = []

    def trap(*args, **kwargs):
        calls.append(args)
        raise AssertionError("a socket was created while reading a file")

    monkeypatch.setattr(socket, "socket", trap)
    monkeypatch.setattr(socket, "create_connection", trap)
    _OPENED = []
    try:
        yield calls
    finally:
        opened, _OPENED = _OPENED, None
        assert calls == [], "network access attempted"
        assert not [p for p in opened if Path(p).name == secret.name], \
            "the secret file was opened"


def test_the_guard_sees_a_secret_opened(secret):
    global _OPENED
    _OPENED = []
    try:
        secret.read_text()
        opened = list(_OPENED)
    finally:
        _OPENED = None
    assert str(secret) in opened


# --- documents ---------------------------------------------------------------------

GPX_HEAD = ('<gpx version="1.1" creator="attack" xmlns="http://www.topografix.com/GPX/1/1">'
            '<trk><name>{name}</name><type>running</type><trkseg>')
GPX_POINTS = ''.join(f'<trkpt lat="47.{i:04d}" lon="8.0"><time>2024-05-01T06:00:{i:02d}Z</time>'
                     '</trkpt>' for i in range(5))
GPX_TAIL = '</trkseg></trk></gpx>'
TCX_HEAD = ('<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/'
            'TrainingCenterDatabase/v2"><Activities><Activity Sport="Running">'
            '<Id>2024-05-01T06:00:00Z</Id><Notes>{name}</Notes>'
            '<Lap StartTime="2024-05-01T06:00:00Z"><TotalTimeSeconds>60</TotalTimeSeconds>'
            '<Track>')
TCX_POINTS = ''.join(f'<Trackpoint><Time>2024-05-01T06:00:{i:02d}Z</Time>'
                     f'<DistanceMeters>{i * 3}</DistanceMeters></Trackpoint>' for i in range(5))
TCX_TAIL = '</Track></Lap></Activity></Activities></TrainingCenterDatabase>'


def document(fmt: str, *, doctype: str = "", name: str = "Run") -> bytes:
    root = "gpx" if fmt == "gpx" else "TrainingCenterDatabase"
    head, points, tail = ((GPX_HEAD, GPX_POINTS, GPX_TAIL) if fmt == "gpx"
                          else (TCX_HEAD, TCX_POINTS, TCX_TAIL))
    dtd = doctype.replace("ROOT", root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + dtd + head.format(name=name)
            + points + tail).encode()


def attacks(secret: Path) -> dict[str, tuple[str, str]]:
    """name -> (DOCTYPE, text referencing its entities)."""
    laughs = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    uri = secret.as_uri()
    return {
        "billion laughs": (f"<!DOCTYPE ROOT [{laughs}]>", "&lol9;"),
        "quadratic blowup": (f'<!DOCTYPE ROOT [<!ENTITY a "{"x" * 50_000}">]>', "&a;" * 50_000),
        "external entity (file)": (f'<!DOCTYPE ROOT [<!ENTITY xxe SYSTEM "{uri}">]>', "&xxe;"),
        "external entity (http)": ('<!DOCTYPE ROOT [<!ENTITY xxe SYSTEM '
                                   '"http://127.0.0.1:9/secret">]>', "&xxe;"),
        "external DTD (http)": ('<!DOCTYPE ROOT SYSTEM "http://127.0.0.1:9/gpx.dtd">', "Run"),
        "external DTD (file)": (f'<!DOCTYPE ROOT SYSTEM "{uri}">', "Run"),
        "parameter entity": (f'<!DOCTYPE ROOT [<!ENTITY % p SYSTEM "{uri}"> %p;]>', "Run"),
        "public id": ('<!DOCTYPE ROOT PUBLIC "-//X//Y//EN" "http://127.0.0.1:9/x.dtd">', "Run"),
        "harmless-looking DTD": ("<!DOCTYPE ROOT>", "Run"),
    }


CASES = [(fmt, name) for fmt in ("gpx", "tcx") for name in (
    "billion laughs", "quadratic blowup", "external entity (file)", "external entity (http)",
    "external DTD (http)", "external DTD (file)", "parameter entity", "public id",
    "harmless-looking DTD")]


def _outputs(exc: BaseException) -> str:
    """Every text an error carries, with its chain."""
    texts = []
    while exc is not None:
        texts.append(f"{exc!r} {exc}")
        exc = exc.__cause__ or exc.__context__
    return " ".join(texts)


@pytest.mark.parametrize(("fmt", "attack"), CASES)
@pytest.mark.parametrize("wrap", ["plain", "gzip"])
def test_attack_is_refused_naming_the_file(fmt, attack, wrap, secret, guarded):
    doctype, text = attacks(secret)[attack]
    data = document(fmt, doctype=doctype, name=text)
    if wrap == "gzip":
        data = gzip.compress(data)
    name = f"hostile.{fmt}" + (".gz" if wrap == "gzip" else "")
    tracemalloc.start()
    try:
        with pytest.raises(CorruptFileError) as info:
            read_activity(data, name=name)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    exc = info.value
    assert exc.path == name and str(exc).startswith(f"{name}: ")
    assert "refused" in exc.reason and "<!DOCTYPE" in exc.reason and "DTD" in exc.reason
    assert MARKER not in _outputs(exc)
    # refused at the declaration: the entities were never expanded
    assert peak < 20 * 1024**2


@pytest.mark.parametrize("parse", [parse_gpx, parse_tcx], ids=["gpx", "tcx"])
def test_parsers_refuse_directly(parse, secret, guarded):
    fmt = "gpx" if parse is parse_gpx else "tcx"
    doctype, text = attacks(secret)["external entity (file)"]
    with pytest.raises(CorruptFileError, match=r"^x\.xml: refused: the XML holds a document type"):
        parse(document(fmt, doctype=doctype, name=text), "x.xml")


def test_external_dtd_reason_names_what_it_would_load(secret, guarded):
    doctype, _ = attacks(secret)["external DTD (http)"]
    with pytest.raises(CorruptFileError, match=r"it would load http://127\.0\.0\.1:9/gpx\.dtd"):
        read_activity(document("gpx", doctype=doctype), name="a.gpx")


@pytest.mark.parametrize("fmt", ["gpx", "tcx"])
def test_damaged_document_with_a_dtd_is_refused_too(fmt, secret, guarded):
    # Cut short, so the tolerant reader (defusedxml throughout) reads it.
    doctype, text = attacks(secret)["external entity (file)"]
    data = document(fmt, doctype=doctype, name=text)[:-40]
    with pytest.raises(CorruptFileError, match="refused"):
        read_activity(data, name=f"cut.{fmt}")


@pytest.mark.parametrize("fmt", ["gpx", "tcx"])
def test_utf16_document_with_a_dtd_is_refused(fmt, secret, guarded):
    doctype, text = attacks(secret)["external entity (file)"]
    data = document(fmt, doctype=doctype, name=text).decode().replace(
        'encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    with pytest.raises(ReadError) as info:
        read_activity(data, name=f"wide.{fmt}")
    assert MARKER not in _outputs(info.value)


def test_a_dtd_hidden_in_a_processing_instruction_never_reaches_gpxpy(secret, guarded):
    # gpxpy deletes the first ' xmlns="..."' of the text before parsing it: here that
    # would end the processing instruction early and turn the DTD inside it into markup.
    # gpxpy only ever sees the document from its root element on.
    uri = secret.as_uri()
    prolog = (f'<?pi ? xmlns="x"> <!DOCTYPE gpx [<!ENTITY xxe SYSTEM "{uri}">]> <?pi2 ?>')
    data = document("gpx", name="&xxe;").replace(b"\n", b"\n" + prolog.encode(), 1)
    assert xml_root_offset(data) is not None  # the prolog itself is well-formed and DTD-free
    with pytest.raises(ReadError) as info:
        outcome = read_activity(data, name="pi.gpx")
        assert MARKER not in outcome.sessions.to_string()
    assert MARKER not in _outputs(info.value)


@pytest.mark.parametrize("fmt", ["gpx", "tcx"])
def test_xinclude_is_not_processed(fmt, secret, guarded):
    include = (f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{secret.as_uri()}"'
               ' parse="text"/>')
    act = read_activity(document(fmt, name=include), name=f"xi.{fmt}")
    validate_columns(act.sessions, "sessions")
    assert len(act.sessions) == 1 and act.sessions["n_records"].iloc[0] == 5
    texts = act.sessions.to_string() + " ".join(act.problems) + act.streams[0].to_string()
    assert MARKER not in texts


@pytest.mark.parametrize("fmt", ["gpx", "tcx"])
def test_plain_documents_still_read(fmt, guarded):
    act = read_activity(document(fmt), name=f"ok.{fmt}")
    assert act.sessions["n_records"].tolist() == [5]
    assert act.problems == ()


def test_import_reports_attacks_and_reads_the_rest(tmp_path, secret, guarded):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "ok.gpx").write_bytes(document("gpx"))
    (folder / "ok.tcx").write_bytes(document("tcx"))
    bad = {}
    for i, (name, (doctype, text)) in enumerate(attacks(secret).items()):
        fmt = ("gpx", "tcx")[i % 2]
        bad[f"bad{i}.{fmt}"] = name
        (folder / f"bad{i}.{fmt}").write_bytes(document(fmt, doctype=doctype, name=text))
    history = read_history(folder, use_cache=False, tz="UTC")
    files = history.report.files
    status = {Path(p).name: (s, r) for p, s, r in
              zip(files["source_path"], files["status"], files["reason"], strict=True)}
    assert status["ok.gpx"] == ("read", "") and status["ok.tcx"] == ("read", "")
    for name in bad:
        assert status[name][0] == "failed" and "refused" in status[name][1], (name, status[name])
    assert len(history.sessions) == 2
    assert MARKER not in files.to_string() + history.sessions.to_string()

"""The PDF report: the same sentences and flags as the HTML, escaped, and reproducible."""

from __future__ import annotations

import io
import re

import pytest

from runload.report import build_report
from tests.report.conftest import AS_OF, BAD_FILE, LONG_NAME, SCRIPT_NAME
from tests.report.htmltree import parse

pypdf = pytest.importorskip("pypdf")


def pdf_text(data: bytes) -> tuple[str, int]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"\s+", " ", text), len(reader.pages)


@pytest.fixture(scope="module")
def pdf_km(report_km):
    return report_km.pdf_bytes()


def test_pdf_says_what_the_html_says(report_km, pdf_km):
    text, pages = pdf_text(pdf_km)
    assert pdf_km.startswith(b"%PDF-") and pages >= 3
    doc = parse(report_km.html)
    for element_id in ("summary-distance", "summary-longest", "summary-rest",
                       "summary-flags", "import-counts"):
        assert doc.by_id(element_id).text in text, element_id
    for li in doc.by_id("summary-flag-list").find_all("li"):
        assert li.text in text
    assert "This week: Mon 11 – Sun 17 Mar 2024" in text
    assert "Page 1" in text and f"Page {pages}" in text


def test_every_flag_message_is_in_the_pdf(analysis_km, pdf_km):
    text, _ = pdf_text(pdf_km)
    for message in analysis_km.flags["message"]:
        assert message in text


def test_file_and_run_names_print_literally(pdf_km):
    text, _ = pdf_text(pdf_km)
    assert f"/data/{BAD_FILE}" in text
    assert "bad <header> & CRC" in text
    assert f"\u201c{LONG_NAME}\u201d" in text
    # in the narrow Run column of the flag table the name wraps over lines
    assert SCRIPT_NAME in text.replace(" ", "")


def test_disclaimer_and_doi_links_in_the_pdf(pdf_km):
    text, _ = pdf_text(pdf_km)
    assert "This report is not medical advice." in text
    assert "predicts or prevents back pain, or any other injury" in text
    assert "persists, radiates" in text
    reader = pypdf.PdfReader(io.BytesIO(pdf_km))
    uris = {annot.get_object()["/A"]["/URI"] for page in reader.pages
            for annot in page.get("/Annots") or []
            if "/A" in annot.get_object() and "/URI" in annot.get_object()["/A"]}
    assert "https://doi.org/10.1136/bjsports-2024-109380" in uris
    assert all(u.startswith("https://doi.org/") for u in uris)


def test_pdf_in_miles(report_mi):
    text, _ = pdf_text(report_mi.pdf_bytes())
    assert "This week you ran 19.3 mi in 3 runs" in text


def test_two_builds_give_the_same_bytes(analysis_km, files, duplicates, pdf_km):
    again = build_report(analysis_km, files=files, duplicates=duplicates, weeks=4, as_of=AS_OF)
    assert again.pdf_bytes() == pdf_km


def test_write_pdf_is_atomic(report_km, pdf_km, tmp_path):
    path = tmp_path / "report.pdf"
    assert report_km.write_pdf(path) == path
    assert path.read_bytes() == pdf_km
    with pytest.raises(OSError):
        report_km.write_pdf(tmp_path / "missing" / "report.pdf")
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]

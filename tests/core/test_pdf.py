import pytest

from core.pdf import PDF_BASE_URL, StaticOnlyURLFetcher, render_pdf
from tests.pdf import pdf_text


def test_the_pdf_fetcher_serves_the_apps_static_files():
    response = StaticOnlyURLFetcher().fetch(PDF_BASE_URL + "assets/app/pdf.css")
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/admin/", "https://example.com/logo.png", "file:///etc/passwd",
    PDF_BASE_URL + "assets/../../settings.py", PDF_BASE_URL + "media/bids/secret.pdf",
])
def test_the_pdf_fetcher_refuses_anything_else(url):
    with pytest.raises(ValueError):
        StaticOnlyURLFetcher().fetch(url)


def test_render_pdf_makes_a_pdf_whose_text_reads_back(settings):
    data = render_pdf("pdf/base.html", {})
    assert data.startswith(b"%PDF")
    assert "Ministry of Justice" in pdf_text(data)

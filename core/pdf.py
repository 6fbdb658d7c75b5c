"""Render Django templates to PDF with WeasyPrint.

The URL fetcher reaches only the app's own static files: a template (or data
inside it) can never make the renderer fetch a remote or local-file URL.
"""

import mimetypes

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Templates link to "/assets/…"; relative to this base they resolve to a URL the
# fetcher recognises. Nothing is ever fetched from this host.
PDF_BASE_URL = "https://pdf.invalid/"


class StaticOnlyURLFetcher(URLFetcher):
    def fetch(self, url, headers=None):
        prefix = PDF_BASE_URL.rstrip("/") + settings.STATIC_URL
        if url.startswith(prefix) and ".." not in url:
            path = finders.find(url[len(prefix):].split("?")[0])
            if path:
                with open(path, "rb") as resource:
                    body = resource.read()
                content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})
        # WeasyPrint skips a resource whose fetch raises ValueError.
        raise ValueError(f"The PDF renderer may fetch only the app's static files, not {url!r}")


def render_pdf(template_name: str, context: dict) -> bytes:
    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyURLFetcher()).write_pdf()

"""A board paper as PDF: WeasyPrint lays out the HTML paper on A4 pages.

The page itself (A4, margins, the header with the partnership's name and the
meeting, page numbers, tables whose heading repeats and whose rows do not
split) is in the HTML paper's print CSS (``templates/digest.html.j2``), so the
PDF and a printed HTML paper agree. WeasyPrint is imported inside
:func:`html_to_pdf`, on first use, so nothing else pays for it. The paper is
one file: every picture is a ``data:`` URI and every other address is refused,
so making a PDF never reaches the network or the disk.
"""

from __future__ import annotations


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML board paper (A4 and its header and footer come from its CSS)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=["data"])
    return bytes(HTML(string=html, url_fetcher=fetcher).write_pdf())

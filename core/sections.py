"""A long page split into parts, each its own view under MoJ sub navigation (issue #19, "Pages people can use").

A part is a few of the page's sections (by their anchors); `?section=<part>` shows one, the first
part when none is asked for, and `?section=all` every part on one page (to read through or print).
A link to a section (`Parts.url`) opens the part that holds it, scrolled to the section.
"""

from dataclasses import dataclass

from django.http import HttpRequest

ALL = "all"


@dataclass(frozen=True)
class Part:
    key: str
    label: str
    anchors: tuple[str, ...]


class Parts:
    def __init__(self, *parts: Part):
        self.parts = parts
        self._by_anchor = {anchor: part.key for part in parts for anchor in part.anchors}

    def chosen(self, request: HttpRequest) -> str:
        key = request.GET.get("section", "")
        return key if key == ALL or any(part.key == key for part in self.parts) else self.parts[0].key

    def context(self, request: HttpRequest) -> dict[str, object]:
        """The template's `parts` (for the sub navigation), `part` (the one shown) and `shown` (the keys to render)."""
        chosen = self.chosen(request)
        return {"parts": self.parts, "part": chosen, "page_parts": self,
                "shown": {part.key for part in self.parts} if chosen == ALL else {chosen}}

    def part_of(self, anchor: str) -> str:
        return self._by_anchor.get(anchor, self.parts[0].key)

    def url(self, page: str, anchor: str) -> str:
        """A link to one section of the page: its part, scrolled to the section."""
        return f"{page}?section={self.part_of(anchor)}#{anchor}"

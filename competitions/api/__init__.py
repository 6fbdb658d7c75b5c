"""The competitions REST API (SPEC §6): the same services and selectors as the pages."""

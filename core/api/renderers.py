"""The browsable API shows the answer the caller was given, and nothing else (SPEC §4 rule 7, §6).

DRF's browsable renderer pre-fills a "Raw data" form and an HTML form for every write the
view allows, from `view.get_serializer(instance=view.get_object())` — the serializer the
view names for the schema, not the one it chose for this caller. For a competition that is
the commissioning side's serializer, so the page handed the bid team mandates, business
cases and award recommendations that the JSON beside it had hidden. Its filter forms and
the forms' dropdowns list related records from unwalled querysets too.

So this renderer draws none of them: the page is the response body (exactly the JSON
renderer's output), the allowed methods and the headers. Writes are made with a client,
`curl` or the interactive documentation at /api/docs/, which describe fields without data.
"""

from rest_framework.renderers import BrowsableAPIRenderer


class WalledBrowsableAPIRenderer(BrowsableAPIRenderer):
    def get_rendered_html_form(self, data, view, method, request):
        return None

    def get_raw_data_form(self, data, view, method, request):
        return None

    def get_filter_form(self, data, view, request):
        return None

    def show_form_for_method(self, view, method, request, instance):
        return False

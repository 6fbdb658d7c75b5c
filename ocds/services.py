"""Publishing OCDS releases: stored when what they publish happens, never rewritten (issue #15, "Published means permanent").

`publish(competition_id)` is called (through `core.signals.published_facts_changed`) inside
the transaction of every change to what a competition publishes. It builds the releases its
published facts call for now (`ocds.releases`) and compares them with the store:

- a release not yet stored is stored, as its exact JSON text;
- a stored release whose content the facts now contradict (the title amended after launch, a
  deadline set, the contract's value changed) is left as it is, and a new release is published
  for the change: `tenderAmendment` for the tender, `contractAmendment` for a contract,
  `awardUpdate`, `planningUpdate`… with an `amendments` entry naming the release it amends;
- nothing is ever updated or deleted (the table refuses it: core/append_only.py).

Release dates are when things happened (the move, the notice, the answer); an amendment's is
when it was published.
"""

import json

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from competitions.models import Competition
from ocds import releases as builder
from ocds import selectors
from ocds.models import PublishedRelease

# The tag that publishes a change to what a release of these tags said.
AMENDMENT_TAGS = {
    "planning": "planningUpdate", "planningUpdate": "planningUpdate",
    "tender": "tenderAmendment", "tenderUpdate": "tenderAmendment", "tenderAmendment": "tenderAmendment",
    "award": "awardUpdate", "awardUpdate": "awardUpdate",
    "contract": "contractAmendment", "contractUpdate": "contractAmendment", "contractAmendment": "contractAmendment",
    "implementation": "implementationUpdate", "implementationUpdate": "implementationUpdate",
    "contractTermination": "contractTermination", "tenderCancellation": "tenderCancellation",
}
NOT_CONTENT = ("id", "date", "tag")


def release_text(release: dict) -> str:
    """The one way a release is written: the text stored and served."""
    return json.dumps(release, ensure_ascii=False)


def notices_url(competition_pk: int) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/api/v1/ocds/competitions/{competition_pk}/notices/"


def _content(release: dict) -> dict:
    return {name: value for name, value in release.items() if name not in NOT_CONTENT}


def _without_amendments(value):
    if isinstance(value, dict):
        return {name: _without_amendments(item) for name, item in value.items() if name != "amendments"}
    if isinstance(value, list):
        return [_without_amendments(item) for item in value]
    return value


def _changed_fields(before, after, path="") -> list[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        return [field for name in sorted(set(before) | set(after))
                for field in _changed_fields(before.get(name), after.get(name), f"{path}.{name}" if path else name)]
    return [] if before == after else [path]


def _amendment(previous: PublishedRelease, candidate: dict, *, key: str, revision: int, at: str) -> dict:
    """The release that publishes what changed in `previous`: the new content, tagged as an amendment, saying what it amends."""
    release_id = f"{candidate['ocid']}-{key}-amendment-{revision - 1}"
    stored = json.loads(previous.body)
    changed = _changed_fields(_without_amendments(_content(stored)), _without_amendments(_content(candidate)))
    amendment = {
        "id": f"{key}-amendment-{revision - 1}", "date": at, "amendsReleaseID": previous.release_id, "releaseID": release_id,
        "description": "Changed since it was published: " + ", ".join(changed),
    }
    release = {**candidate, "id": release_id, "date": at, "tag": sorted({AMENDMENT_TAGS.get(tag, tag) for tag in candidate["tag"]})}
    for block in ("tender",):
        if block in release:
            release[block] = {**release[block], "amendments": [amendment]}
    for block in ("awards", "contracts"):
        if block in release:
            release[block] = [{**item, "amendments": [*item.get("amendments", []), amendment]} for item in release[block]]
    return release


@transaction.atomic
def publish(competition_id: int) -> list[PublishedRelease]:
    """Store the releases the competition's published facts now call for and the store does not yet hold; what changed is amended."""
    Competition.objects.select_for_update().filter(pk=competition_id).first()  # one publisher of a competition at a time
    facts = selectors.published_facts(user=AnonymousUser(), competitions=selectors.published_competition_list(user=AnonymousUser()).filter(pk=competition_id))
    if not facts:
        return []  # not launched: nothing is published
    candidates = builder.competition_releases(facts[0], notices_url=notices_url(competition_id))
    latest: dict[str, PublishedRelease] = {}
    for stored in PublishedRelease.objects.filter(competition_id=competition_id).order_by("key", "revision"):
        latest[stored.key] = stored
    added = []
    now = builder.iso(timezone.now())
    prefix = f"{facts[0].ocid}-"
    for candidate in candidates:
        key = candidate["id"].removeprefix(prefix)
        previous = latest.get(key)
        if previous is None:
            release, revision = candidate, 1
        elif _without_amendments(_content(json.loads(previous.body))) != _without_amendments(_content(candidate)):
            revision = previous.revision + 1
            release = _amendment(previous, candidate, key=key, revision=revision, at=now)
        else:
            continue
        added.append(PublishedRelease.objects.create(
            competition_id=competition_id, ocid=release["ocid"], release_id=release["id"], key=key, revision=revision,
            date=builder.parse_iso(release["date"]), tags=release["tag"], body=release_text(release),
        ))
    return added


def publish_on_change(sender, *, competition_id: int, **_signal) -> None:
    publish(competition_id)


def publish_all() -> int:
    """Publish what every launched competition calls for (a deployment's first run of this version; idempotent)."""
    return sum(len(publish(pk)) for pk in Competition.objects.order_by("pk").values_list("pk", flat=True))

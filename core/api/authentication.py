"""API token look-ups kept in the shared cache for a minute (issue #22).

REST framework's TokenAuthentication reads the token and its user from the database on every
request, and the wall reads the user's roles on most. Here the user — with their roles —
is kept in the default cache (Redis when REDIS_URL is set, so every process shares it) under
a digest of the token, for settings.API_TOKEN_CACHE_SECONDS. Everything that could make the
kept copy wrong removes it at once, in every process: the token deleted (revoked, rotated,
its user deleted), the user saved (deactivated, renamed, moved organisation), the user's
groups changed (a role given or taken away). The time-out bounds anything else (an
UPDATE that bypasses the model). Without a shared cache (the embedded default, where each
process has its own) the look-up is not cached at all: a revocation must reach every process.

If the cache cannot be reached the token is read from the database, as before.
"""

import hashlib
import logging
from collections.abc import Iterable
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from core.models import User

logger = logging.getLogger(__name__)


def cache_key(token_key: str) -> str:
    # A digest: the cache never holds a usable token, even as a key.
    return "api-token:" + hashlib.sha256(token_key.encode()).hexdigest()


class CachedTokenAuthentication(TokenAuthentication):  # type: ignore[misc]  # REST framework is untyped here
    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        seconds = settings.API_TOKEN_CACHE_SECONDS
        if not seconds:
            return cast(tuple[Any, Token], super().authenticate_credentials(key))
        try:
            user = cache.get(cache_key(key))
        except Exception as error:  # noqa: BLE001 - whatever the cache backend raises: read the database instead
            logger.warning("API token cache unavailable: %s: %s", type(error).__name__, error)
            return cast(tuple[Any, Token], super().authenticate_credentials(key))
        if user is not None:
            token = Token(key=key, user=user)
            token._state.adding, token._state.db = False, "default"
            return user, token
        user, token = super().authenticate_credentials(key)
        user.role_names  # noqa: B018 - read now, so the kept copy carries the roles
        user._state.fields_cache.pop("auth_token", None)  # but not the token (select_related left it on the user)
        try:
            cache.set(cache_key(key), user, seconds)
        except Exception as error:  # noqa: BLE001
            logger.warning("API token cache unavailable: %s: %s", type(error).__name__, error)
        return user, token


def forget(token_keys: Iterable[str]) -> None:
    keys = [cache_key(key) for key in token_keys]
    if keys:
        try:
            cache.delete_many(keys)
        except Exception as error:  # noqa: BLE001 - the time-out still bounds the kept copy
            logger.error("API token cache entries not removed (%s: %s): they expire within %s s", type(error).__name__, error,
                         settings.API_TOKEN_CACHE_SECONDS)


def _token_deleted(sender: type[Token], instance: Token, **_: Any) -> None:
    if settings.API_TOKEN_CACHE_SECONDS:
        forget([instance.key])


def _forget_users(user_ids: Iterable[int]) -> None:
    if settings.API_TOKEN_CACHE_SECONDS:
        forget(Token.objects.filter(user_id__in=user_ids).values_list("key", flat=True))


def _user_changed(sender: type[User], instance: User, created: bool, **_: Any) -> None:
    if not created:
        _forget_users([instance.pk])


def _groups_changed(sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **_: Any) -> None:
    # user.groups.add/remove/clear names the user; group.user_set.add/remove (reverse) the users in pk_set, and
    # group.user_set.clear() none: its members are read before they go.
    if action in ("post_add", "post_remove"):
        _forget_users((pk_set or set()) if reverse else [instance.pk])
    elif action == "pre_clear":
        _forget_users(instance.user_set.values_list("pk", flat=True) if reverse else [instance.pk])


def connect_invalidation() -> None:
    post_delete.connect(_token_deleted, sender=Token, dispatch_uid="core.api.token_deleted")
    post_save.connect(_user_changed, sender=User, dispatch_uid="core.api.user_changed")
    m2m_changed.connect(_groups_changed, sender=User.groups.through, dispatch_uid="core.api.groups_changed")

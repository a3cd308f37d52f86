"""Datastore access for Python actions and sensors, over Squall's REST API.

StackStorm's ActionService and SensorService both delegate key-value work to a datastore service
that talks to the API with st2client. Squall ships no st2client, so this module does the same
HTTP calls with urllib only: a pack's virtualenv need not contain anything of ours but this
directory on sys.path.

Semantics follow StackStorm's datastore service:
- ``local=True`` puts the key in a namespace private to the pack and class:
  ``<pack>.<ClassName>:<name>``;
- only the system and user scopes are accepted (``ValueError`` otherwise);
- ``get_value`` and ``delete_value`` answer ``None``/``False`` when the key is missing or the
  call fails (the failure is logged), while ``set_value`` raises on failure.
"""

import json
import logging
import urllib.error
import urllib.parse
import urllib.request

__all__ = ["DatastoreClient", "DatastoreError", "KeyValuePair"]

SYSTEM_SCOPE = "system"
USER_SCOPE = "user"
ALLOWED_SCOPES = (SYSTEM_SCOPE, USER_SCOPE, "st2kv.system", "st2kv.user")
KEY_SEPARATOR = ":"
# The API caps a page at 1000 items; listing walks pages of this size until a short one.
PAGE_SIZE = 1000
REQUEST_TIMEOUT_SECONDS = 30


class DatastoreError(Exception):
    """An API call failed (network error or an unexpected HTTP status)."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


class KeyValuePair:
    """One pair as the API shows it; attribute access like st2client's model."""

    def __init__(self, **fields):
        self.id = fields.get("name")
        self.name = fields.get("name")
        self.value = fields.get("value")
        self.scope = fields.get("scope")
        self.secret = bool(fields.get("secret", False))
        self.encrypted = bool(fields.get("encrypted", False))
        self.user = fields.get("user")
        self.expire_timestamp = fields.get("expire_timestamp")
        self.uid = fields.get("uid")

    def to_dict(self):
        return {k: v for k, v in vars(self).items() if v is not None}

    def __repr__(self):
        shown = "********" if self.secret else repr(self.value)
        return "<KeyValuePair name=%r value=%s scope=%r>" % (self.name, shown, self.scope)


def _check_scope(scope):
    if scope not in ALLOWED_SCOPES:
        raise ValueError(
            "Scope %s is unsupported. Allowed scopes: %s" % (scope, ", ".join(ALLOWED_SCOPES))
        )


class DatastoreClient:
    """Key-value and user calls for one pack/class, authenticated with ``token`` when set.

    ``api_url`` is the API base, e.g. ``http://127.0.0.1:9101/api/v1``.
    """

    def __init__(self, api_url, token, pack, class_name, logger=None):
        self._api_url = (api_url or "").rstrip("/")
        self._token = token or ""
        self._pack = pack
        self._class_name = class_name
        self._logger = logger or logging.getLogger("squall_shim.datastore")

    # -- general ---------------------------------------------------------------------------

    def get_user_info(self):
        """The user this client acts as, as the API's ``GET /user`` reports it."""
        return self._request("GET", "/user")

    # -- key-value -------------------------------------------------------------------------

    def list_values(self, local=True, prefix=None, scope=SYSTEM_SCOPE, limit=None, offset=0):
        """Pairs whose name starts with the (local) prefix, as ``KeyValuePair`` objects."""
        _check_scope(scope)
        key_prefix = self._full_prefix(local, prefix)
        pairs = []
        position = int(offset or 0)
        remaining = None if limit is None else int(limit)
        while remaining is None or remaining > 0:
            size = PAGE_SIZE if remaining is None else min(PAGE_SIZE, remaining)
            query = {"scope": scope, "limit": size, "offset": position}
            if key_prefix:
                query["prefix"] = key_prefix
            page = self._request("GET", "/keys", query)
            if not isinstance(page, list):
                raise DatastoreError("GET /keys answered with something other than a list")
            pairs.extend(KeyValuePair(**item) for item in page if isinstance(item, dict))
            position += len(page)
            if remaining is not None:
                remaining -= len(page)
            if len(page) < size:
                break
        return pairs

    def get_value(self, name, local=True, scope=SYSTEM_SCOPE, decrypt=False):
        """The value of a key, or ``None`` when it does not exist (or the call failed)."""
        _check_scope(scope)
        full_name = self._full_name(name, local)
        query = {"scope": scope, "decrypt": "true" if decrypt else "false"}
        try:
            pair = self._request("GET", "/keys/" + _quote(full_name), query)
        except DatastoreError as error:
            if error.status != 404:
                self._logger.exception(
                    "Exception retrieving value from datastore (name=%s): %s", full_name, error
                )
            return None
        return pair.get("value") if isinstance(pair, dict) else None

    def set_value(self, name, value, ttl=None, local=True, scope=SYSTEM_SCOPE, encrypt=False):
        """Stores ``str(value)``; ``encrypt`` stores it as a secret. Returns True."""
        _check_scope(scope)
        full_name = self._full_name(name, local)
        body = {"name": full_name, "value": str(value), "scope": scope}
        if encrypt:
            body["secret"] = True
        if ttl:
            body["ttl"] = int(ttl)
        self._request("PUT", "/keys/" + _quote(full_name), body=body)
        return True

    def delete_value(self, name, local=True, scope=SYSTEM_SCOPE):
        """Deletes a key; False when it did not exist or the call failed."""
        _check_scope(scope)
        full_name = self._full_name(name, local)
        try:
            self._request("DELETE", "/keys/" + _quote(full_name), {"scope": scope})
        except DatastoreError as error:
            self._logger.exception(
                "Exception deleting value from datastore (name=%s): %s", full_name, error
            )
            return False
        return True

    # -- any other API call ----------------------------------------------------------------

    def request(self, method, path, query=None, body=None, headers=None):
        """One authenticated API call (``path`` relative to the API base); decoded JSON or None.

        Raises DatastoreError (with ``.status`` for HTTP errors) when the call fails.
        """
        return self._request(method, path, query=query, body=body, headers=headers)

    # -- helpers ---------------------------------------------------------------------------

    def _local_prefix(self):
        return "%s.%s%s" % (self._pack, self._class_name, KEY_SEPARATOR)

    def _full_name(self, name, local):
        return self._local_prefix() + name if local else name

    def _full_prefix(self, local, prefix):
        if not local:
            return prefix
        return self._local_prefix() + (prefix or "")

    def _request(self, method, path, query=None, body=None, headers=None):
        if not self._api_url:
            raise DatastoreError("no API URL was given to the datastore client")
        url = self._api_url + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None
        headers = dict(headers or {}, Accept="application/json")
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self._token:
            headers["X-Auth-Token"] = self._token
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise DatastoreError(
                "%s %s failed with HTTP %s: %s" % (method, path, error.code, _faultstring(error)),
                status=error.code,
            ) from None
        except (urllib.error.URLError, OSError) as error:
            raise DatastoreError("%s %s failed: %s" % (method, path, error)) from None
        if not raw:
            return None
        try:
            return json.loads(raw.decode("utf-8"))
        except ValueError:
            raise DatastoreError("%s %s answered with invalid JSON" % (method, path)) from None


def _quote(name):
    # Key names hold ':' and '.', and may hold '/'; the whole name is one path segment.
    return urllib.parse.quote(name, safe="")


def _faultstring(error):
    try:
        body = json.loads(error.read().decode("utf-8"))
    except (ValueError, OSError):
        return error.reason
    if isinstance(body, dict):
        return body.get("faultstring") or body.get("message") or error.reason
    return error.reason

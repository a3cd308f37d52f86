"""``self.action_service``: what an action may ask of Squall while it runs.

Same methods and defaults as StackStorm's ActionService. Every call goes through the REST API
with the execution's own token, so an action can do only what its execution may do. The client
is created on first use: most actions never touch the datastore.
"""

from squall_shim.datastore import SYSTEM_SCOPE, DatastoreClient
from squall_shim.log import get_action_logger

__all__ = ["ActionService"]


class ActionService:
    def __init__(self, pack, class_name, api_url, auth_token, log_level):
        self._pack = pack
        self._class_name = class_name
        self._api_url = api_url
        self._auth_token = auth_token
        self.log_level = log_level
        self._client = None

    @property
    def datastore_service(self):
        if self._client is None:
            self._client = DatastoreClient(
                self._api_url,
                self._auth_token,
                self._pack,
                self._class_name,
                logger=get_action_logger(self._class_name, self.log_level),
            )
        return self._client

    def get_user_info(self):
        return self.datastore_service.get_user_info()

    def list_values(self, local=True, prefix=None, limit=None, offset=0):
        return self.datastore_service.list_values(
            local=local, prefix=prefix, limit=limit, offset=offset
        )

    def get_value(self, name, local=True, scope=SYSTEM_SCOPE, decrypt=False):
        return self.datastore_service.get_value(name, local=local, scope=scope, decrypt=decrypt)

    def set_value(self, name, value, ttl=None, local=True, scope=SYSTEM_SCOPE, encrypt=False):
        return self.datastore_service.set_value(
            name, value, ttl=ttl, local=local, scope=scope, encrypt=encrypt
        )

    def delete_value(self, name, local=True, scope=SYSTEM_SCOPE):
        return self.datastore_service.delete_value(name, local=local, scope=scope)

"""The pack config as an action sees it (``self.config``).

The node has already merged the pack's config file with the defaults of its
``config.schema.yaml``; this module only wraps the result. Like StackStorm's PackConfigDict,
reading a key the config lacks raises a ValueError that says which pack and file to fix,
instead of a bare KeyError.
"""

__all__ = ["PackConfig"]


class PackConfig(dict):
    def __init__(self, pack, values=None, config_path=None):
        super().__init__(values or {})
        self._pack = pack
        self._config_path = config_path

    def __getitem__(self, key):
        try:
            return super().__getitem__(key)
        except KeyError:
            where = (
                " (expected in %s)" % self._config_path if self._config_path else ""
            )
            raise ValueError(
                'The config of pack "%s" has no key "%s"%s: add it to the pack config or give '
                "it a default in config.schema.yaml." % (self._pack, key, where)
            ) from None

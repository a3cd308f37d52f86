"""The ``sensor_service`` handed to Python sensors (StackStorm's ``SensorService``).

Dispatches and log records travel to Squall as JSON lines on file descriptor 3 (see
src/sdk/protocol.ts); datastore calls go to Squall's API through ``DatastoreClient``.
Payload validation happens in Squall: an invalid payload is logged there against this sensor
and not dispatched, as StackStorm does with ``validate_trigger_payload``.
"""

import json
import logging
import threading

from squall_shim.datastore import DatastoreClient

__all__ = ["Channel", "ChannelLogHandler", "SensorService"]

SYSTEM_SCOPE = "system"


class Channel:
    """Writes protocol messages on fd 3; thread-safe (sensors dispatch from their own threads)."""

    def __init__(self, stream):
        self._stream = stream
        self._lock = threading.Lock()

    def send(self, message):
        line = json.dumps(message, default=str) + "\n"
        with self._lock:
            try:
                self._stream.write(line)
                self._stream.flush()
            except (BrokenPipeError, ValueError, OSError):
                # Squall went away or closed the channel; the sensor is being stopped.
                pass


_LEVELS = {
    logging.DEBUG: "debug",
    logging.INFO: "info",
    logging.WARNING: "warning",
    logging.ERROR: "error",
    logging.CRITICAL: "critical",
}


class ChannelLogHandler(logging.Handler):
    """Sends log records to Squall, which logs them with the sensor's ref."""

    def __init__(self, channel):
        super().__init__(level=logging.DEBUG)
        self._channel = channel

    def emit(self, record):
        try:
            message = self.format(record)
        except Exception:  # a broken %-format must not kill the sensor
            message = str(record.msg)
        level = _LEVELS.get(record.levelno)
        if level is None:
            level = "critical" if record.levelno > logging.CRITICAL else "info"
        self._channel.send(
            {"type": "log", "level": level, "logger": record.name, "message": message}
        )


def _trace_context_dict(trace_context):
    """StackStorm passes a TraceContext object; accept that shape, a dict, or None."""
    if trace_context is None:
        return None
    if isinstance(trace_context, dict):
        source = trace_context
    else:
        source = {
            "trace_tag": getattr(trace_context, "trace_tag", None),
            "id_": getattr(trace_context, "id_", None),
        }
    out = {k: str(v) for k, v in source.items() if k in ("trace_tag", "id_") and v}
    return out or None


class SensorService:
    def __init__(self, channel, logger, pack, class_name, api_url, token):
        self._channel = channel
        self._logger = logger
        self._datastore = DatastoreClient(api_url, token, pack, class_name, logger=logger)

    @property
    def datastore_service(self):
        return self._datastore

    def get_logger(self, name):
        logger = logging.getLogger("%s.%s" % (self._logger.name, name))
        logger.propagate = True
        return logger

    def get_user_info(self):
        return self._datastore.get_user_info()

    # -- triggers ---------------------------------------------------------------------------

    def dispatch(self, trigger, payload=None, trace_tag=None):
        context = {"trace_tag": trace_tag} if trace_tag else None
        return self.dispatch_with_context(trigger, payload=payload, trace_context=context)

    def dispatch_with_context(self, trigger, payload=None, trace_context=None):
        if not isinstance(trigger, (str, dict)):
            # StackStorm also accepts a TriggerDB-like object with type and parameters.
            trigger = {
                "type": getattr(trigger, "type", None),
                "parameters": getattr(trigger, "parameters", None) or {},
            }
        if payload is not None and not isinstance(payload, dict):
            self._logger.warning(
                'Not dispatching trigger "%s": payload must be a dict, got %s',
                trigger,
                type(payload).__name__,
            )
            return None
        message = {"type": "dispatch", "trigger": trigger, "payload": payload}
        context = _trace_context_dict(trace_context)
        if context:
            message["trace_context"] = context
            if "trace_tag" in context:
                message["trace_tag"] = context["trace_tag"]
        self._logger.debug("Dispatching trigger %s with payload %s.", trigger, payload)
        self._channel.send(message)
        return None

    # -- datastore --------------------------------------------------------------------------

    def list_values(self, local=True, prefix=None, limit=None, offset=None, scope=SYSTEM_SCOPE):
        return self._datastore.list_values(
            local=local, prefix=prefix, scope=scope, limit=limit, offset=offset or 0
        )

    def get_value(self, name, local=True, scope=SYSTEM_SCOPE, decrypt=False):
        return self._datastore.get_value(name, local=local, scope=scope, decrypt=decrypt)

    def set_value(self, name, value, ttl=None, local=True, scope=SYSTEM_SCOPE, encrypt=False):
        return self._datastore.set_value(
            name, value, ttl=ttl, local=local, scope=scope, encrypt=encrypt
        )

    def delete_value(self, name, local=True, scope=SYSTEM_SCOPE):
        return self._datastore.delete_value(name, local=local, scope=scope)

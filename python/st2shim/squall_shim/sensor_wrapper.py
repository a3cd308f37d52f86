"""Runs one Python sensor for Squall: ``python -m squall_shim.sensor_wrapper``.

The counterpart of StackStorm's ``st2reactor/container/sensor_wrapper.py``. Squall starts one
such process per sensor and talks to it with JSON lines (src/sdk/protocol.ts):

- stdin, from Squall: an ``init`` message (pack, file, class, trigger types, poll interval,
  pack config, API URL and token; never on the command line, which other users can read), then
  ``add_trigger`` / ``update_trigger`` / ``remove_trigger`` and ``stop``. End of input = stop.
- fd 3, to Squall: ``dispatch`` and ``log`` messages.
- stdout/stderr: whatever the sensor prints; Squall logs it with the sensor's ref.

Lifecycle as in StackStorm: instantiate the class with ``sensor_service`` and ``config`` (plus
``poll_interval`` for polling sensors when the metadata sets one), ``setup()``, ``run()``, and
``cleanup()`` on stop. Exit 0 after a stop or when ``run`` returns; 1 when loading, ``setup``
or ``run`` fails, which makes Squall respawn the sensor.
"""

import importlib.util
import json
import logging
import os
import signal
import sys
import threading
import traceback

from squall_shim.sensor_service import Channel, ChannelLogHandler, SensorService
from st2reactor.sensor.base import PollingSensor

__all__ = ["main"]

CHANNEL_FD = 3


class _Stop(BaseException):
    """Unwinds a passive sensor's ``run`` when Squall stops it."""


class SensorLoadError(Exception):
    pass


def _load_class(file_path, class_name):
    directory = os.path.dirname(os.path.realpath(file_path))
    if directory not in sys.path:
        sys.path.append(directory)
    module_name = os.path.splitext(os.path.basename(file_path))[0]
    spec = importlib.util.spec_from_file_location(module_name, file_path)
    if spec is None or spec.loader is None:
        raise SensorLoadError('"%s" is not a Python file' % file_path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        raise SensorLoadError(
            'Failed to load sensor class from file "%s" (sensor file most likely doesn\'t '
            "exist or contains invalid syntax): %s: %s" % (file_path, type(error).__name__, error)
        ) from error
    sensor_class = getattr(module, class_name, None)
    if not isinstance(sensor_class, type):
        raise SensorLoadError('Sensor module is missing a class with name "%s"' % class_name)
    return sensor_class


class SensorRunner:
    def __init__(self, init, channel):
        self._init = init
        self._channel = channel
        self._stop = threading.Event()
        self._in_run = False
        self._changes_lock = threading.Lock()
        self.logger = logging.getLogger(
            "SensorWrapper.%s.%s" % (init["pack"], init["class_name"])
        )
        self.sensor = None

    def build(self):
        init = self._init
        sensor_class = _load_class(init["file_path"], init["class_name"])
        service = SensorService(
            channel=self._channel,
            logger=self.logger,
            pack=init["pack"],
            class_name=init["class_name"],
            api_url=init.get("api_url") or "",
            token=init.get("auth_token") or "",
        )
        kwargs = {"sensor_service": service, "config": init.get("config") or {}}
        poll_interval = init.get("poll_interval")
        if poll_interval and issubclass(sensor_class, PollingSensor):
            kwargs["poll_interval"] = poll_interval
        try:
            self.sensor = sensor_class(**kwargs)
        except Exception:
            self.logger.exception('Failed to instantiate "%s" sensor class', init["class_name"])
            raise
        # The polling loop sleeps on this event, so a stop ends the sleep at once.
        if isinstance(self.sensor, PollingSensor):
            self.sensor.__dict__["_squall_stop"] = self._stop

    # -- messages from Squall ---------------------------------------------------------------

    def read_messages(self):
        stream = sys.stdin.buffer
        while True:
            line = stream.readline()
            if not line:
                break
            try:
                message = json.loads(line.decode("utf-8"))
            except ValueError:
                self.logger.warning("Ignored a malformed message from Squall: %r", line[:200])
                continue
            kind = message.get("type") if isinstance(message, dict) else None
            if kind == "stop":
                break
            if kind in ("add_trigger", "update_trigger", "remove_trigger"):
                self._apply(kind, message.get("trigger"))
        self.request_stop()

    def _apply(self, kind, trigger):
        if not isinstance(trigger, dict):
            return
        self.logger.debug('Calling sensor "%s" method (trigger.type=%s)', kind, trigger.get("type"))
        with self._changes_lock:
            try:
                getattr(self.sensor, kind)(trigger=trigger)
            except Exception:
                self.logger.exception('Sensor "%s" method failed', kind)

    # -- stopping ---------------------------------------------------------------------------

    def request_stop(self):
        self._stop.set()
        if not isinstance(self.sensor, PollingSensor):
            # A passive run() may block anywhere: interrupt the main thread with a signal.
            os.kill(os.getpid(), signal.SIGTERM)

    def on_sigterm(self, _signum, _frame):
        self._stop.set()
        if self._in_run:
            raise _Stop()

    # -- lifecycle --------------------------------------------------------------------------

    def run(self):
        self.logger.info("Running sensor initialization code")
        self.sensor.setup()
        threading.Thread(target=self.read_messages, name="squall-stdin", daemon=True).start()
        if isinstance(self.sensor, PollingSensor):
            self.logger.info(
                "Running sensor in active mode (poll interval=%ss)",
                self.sensor.get_poll_interval(),
            )
        else:
            self.logger.info("Running sensor in passive mode")
        try:
            self._in_run = True
            if not self._stop.is_set():
                self.sensor.run()
        except _Stop:
            pass
        finally:
            self._in_run = False
        self.logger.info("Invoking cleanup on sensor")
        with self._changes_lock:
            self.sensor.cleanup()


def _configure_logging(channel, logger):
    # Loggers the sensor creates itself (logging.getLogger(__name__)) print to stderr, which
    # Squall captures; the wrapper's logger and get_logger() children go over the channel.
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(name)s %(levelname)s %(message)s"
    )
    logger.setLevel(logging.INFO)
    logger.addHandler(ChannelLogHandler(channel))
    logger.propagate = False


def main():
    stream = os.fdopen(CHANNEL_FD, "w", encoding="utf-8", buffering=1)
    channel = Channel(stream)
    first = sys.stdin.buffer.readline()
    try:
        init = json.loads(first.decode("utf-8"))
        if not isinstance(init, dict) or init.get("type") != "init":
            raise ValueError("first message is not an init message")
        for field in ("pack", "class_name", "file_path"):
            if not isinstance(init.get(field), str):
                raise ValueError('init message lacks "%s"' % field)
    except ValueError as error:
        sys.stderr.write("squall sensor wrapper: bad init message from Squall: %s\n" % error)
        return 2

    runner = SensorRunner(init, channel)
    _configure_logging(channel, runner.logger)
    signal.signal(signal.SIGTERM, runner.on_sigterm)
    try:
        runner.build()
        runner.run()
    except _Stop:
        return 0
    except Exception as error:
        runner.logger.warning(
            'Sensor "%s" run method raised an exception: %s.', init["class_name"], error
        )
        traceback.print_exc()
        return 1
    finally:
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    return 0


def _exit(code):
    # os._exit, not sys.exit: the stdin reader is a daemon thread blocked in readline, and
    # interpreter shutdown aborts the process (SIGABRT) when such a thread holds stdin's lock.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":
    _exit(main())

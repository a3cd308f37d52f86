"""Base classes for sensors, with StackStorm's interface (``st2reactor.sensor.base``).

Packs subclass ``Sensor`` (passive: ``run`` blocks, waiting for events) or ``PollingSensor``
(``run`` calls ``poll`` every ``poll_interval`` seconds). Squall's sensor wrapper
(``squall_shim.sensor_wrapper``) instantiates the class with a ``sensor_service`` and the pack
config, then calls ``setup``, ``run`` and, on stop, ``cleanup``.
"""

import abc
import threading

__all__ = ["BaseSensor", "Sensor", "PollingSensor"]


class BaseSensor(abc.ABC):
    """Common base; not to be instantiated directly."""

    def __init__(self, sensor_service, config=None):
        # Both spellings exist in StackStorm packs; the underscored ones are the older.
        self._sensor_service = sensor_service
        self.sensor_service = sensor_service
        self._config = config or {}
        self.config = self._config

    @abc.abstractmethod
    def setup(self):
        """Initialisation (connections, state) before ``run``."""

    @abc.abstractmethod
    def run(self):
        """The sensor's main loop."""

    @abc.abstractmethod
    def cleanup(self):
        """Releases what ``setup`` acquired; called once when the sensor stops."""

    @abc.abstractmethod
    def add_trigger(self, trigger):
        """A trigger of one of this sensor's trigger types was created (a dict)."""

    @abc.abstractmethod
    def update_trigger(self, trigger):
        """A trigger of one of this sensor's trigger types changed (a dict)."""

    @abc.abstractmethod
    def remove_trigger(self, trigger):
        """A trigger of one of this sensor's trigger types was deleted (a dict)."""


class Sensor(BaseSensor):
    """Base class of passive sensors."""

    @abc.abstractmethod
    def run(self):
        pass


class PollingSensor(BaseSensor):
    """Base class of active sensors, which poll a system every ``poll_interval`` seconds."""

    def __init__(self, sensor_service, config=None, poll_interval=5):
        super().__init__(sensor_service=sensor_service, config=config)
        self._poll_interval = poll_interval
        # Set by the wrapper when Squall stops the sensor, so a sleeping poll loop ends at once.
        self._squall_stop = threading.Event()

    @abc.abstractmethod
    def poll(self):
        """Looks for new information and dispatches triggers for it."""

    def run(self):
        # A subclass may skip our __init__; the event is then created here.
        stop = self.__dict__.setdefault("_squall_stop", threading.Event())
        while not stop.is_set():
            self.poll()
            stop.wait(self._poll_interval)

    def get_poll_interval(self):
        return self._poll_interval

    def set_poll_interval(self, poll_interval):
        self._poll_interval = poll_interval

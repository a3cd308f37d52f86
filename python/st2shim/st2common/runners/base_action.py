"""The base class of Python actions, as StackStorm packs import it.

An action subclasses ``Action`` and implements ``run(**parameters)``. The wrapper builds it with
the pack config and an action service; the logger is set up here so that an action constructed
by hand (in a pack's unit tests, say) still has one.
"""

import abc

from squall_shim.log import DEFAULT_LOG_LEVEL, get_action_logger

__all__ = ["Action"]


class Action(metaclass=abc.ABCMeta):
    description = None

    def __init__(self, config=None, action_service=None):
        self.config = config or {}
        self.action_service = action_service
        log_level = getattr(action_service, "log_level", None) or DEFAULT_LOG_LEVEL
        self.logger = get_action_logger(self.__class__.__name__, log_level)

    @abc.abstractmethod
    def run(self, **kwargs):
        raise NotImplementedError()

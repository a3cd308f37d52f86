"""Loggers handed to Python actions.

StackStorm gives each action class a logger named ``actions.python.<ClassName>`` that writes to
stderr at the level of the ``log_level`` runner parameter, and adds an ``AUDIT`` level above
CRITICAL that the datastore service uses. Squall does the same so log lines look familiar and
land in the execution's stderr.
"""

import logging
import sys

__all__ = ["AUDIT", "DEFAULT_LOG_LEVEL", "get_action_logger"]

AUDIT = 60
DEFAULT_LOG_LEVEL = "DEBUG"
_FORMAT = "%(name)-12s: %(levelname)-8s %(message)s"
_configured = {}


def _install_audit_level():
    if logging.getLevelName(AUDIT) != "AUDIT":
        logging.addLevelName(AUDIT, "AUDIT")
    if not hasattr(logging.Logger, "audit"):

        def audit(self, msg, *args, **kwargs):
            if self.isEnabledFor(AUDIT):
                self._log(AUDIT, msg, args, **kwargs)

        logging.Logger.audit = audit


_install_audit_level()


def level_number(name):
    """``"info"`` → logging.INFO; an unknown name falls back to DEBUG, as StackStorm does."""
    if isinstance(name, int):
        return name
    value = logging.getLevelName(str(name or DEFAULT_LOG_LEVEL).upper())
    return value if isinstance(value, int) else logging.DEBUG


def get_action_logger(class_name, log_level=DEFAULT_LOG_LEVEL):
    """The logger of one action class; configured once per process."""
    name = "actions.python.%s" % class_name
    logger = _configured.get(name)
    if logger is None:
        level = level_number(log_level)
        logger = logging.getLogger(name)
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(level)
        handler.setFormatter(logging.Formatter(_FORMAT))
        logger.addHandler(handler)
        logger.setLevel(level)
        # The root logger may get a handler from the action's own code; do not print twice.
        logger.propagate = False
        _configured[name] = logger
    return logger

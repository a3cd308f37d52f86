"""``from st2actions.runners.pythonrunner import Action``: the pre-2.0 import path, kept working."""

from st2common.runners.base_action import Action

__all__ = ["Action"]

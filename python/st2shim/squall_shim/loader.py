"""Finding and building the action class in a pack's Python file, the way StackStorm does.

StackStorm imports the file under its base name, with the file's directory appended to
sys.path (so sibling modules import), then takes the classes *defined in that file* in name
order and keeps those that implement every abstract method of Action, i.e. ``run``. The first
one wins. A class need not subclass Action to qualify: StackStorm registers it as a virtual
subclass, so old-style actions with just a ``run`` method keep working.
"""

import importlib.util
import inspect
import os
import sys

from st2common.runners.base_action import Action

__all__ = ["ActionLoadError", "load_action_class", "instantiate"]


class ActionLoadError(Exception):
    """The file could not be imported or defines no usable action class."""


def _implements_abstract_methods(klass):
    for name in Action.__abstractmethods__:
        member = inspect.getattr_static(klass, name, None)
        if member is None or getattr(member, "__isabstractmethod__", False):
            return False
        if not callable(member) and not isinstance(member, (staticmethod, classmethod)):
            return False
    return True


def _import_file(file_path):
    directory = os.path.dirname(os.path.realpath(file_path))
    if directory not in sys.path and directory + os.sep not in sys.path:
        sys.path.append(directory)
    module_name = os.path.splitext(os.path.basename(file_path))[0]
    spec = importlib.util.spec_from_file_location(module_name, file_path)
    if spec is None or spec.loader is None:
        raise ActionLoadError('"%s" is not a Python file' % file_path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def load_action_class(file_path):
    """The action class of ``file_path``; ActionLoadError names the file when there is none."""
    if not os.path.isfile(file_path):
        raise ActionLoadError('Action file "%s" does not exist' % file_path)
    try:
        module = _import_file(file_path)
    except Exception as error:
        raise ActionLoadError(
            'Cannot load action class from "%s" (syntax error or failing import?): %s: %s'
            % (file_path, type(error).__name__, error)
        ) from error
    defined_here = [
        klass
        for _, klass in inspect.getmembers(module, inspect.isclass)
        if klass.__module__ == module.__name__
    ]
    for klass in defined_here:
        if _implements_abstract_methods(klass):
            if not issubclass(klass, Action):
                Action.register(klass)
            return klass
    raise ActionLoadError(
        'File "%s" defines no action class (a class with a run() method)' % file_path
    )


def instantiate(action_class, config, action_service):
    """Builds the action; actions written before ``action_service`` existed get it assigned."""
    try:
        instance = action_class(config=config, action_service=action_service)
    except TypeError as error:
        if "unexpected keyword argument" not in str(error):
            raise
        instance = action_class(config=config)
        instance.action_service = action_service
    return instance

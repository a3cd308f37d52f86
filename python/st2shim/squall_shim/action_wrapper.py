"""Entry point of one Python action process (what StackStorm's python_action_wrapper does).

Input arrives on stdin as one JSON document (see st2shim/README.md): parameters, config and the
token never appear on the command line, where any local user could read them in /proc.
The outcome of ``run()`` leaves on file descriptor 3, so nothing the action prints can be
mistaken for its result; stdout and stderr stay the action's own.
"""

import json
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
_SHIM_ROOT = os.path.dirname(_HERE)
# Started as a script, Python put this package's directory first on sys.path, where its modules
# (config, log, loader...) would shadow same-named modules of the pack. Replace it with the root.
if sys.path and os.path.abspath(sys.path[0] or ".") == _HERE:
    sys.path.pop(0)
if _SHIM_ROOT not in sys.path:
    sys.path.insert(0, _SHIM_ROOT)

from squall_shim.action_service import ActionService  # noqa: E402
from squall_shim.config import PackConfig  # noqa: E402
from squall_shim.loader import ActionLoadError, instantiate, load_action_class  # noqa: E402
from squall_shim.log import DEFAULT_LOG_LEVEL  # noqa: E402

RESULT_FD = 3
INVALID_STATUS_EXIT_CODE = 220
BAD_INPUT_EXIT_CODE = 2


def read_request(stream):
    raw = stream.read()
    try:
        request = json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    except ValueError as error:
        raise ValueError("stdin must hold one JSON object: %s" % error) from None
    if not isinstance(request, dict):
        raise ValueError("stdin must hold one JSON object")
    for field, kind in (("parameters", dict), ("config", dict)):
        if not isinstance(request.get(field) or {}, kind):
            raise ValueError("%s must be a JSON object" % field)
    if not isinstance(request.get("file_path"), str) or not request["file_path"]:
        raise ValueError("file_path is required")
    return request


def split_outcome(output):
    """``(status, result)`` from what run() returned; status None when it gave just a value."""
    if isinstance(output, tuple) and len(output) == 2:
        return output[0], output[1]
    return None, output


def encode_outcome(status, result):
    """JSON of the outcome; a result JSON cannot hold is sent as its str(), as StackStorm does."""
    try:
        return json.dumps({"result": result, "status": status}, allow_nan=False)
    except (TypeError, ValueError):
        return json.dumps({"result": str(result), "status": status})


def write_outcome(text):
    with os.fdopen(RESULT_FD, "w", encoding="utf-8", closefd=True) as channel:
        channel.write(text)


def main():
    try:
        # Children the action starts must not hold the result channel open after we exit.
        os.set_inheritable(RESULT_FD, False)
    except OSError:
        sys.stderr.write("squall: file descriptor 3 (the result channel) is not open\n")
        return BAD_INPUT_EXIT_CODE
    try:
        request = read_request(sys.stdin.buffer)
    except ValueError as error:
        sys.stderr.write("squall: bad action request: %s\n" % error)
        return BAD_INPUT_EXIT_CODE

    pack = request.get("pack") or ""
    log_level = request.get("log_level") or DEFAULT_LOG_LEVEL
    for path in reversed(request.get("lib_paths") or []):
        if isinstance(path, str) and path not in sys.path:
            sys.path.insert(1, path)

    try:
        action_class = load_action_class(request["file_path"])
    except ActionLoadError as error:
        cause = error.__cause__
        if cause is not None:
            import traceback

            traceback.print_exception(type(cause), cause, cause.__traceback__)
        sys.stderr.write("%s\n" % error)
        return 1

    service = ActionService(
        pack=pack,
        class_name=action_class.__name__,
        api_url=request.get("api_url") or "",
        auth_token=request.get("auth_token") or "",
        log_level=log_level,
    )
    config = PackConfig(pack, request.get("config") or {}, request.get("config_path"))
    action = instantiate(action_class, config, service)
    status, result = split_outcome(action.run(**(request.get("parameters") or {})))

    if status is not None and not isinstance(status, bool):
        sys.stderr.write(
            "Status returned from the action run() method must either be True or False, got: "
            "%r\nAn action that returns a 2-tuple as its value must return a list instead, or "
            "(True, (item1, item2)).\n" % (status,)
        )
        return INVALID_STATUS_EXIT_CODE
    write_outcome(encode_outcome(status, result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Ctrl-C in the `ascentlab` command: raise at once, and never lose the request.

Python raises `KeyboardInterrupt` at the next bytecode boundary. If that boundary falls inside a weakref
callback or a `__del__` (garbage collection runs them at arbitrary points), the exception is printed as
"Exception ignored in ..." and *swallowed*, and the command would go on (observed once in
`ascentlab figures`). So the command's handler also records the request, the unraisable hook stays quiet
about a swallowed `KeyboardInterrupt`, and the long loops call `check()` before each figure, each row and
each write: a swallowed Ctrl-C ends the command there, still with status 130 and no partial file.
Library calls never install this (only `ascentlab.cli.console` does); `check()` is then a no-op.
"""

import signal
import sys
import threading

_requested = threading.Event()
_default_unraisablehook = sys.unraisablehook


def _handler(signum, frame):
    _requested.set()
    raise KeyboardInterrupt


def _unraisable(unraisable):
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        return  # recorded by the handler; check() raises it again at the next safe point
    _default_unraisablehook(unraisable)


def install() -> None:
    """Ctrl-C raises KeyboardInterrupt and is remembered (also when the parent process ignored SIGINT)."""
    signal.signal(signal.SIGINT, _handler)
    sys.unraisablehook = _unraisable


def check() -> None:
    """Raise KeyboardInterrupt if Ctrl-C was pressed (and perhaps swallowed) since `install`."""
    if _requested.is_set():
        raise KeyboardInterrupt

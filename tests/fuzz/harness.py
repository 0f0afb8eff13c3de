"""The one rule every importer obeys: bad input raises its own clear error, nothing else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class UnexpectedError(AssertionError):
    """The code under test raised something other than its documented error."""

    def __init__(self, errors: tuple[type[BaseException], ...], exc: BaseException, data: Any) -> None:
        self.original = exc
        self.data = data
        allowed = ", ".join(e.__name__ for e in errors) or "nothing"
        shown = repr(data)
        if len(shown) > 400:
            shown = shown[:400] + f"… ({len(shown)} chars)"
        super().__init__(f"raised {type(exc).__name__}: {exc!s:.300} (allowed: {allowed}) on input {shown}")


def assert_only(errors: tuple[type[BaseException], ...], fn: Callable[[Any], T], data: Any) -> T | BaseException:
    """Call ``fn(data)``; return its result, or the allowed error it raised.

    Any other exception — including a bare ValueError, RecursionError or
    MemoryError — fails with UnexpectedError naming the input. An allowed
    error must also carry a message: an empty one is not "a clear error".
    """
    try:
        return fn(data)
    except errors as exc:
        if not str(exc).strip():
            raise UnexpectedError(errors, exc, data) from exc
        return exc
    except AssertionError:
        raise
    except Exception as exc:  # everything else is a bug
        raise UnexpectedError(errors, exc, data) from exc

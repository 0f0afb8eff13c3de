"""Render (and optionally sign) many scored forms over a process pool.

A form is ~20-25 ms of reportlab layout plus ~20 ms of pyHanko signing, pure Python
under the GIL, so a batch only gets faster with more processes. Each worker sets up the
font and the signing key once (pool initializer), then renders forms sent one at a time.
With the default ``fork`` start method on Linux the workers inherit the parent's imports
and registered font, so starting the pool costs milliseconds, not seconds; under
``spawn``/``forkserver`` the font and key are pickled to each worker and set up there.

``render_batch`` returns one ``Outcome`` per form in input order; ``iter_batch`` yields
them as they finish, for progress bars and for writing files while the pool works.
A form that fails (layout, signing, an unexpected error, even a crashed worker) is an
``Outcome`` with a Chinese error naming it; the other forms are unaffected.

``jobs=1`` (or a single form) runs in this process, without a pool.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from typing import Any

from jixiao.pdf.fonts import FontChoice, find_font
from jixiao.pdf.sign import SigningKey

# Forms queued per worker beyond the one it is rendering: keeps workers busy while the
# parent writes files, and bounds memory (finished PDFs wait in the parent until read).
_AHEAD = 4


@dataclass(frozen=True, slots=True)
class Outcome:
    """One form's result: ``pdf`` on success, else ``error`` (Chinese, names the form)."""

    index: int  # position in the input
    name: str
    pdf: bytes | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.pdf is not None


@dataclass(frozen=True)
class _Setup:
    """What every form of a batch shares; sent to each worker once."""

    font: FontChoice
    layout: str | None
    key: SigningKey | None
    signer_name: str | None
    seal: Any = None  # jixiao.pdf.seal.Seal: the unit's 公章 image on every form
    pdfa: bool = False  # PDF/A-2b for archiving (jixiao.pdf.pdfa)


@dataclass(frozen=True)
class Printed:
    """A scored form with what its stored record adds: the 复核 printed after it (by indicator
    identity) and the evidence files embedded in it."""

    result: Any
    rechecks: Mapping[str, Any]
    attachments: tuple[Any, ...] = ()  # jixiao.pdf.attachments.Attachment
    declaration: bool = False  # a target declaration: its targets as declared, no score columns

    @property
    def form(self) -> Any:
        return self.result.form


def default_name(result: Any) -> str:
    """How a form is named in messages when the caller gives no names: year/unit/project."""
    form = result.form
    return f"{form.year}/{form.implementing_unit}/{form.project_name}"


def _expected_errors() -> tuple[type[Exception], ...]:
    from jixiao.pdf.fonts import FontError
    from jixiao.pdf.layout import LayoutError
    from jixiao.pdf.sign import SignError

    return (FontError, LayoutError, SignError)


def _render(setup: _Setup, result: Any) -> bytes:
    """The form's PDF before signing: rendered, its evidence embedded, made PDF/A when asked."""
    from jixiao.pdf.attachments import embed
    from jixiao.pdf.layout import LayoutError, render_pdf

    printed = result if isinstance(result, Printed) else Printed(result, {})
    if printed.declaration:
        from jixiao.publish.document import ruled_pdf
        from jixiao.publish.part6 import department_lines, project_lines

        form = printed.result.form
        lines = department_lines(form) if form.form_kind.value == "department" else project_lines(form)
        return ruled_pdf(lines, font=setup.font)
    data = render_pdf(printed.result, layout=setup.layout, font=setup.font, rechecks=printed.rechecks, seal=setup.seal)
    if setup.pdfa and printed.attachments:
        raise LayoutError("表单附有佐证材料：PDF/A-2 不允许嵌入非 PDF/A 文件；请不加 --pdfa 导出，佐证材料另行归档")
    data = embed(data, printed.attachments)
    if setup.pdfa:
        from jixiao.pdf.pdfa import to_pdfa

        data = to_pdfa(data)
    return data


def _render_one(setup: _Setup, index: int, name: str, result: Any) -> Outcome:
    try:
        data = _render(setup, result)
        if setup.key is not None:
            from jixiao.pdf.sign import sign_pdf

            data = sign_pdf(data, setup.key, signer_name=setup.signer_name)
    except _expected_errors() as exc:
        return Outcome(index, name, error=f"{name}：{exc}")
    except Exception as exc:  # one bad form must not stop the batch
        return Outcome(index, name, error=f"{name}：生成 PDF 失败：{type(exc).__name__}：{exc}")
    return Outcome(index, name, pdf=data)


# ------------------------------------------------------------------ worker side

_worker: dict[str, Any] = {}


def _init_worker(setup: _Setup) -> None:
    """Pool initializer: make the font usable here, once per worker; keep the key."""
    import signal

    from jixiao.pdf.fonts import FontError, ensure_registered

    # Ctrl+C reaches the whole process group: the parent handles it and shuts the pool
    # down; workers dying mid-task would only print tracebacks over the progress bar.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent()
    try:
        _worker["setup"] = replace(setup, font=ensure_registered(setup.font))
    except FontError as exc:  # reported with every form this worker is given
        _worker["error"] = str(exc)
    except Exception as exc:
        _worker["error"] = f"工作进程初始化失败：{type(exc).__name__}：{exc}"


def _exit_with_parent() -> None:
    """End this worker when the parent dies, however it dies.

    A pool worker waits for work on a pipe whose write end it inherited itself, so a
    parent killed with SIGKILL (or crashing) would leave it waiting for ever. The parent
    sentinel becomes readable when the parent is gone, whatever the start method.
    """
    import multiprocessing
    import threading
    from multiprocessing.connection import wait as wait_for

    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return

    def watch() -> None:
        wait_for([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="jixiao-parent-watch", daemon=True).start()


def _work(index: int, name: str, result: Any) -> Outcome:
    if "error" in _worker:
        return Outcome(index, name, error=f"{name}：{_worker['error']}")
    return _render_one(_worker["setup"], index, name, result)


# ------------------------------------------------------------------ parent side


def _jobs(jobs: int | None, n: int) -> int:
    if jobs is None:
        jobs = os.cpu_count() or 1
    if jobs < 1:
        raise ValueError(f"jobs 必须是正整数，而不是 {jobs}")
    return max(1, min(jobs, n))


def iter_batch(
    results: Sequence[Any],
    *,
    names: Sequence[str] | None = None,
    layout: str | None = None,
    font: FontChoice | None = None,
    key: SigningKey | None = None,
    signer_name: str | None = None,
    jobs: int | None = None,
    seal: Any = None,
    pdfa: bool = False,
) -> Iterator[Outcome]:
    """Render (and with ``key``, sign) every scored form; yield outcomes as they finish.

    ``names`` label the forms in error messages (default: year/unit/project). ``jobs``
    is the number of worker processes (default: all cores); 1 renders here, in order.
    """
    n = len(results)
    labels = list(names) if names is not None else [default_name(r) for r in results]
    if len(labels) != n:
        raise ValueError("names 与 results 的数量不一致")
    setup = _Setup(font or find_font(), layout, key, signer_name, seal, pdfa)
    workers = _jobs(jobs, n)
    if workers == 1:
        for i, result in enumerate(results):
            yield _render_one(setup, i, labels[i], result)
        return
    yield from _pooled(setup, results, labels, workers)


def _pooled(setup: _Setup, results: Sequence[Any], labels: list[str], workers: int) -> Iterator[Outcome]:
    from concurrent.futures.process import BrokenProcessPool

    pending: dict[Future[Outcome], int] = {}
    todo = iter(range(len(results)))
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(setup,))

    def top_up() -> None:
        while len(pending) < workers * (1 + _AHEAD):
            i = next(todo, None)
            if i is None:
                return
            try:
                pending[pool.submit(_work, i, labels[i], results[i])] = i
            except BrokenProcessPool as exc:
                pending[_failed(exc)] = i

    try:
        top_up()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in sorted(done, key=pending.__getitem__):
                i = pending.pop(fut)
                yield _outcome(fut, i, labels[i])
            top_up()
    finally:  # also when the caller stops early (Ctrl+C, an error writing a file)
        pool.shutdown(wait=True, cancel_futures=True)


def _failed(exc: BaseException) -> Future[Outcome]:
    fut: Future[Outcome] = Future()
    fut.set_exception(exc)
    return fut


def _outcome(fut: Future[Outcome], index: int, name: str) -> Outcome:
    from concurrent.futures.process import BrokenProcessPool

    try:
        return fut.result()
    except BrokenProcessPool:
        return Outcome(index, name, error=f"{name}：生成 PDF 的工作进程意外退出，此表未生成")
    except Exception as exc:  # e.g. a form that cannot be sent to a worker (pickling)
        return Outcome(index, name, error=f"{name}：生成 PDF 失败：{type(exc).__name__}：{exc}")


def render_batch(
    results: Sequence[Any],
    *,
    names: Sequence[str] | None = None,
    layout: str | None = None,
    font: FontChoice | None = None,
    key: SigningKey | None = None,
    signer_name: str | None = None,
    jobs: int | None = None,
    on_result: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """``iter_batch`` collected in input order; ``on_result`` is called as each form finishes."""
    out: list[Outcome | None] = [None] * len(results)
    for outcome in iter_batch(
        results, names=names, layout=layout, font=font, key=key, signer_name=signer_name, jobs=jobs
    ):
        out[outcome.index] = outcome
        if on_result is not None:
            on_result(outcome)
    return [o for o in out if o is not None]

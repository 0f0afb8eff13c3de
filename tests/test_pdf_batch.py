"""Batch PDF export over a process pool: same bytes as one by one, order kept, failures named."""

from __future__ import annotations

import dataclasses
import functools
import multiprocessing
import os
import pickle
from pathlib import Path

import pytest

pytest.importorskip("reportlab")
pytest.importorskip("pyhanko")

from jixiao.pdf import batch  # noqa: E402
from jixiao.pdf.batch import iter_batch, render_batch  # noqa: E402
from jixiao.pdf.canonical import form_sha256  # noqa: E402
from jixiao.pdf.fonts import find_font  # noqa: E402
from jixiao.pdf.layout import render_pdf  # noqa: E402
from jixiao.pdf.meta import read_meta  # noqa: E402
from jixiao.pdf.sign import load_key  # noqa: E402
from jixiao.pdf.trial_keys import new_key  # noqa: E402
from jixiao.pdf.verify import verify_pdf  # noqa: E402
from jixiao.scoring import score_form  # noqa: E402
from scorer.formfile import load_form  # noqa: E402
from tests.conftest import NINETY_FOUR, SAMPLES  # noqa: E402
from tests.test_pdf import PASSWORD, env, run  # noqa: E402, F401  (env: the CLI fixture)

# Four different forms, both layouts among them: enough to keep two workers busy.
PATHS = sorted(SAMPLES.glob("*.toml"))[:4]


@pytest.fixture(scope="module")
def results():  # type: ignore[no-untyped-def]
    return [score_form(load_form(p)) for p in PATHS]


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    p12 = tmp_path_factory.mktemp("batch-key") / "k.p12"
    new_key("批量签名人", p12, PASSWORD)
    return load_key(p12, PASSWORD)


def test_pool_gives_the_serial_bytes_in_input_order(results) -> None:  # type: ignore[no-untyped-def]
    serial = render_batch(results, jobs=1)
    pooled = render_batch(results, jobs=2)
    assert [o.index for o in pooled] == list(range(len(results)))
    assert [o.pdf for o in pooled] == [o.pdf for o in serial]
    assert serial[0].pdf == render_pdf(results[0])  # and both are what render_pdf gives
    assert [read_meta(o.pdf).form_sha256 for o in pooled] == [form_sha256(r.form) for r in results]  # type: ignore[arg-type]


def test_iter_batch_yields_every_form_once_and_on_result_sees_each(results) -> None:  # type: ignore[no-untyped-def]
    names = [f"表{i}" for i in range(len(results))]
    seen = sorted((o.index, o.name) for o in iter_batch(results, names=names, jobs=2))
    assert seen == list(enumerate(names))
    calls: list[int] = []
    render_batch(results, names=names, jobs=2, on_result=lambda o: calls.append(o.index))
    assert sorted(calls) == list(range(len(results)))


def test_signed_in_the_pool_verifies_and_matches_its_form(results, key) -> None:  # type: ignore[no-untyped-def]
    out = render_batch(results[:3], key=key, signer_name="王五", jobs=2)
    for outcome, result in zip(out, results[:3], strict=True):
        assert outcome.ok, outcome.error
        report = verify_pdf(outcome.pdf)  # type: ignore[arg-type]
        assert report.intact
        assert report.signatures[0].name == "王五"
        assert report.meta.form_sha256 == form_sha256(result.form)


def test_signing_key_survives_pickling(results, key) -> None:  # type: ignore[no-untyped-def]
    """What a spawned worker receives: the key rebuilt from its DER material."""
    again = pickle.loads(pickle.dumps(key))
    assert again.name == key.name
    from jixiao.pdf.sign import sign_pdf

    assert verify_pdf(sign_pdf(render_pdf(results[0]), again)).intact


def _broken(result):  # type: ignore[no-untyped-def]
    """A form whose rule set names a layout that does not exist."""
    return dataclasses.replace(result, rules=dataclasses.replace(result.rules, layout="shanghai"))


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failing_form_is_named_and_the_others_are_written(results, jobs: int) -> None:  # type: ignore[no-untyped-def]
    forms = [results[0], _broken(results[1]), "不是表单", results[2]]
    out = render_batch(forms, names=["甲", "乙", "丙", "丁"], jobs=jobs)
    assert [o.ok for o in out] == [True, False, False, True]
    assert out[1].error.startswith("乙：") and "未知版式「shanghai」" in out[1].error
    assert out[2].error.startswith("丙：") and "生成 PDF 失败" in out[2].error
    assert out[3].pdf == render_pdf(results[2])


class _KillsWorker:
    """Unpickling this ends the worker process at once, as a crash would."""

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os._exit, (3,))


def test_a_crashed_worker_is_reported_not_raised(results) -> None:  # type: ignore[no-untyped-def]
    out = render_batch([results[0], _KillsWorker(), results[1]], names=["甲", "乙", "丙"], jobs=2)
    assert len(out) == 3 and not out[1].ok
    assert out[1].error.startswith("乙：") and "工作进程意外退出" in out[1].error


def test_spawned_workers_load_font_and_key_themselves(results, key, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """macOS, Windows and Python ≥ 3.14 do not fork: the setup must travel by pickle."""
    spawn = functools.partial(batch.ProcessPoolExecutor, mp_context=multiprocessing.get_context("spawn"))
    monkeypatch.setattr(batch, "ProcessPoolExecutor", spawn)
    out = render_batch(results[:2], key=key, jobs=2)
    assert all(o.ok for o in out), [o.error for o in out]
    assert all(verify_pdf(o.pdf).intact for o in out)  # type: ignore[arg-type]
    unsigned = render_batch(results[:2], font=find_font(), jobs=2)
    assert [o.pdf for o in unsigned] == [render_pdf(r) for r in results[:2]]


def test_jobs_must_be_positive(results) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="正整数"):
        render_batch(results, jobs=0)


# ------------------------------------------------------------------ CLI


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*.pdf"))}


def test_cli_jobs_2_writes_the_files_jobs_1_writes(env: Path) -> None:  # noqa: F811
    # The 94-point form twice: the clash must be named -2 the same way in both runs.
    forms = [*map(str, PATHS), str(NINETY_FOUR), str(NINETY_FOUR)]
    code, out, err = run("pdf", *forms, "-o", str(env / "one"), "--jobs", "1")
    assert code == 0, err
    code, out, err = run("pdf", *forms, "-o", str(env / "two"), "--jobs", "2")
    assert code == 0, err
    one, two = _files(env / "one"), _files(env / "two")
    assert len(one) == len(forms) and any(name.endswith("-2.pdf") for name in one)
    assert one == two
    assert f"已生成 {len(forms)} 份 PDF" in out
    assert not [p for p in (env / "two").iterdir() if p.name.startswith(".")]  # no temporary files left


def test_cli_jobs_2_signs_every_form(env: Path) -> None:  # noqa: F811
    code, out, err = run("keys", "new", "--name", "王五", "-o", str(env / "k.p12"))
    assert code == 0, err
    code, out, err = run("pdf", *map(str, PATHS[:3]), "-o", str(env / "s"), "--sign", str(env / "k.p12"), "--jobs", "2")
    assert code == 0, err
    assert "其中签名 3 份" in out
    for pdf in (env / "s").glob("*.pdf"):
        assert verify_pdf(pdf.read_bytes()).intact


def test_cli_jobs_must_be_positive(env: Path) -> None:  # noqa: F811
    code, out, err = run("pdf", str(NINETY_FOUR), "-o", str(env / "o"), "--jobs", "0")
    assert code == 1 and "--jobs 必须是正整数" in err
    assert not (env / "o").exists()

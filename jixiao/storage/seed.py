"""Seed a new database with the nine sample forms shipped with jixiao."""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from sqlalchemy import Engine

from scorer.formfile import form_from_dict, parse_text
from scorer.model import Form


def samples_folder() -> Traversable:
    """The packaged samples (jixiao.samples), or samples/ of a source checkout."""
    try:
        return resources.files("jixiao.samples")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "samples"


def sample_forms() -> list[tuple[str, Form]]:
    folder = samples_folder()
    out: list[tuple[str, Form]] = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            name = f"samples/{entry.name}"
            out.append((name, form_from_dict(parse_text(entry.read_text(encoding="utf-8"), name, ".toml"), name)))
    return out


def seed_samples(engine: Engine) -> int:
    from jixiao.storage.store import FormStore

    forms = sample_forms()
    FormStore(engine, actor="jixiao").import_forms(forms, action="import")
    return len(forms)

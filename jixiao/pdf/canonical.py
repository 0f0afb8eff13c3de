"""The canonical bytes of a form, and their SHA-256: what a signed PDF vouches for.

The canonical form is the file structure of ``scorer.formfile.form_to_dict`` written as
JSON with sorted keys, no whitespace, non-ASCII kept as UTF-8 and every Decimal as its
exact string (``24.7`` stays ``"24.7"``, ``20`` stays ``"20"``). Two forms with the same
content always give the same bytes, whatever order or file format they came from.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from scorer.formfile import form_to_dict
from scorer.model import Form


def _exact(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:f}"
    raise TypeError(f"不能规范化的值：{type(value).__name__}")


def canonical_json(form: Form) -> bytes:
    """Sorted keys, no whitespace, UTF-8, Decimals as exact strings."""
    return json.dumps(
        form_to_dict(form), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_exact
    ).encode("utf-8")


def form_sha256(form: Form) -> str:
    """Hex SHA-256 of ``canonical_json(form)``."""
    return hashlib.sha256(canonical_json(form)).hexdigest()

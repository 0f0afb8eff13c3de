"""Signed PDF forms: the official layout, an embedded Chinese font, PAdES signatures.

- ``render_pdf(result)`` (layout.py): the scored form as a reproducible PDF.
- ``sign_pdf`` / ``sign_pdf_async`` (sign.py): PAdES signing with pyHanko; ``new_key`` (trial_keys.py): a key to try it.
- ``verify_pdf`` / ``verify_pdf_async`` (verify.py): intact or modified, who signed, trusted or not.
- ``form_sha256`` (canonical.py): the fingerprint of the form data carried in the PDF metadata.

Imports are lazy so that ``import jixiao.pdf`` stays cheap; reportlab and pyHanko are only
loaded by the module that needs them.
"""

from __future__ import annotations

from jixiao.pdf.canonical import canonical_json, form_sha256

__all__ = ["canonical_json", "form_sha256"]

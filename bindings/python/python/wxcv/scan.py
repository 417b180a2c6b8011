"""Seed 002's ``ocr.scan``: ``OCR`` / ``AsyncOCR``, ``ScanResult`` (one class per document kind).

Generated from spec/scan.yaml into ``wxcv._gen.scan``; this module is its public name."""

from ._gen.scan import *  # noqa: F401,F403
from ._gen.scan import __all__ as __all__

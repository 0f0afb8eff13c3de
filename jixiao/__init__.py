"""jixiao (绩效): the application around the scoring core — CLI, rendering and adapters."""

__version__ = "0.1.0"

from jixiao import line_breaks as _line_breaks

_line_breaks.install()  # every table and text printed through Rich breaks lines by jixiao's rule

"""jixiao (绩效): the application around the scoring core — CLI, rendering and adapters."""

__version__ = "0.1.0"

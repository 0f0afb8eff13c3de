"""Fuzz targets shared by the bounded property tests (tests/test_fuzz.py) and the
long standalone run (bench/fuzz.py). Add a target with one line in targets.py."""

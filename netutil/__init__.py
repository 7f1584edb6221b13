"""netutil: IP address and TCP protocol utility.

The core is plain functions and frozen dataclasses; `netutil.cli` and `api` are thin adapters.
Importing this package is cheap: submodules are imported by whoever needs them.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]

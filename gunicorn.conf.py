"""gunicorn's default config file for a run from a checkout (`gunicorn` in this folder).

The settings live in the package (`api/gunicorn_conf.py`) so an installed wheel has them too:
the Dockerfile and `netutil serve` use `gunicorn --config python:api.gunicorn_conf`.
"""

from api.gunicorn_conf import *  # noqa: F403

# The netutil REST service: gunicorn serving api:create_app() from the built wheel.
#   docker build -t netutil .
#   docker run --rm -p 8000:8000 --read-only --tmpfs /tmp netutil
#   curl localhost:8000/api/ip/192.168.0.1
# Reproducible: the base image is an exact version, pip an exact version, and every
# dependency the exact file requirements.lock names (versions and hashes, pip-compile).

# Stage 1: the locked dependencies as wheels (hash-checked), and the netutil wheel.
FROM python:3.12.8-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m pip install --no-cache-dir pip==24.3.1
COPY requirements.lock pyproject.toml README.md ./
COPY netutil ./netutil
COPY api ./api
RUN pip download --no-cache-dir --require-hashes --only-binary=:all: --dest /wheels \
        -r requirements.lock \
    && pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# Stage 2: the runtime image: only the installed wheels, no sources, no build tools.
FROM python:3.12.8-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0 \
    PORT=8000
COPY --from=build /wheels /tmp/wheels
COPY --from=build /src/requirements.lock /tmp/requirements.lock
RUN python -m pip install --no-cache-dir pip==24.3.1 \
    && pip install --no-cache-dir --no-index --find-links /tmp/wheels --require-hashes \
        -r /tmp/requirements.lock \
    && pip install --no-cache-dir --no-index --no-deps /tmp/wheels/netutil-*.whl \
    && rm -rf /tmp/wheels /tmp/requirements.lock \
    && useradd --create-home --uid 10001 --user-group --shell /usr/sbin/nologin netutil
# Numeric, so Kubernetes' runAsNonRoot can check it without reading /etc/passwd.
USER 10001:10001
WORKDIR /home/netutil
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', timeout=2)"]
CMD ["gunicorn", "--config", "python:api.gunicorn_conf", "api:create_app()"]

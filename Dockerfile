# The netutil REST service: gunicorn serving api:create_app() from the built wheel.
#   docker build -t netutil .
#   docker run --rm -p 8000:8000 netutil        # then: curl localhost:8000/api/ip/192.168.0.1

# Stage 1: build the netutil wheel and wheels for all its dependencies.
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY netutil ./netutil
COPY api ./api
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

# Stage 2: the runtime image: only the installed wheels, no sources, no build tools.
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=8000
COPY --from=build /wheels /tmp/wheels
RUN pip install --no-cache-dir --no-index --find-links /tmp/wheels netutil \
    && rm -rf /tmp/wheels \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin netutil
USER netutil
WORKDIR /home/netutil
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', timeout=2)"]
CMD ["gunicorn", "--config", "python:api.gunicorn_conf", "api:create_app()"]

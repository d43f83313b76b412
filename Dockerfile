# syntax=docker/dockerfile:1
# Build stage: build a wheel and install it with its dependencies into a virtualenv.
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/cairn
COPY pyproject.toml README.md ./
COPY registry ./registry
COPY compat ./compat
COPY serdes ./serdes
COPY cli ./cli
# With the KMS drivers (tink, boto3), so that the registry serves shared KEKs.
RUN /opt/cairn/bin/pip install --no-cache-dir '.[rules-aws]'

# Runtime stage: the virtualenv only, run as an unprivileged user.
FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /var/lib/cairn --create-home cairn \
 # The data directory exists and belongs to the user before VOLUME: a fresh named volume is
 # initialised from it (owner included), so the server can write to it on first start.
 && mkdir -p /var/lib/cairn/data \
 && chown -R cairn:cairn /var/lib/cairn
COPY --from=build /opt/cairn /opt/cairn
ENV PATH="/opt/cairn/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    CAIRN_HOST=0.0.0.0 \
    CAIRN_PORT=8081 \
    CAIRN_DATA_DIR=/var/lib/cairn/data
USER cairn
WORKDIR /var/lib/cairn
VOLUME ["/var/lib/cairn/data"]
EXPOSE 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health/ready' % os.environ.get('CAIRN_PORT', '8081'), timeout=2)"]
# Settings come from CAIRN_* variables (above, overridable with -e) or a mounted
# --config file; flags given after the image name are appended to `cairn serve`.
ENTRYPOINT ["cairn", "serve"]

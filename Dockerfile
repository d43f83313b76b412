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
RUN /opt/cairn/bin/pip install --no-cache-dir .

# Runtime stage: the virtualenv only, run as an unprivileged user.
FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /var/lib/cairn --create-home cairn
COPY --from=build /opt/cairn /opt/cairn
ENV PATH="/opt/cairn/bin:${PATH}" PYTHONUNBUFFERED=1
USER cairn
WORKDIR /var/lib/cairn
VOLUME ["/var/lib/cairn/data"]
EXPOSE 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8081/health/ready', timeout=2)"]
CMD ["cairn", "serve", "--host", "0.0.0.0", "--port", "8081", "--data-dir", "/var/lib/cairn/data"]

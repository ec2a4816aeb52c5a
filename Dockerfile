# The team server (serve-http) in a container: the package installed from its own wheel, run as a
# non-root user. Build: docker build -t iletimerkezi-mcp .   Example with PostgreSQL and two replicas
# behind a proxy: deploy/compose.example.yml.

FROM python:3.11-slim AS wheel
RUN pip install --no-cache-dir uv
WORKDIR /src
COPY pyproject.toml uv.lock README.md LICENSE ./
COPY src ./src
RUN uv build --wheel --out-dir /dist

FROM python:3.11-slim
# The wheel with the "team" extra (psycopg for the PostgreSQL ledger); nothing else from the checkout.
COPY --from=wheel /dist/ /tmp/dist/
RUN set -eu; wheel="$(ls /tmp/dist/*.whl)"; pip install --no-cache-dir "${wheel}[team]"; rm -rf /tmp/dist
RUN useradd --create-home --uid 10001 mcp
USER mcp
# Data (the SQLite ledger when no database URL is set) and cache live in the user's home.
ENV ILETIMERKEZI_DATA_DIR=/home/mcp/data \
    ILETIMERKEZI_MCP_CACHE_DIR=/home/mcp/cache \
    PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
# Listening on every interface needs authorization: ILETIMERKEZI_HTTP_TOKENS or ILETIMERKEZI_OAUTH_ISSUER.
ENTRYPOINT ["iletimerkezi-mcp", "serve-http", "--host", "0.0.0.0", "--port", "8000"]

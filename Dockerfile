FROM python:3.12-slim
WORKDIR /srv/vetcred
# cairo: CairoSVG rasterises SVG logos at upload. fonts-dejavu-core: the PDF certificate embeds DejaVu Sans, so that
# names such as "Łukasz Ćwikła-Țăranu" print (Helvetica, the fallback, has no Ł, Ć, Ț, Ğ, Ő: black boxes).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcairo2 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY schemas ./schemas
COPY migrations ./migrations
# A fixed uid, so that a bind-mounted data directory can be given to it: chown -R 10001 <host directory>.
RUN pip install --no-cache-dir . && useradd --system --uid 10001 vetcred && mkdir -p /data/keys && chown -R vetcred /data
USER vetcred
# Production: the container refuses to start without VETCRED_PUBLIC_URL (https, the public name) and a strong
# VETCRED_ADMIN_TOKEN, so it never mints DIDs and QR codes for http://127.0.0.1:8000. Logs are JSON lines.
ENV VETCRED_ENVIRONMENT=production VETCRED_DATABASE_URL=sqlite:////data/vetcred.db VETCRED_KEYS_DIR=/data/keys \
    VETCRED_LISTEN_HOST=0.0.0.0 VETCRED_LISTEN_PORT=8000 VETCRED_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8000
# /health is 200 while the service can reach its database, 503 otherwise (urlopen raises on 503: unhealthy).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
CMD ["vetcred", "serve"]

FROM python:3.12-slim
WORKDIR /srv/vetcred
# CairoSVG (SVG logos are rasterised at upload) needs the cairo library.
RUN apt-get update && apt-get install -y --no-install-recommends libcairo2 && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY schemas ./schemas
COPY migrations ./migrations
RUN pip install --no-cache-dir . && useradd --system vetcred && mkdir -p /data/keys && chown -R vetcred /data
USER vetcred
# Production: the container refuses to start without VETCRED_PUBLIC_URL (https, the public name) and a strong
# VETCRED_ADMIN_TOKEN, so it never mints DIDs and QR codes for http://127.0.0.1:8000.
ENV VETCRED_ENVIRONMENT=production VETCRED_DATABASE_URL=sqlite:////data/vetcred.db VETCRED_KEYS_DIR=/data/keys
VOLUME ["/data"]
EXPOSE 8000
CMD ["vetcred", "serve", "--host", "0.0.0.0", "--port", "8000"]

# The browser assets (Leaflet, Leaflet-Geoman, Swagger UI) come from npm at build time.
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
COPY scripts/vendor_assets.sh ./scripts/
RUN mkdir -p app/static && ./scripts/vendor_assets.sh

FROM python:3.11-slim
WORKDIR /srv/civic
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml ./
COPY app ./app
COPY --from=assets /build/app/static/vendor ./app/static/vendor
COPY geo ./geo
COPY emails ./emails
COPY migrations ./migrations
COPY wsgi.py ./
RUN pip install --no-cache-dir .
ENV APP_ENV=production
EXPOSE 8000 2525
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", "--threads", "4", "wsgi:app"]

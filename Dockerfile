# Image for the web, worker and beat services of docker-compose.yml.
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 \
      fonts-dejavu-core fonts-liberation2 nodejs npm \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir .
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN python scripts/copy_frontend_assets.py \
 && DJANGO_SETTINGS_MODULE=noms_commissioning.settings.local python manage.py collectstatic --noinput

RUN useradd --create-home noms && mkdir -p /srv/media && chown noms /srv/media
USER noms
EXPOSE 8000

# CallDesk: one image for the web app (default CMD), the worker (`python worker.py`) and migrations
# (`flask --app wsgi db upgrade`). See docker-compose.yml for the production shape.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, from pyproject.toml alone (with a placeholder package), so that a code change
# does not reinstall them; then the real package on top, without touching the dependencies.
COPY pyproject.toml README.md ./
RUN mkdir app && touch app/__init__.py \
    && pip install . \
    && rm -rf app build ./*.egg-info

COPY app/ app/
RUN pip install --no-deps . && rm -rf build ./*.egg-info

# The code runs from /app: templates/, static/ and migrations/ are found beside the app package.
COPY migrations/ migrations/
COPY templates/ templates/
COPY static/ static/
COPY wsgi.py worker.py ./

RUN groupadd --system calldesk \
    && useradd --system --gid calldesk --home-dir /app --no-create-home calldesk \
    && mkdir -p /app/instance && chown calldesk:calldesk /app/instance
USER calldesk

EXPOSE 8000
# /healthz answers 200 while the web process runs (it reports database and Redis status in its body).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]

CMD ["gunicorn", "-w", "2", "-b", "0.0.0.0:8000", "wsgi:app"]

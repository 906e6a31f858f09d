# SOGOMS: the whole platform in one image, run by sogoctl as PID 1 (it reaps orphans, drains on SIGTERM).
#   docker build -t sogoms .
#   docker compose up            (with MariaDB and Mosquitto: see compose.yaml and docs/deployment.md)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# the package and its console scripts (sogoctl, sogoway, sogoms-*, sogoms) into /usr/local/bin
WORKDIR /opt/sogoms
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install . && rm -rf /opt/sogoms/src /opt/sogoms/build

# the seed's paths, owned by an unprivileged user; /config ships the demo apps (mount your own over it)
COPY config /config
RUN groupadd --system --gid 10001 sogoms \
 && useradd --system --uid 10001 --gid sogoms --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin sogoms \
 && mkdir -p /secrets /run/sogoms /var/log/sogoms /data \
 && chown sogoms:sogoms /secrets /run/sogoms /var/log/sogoms /data \
 && chmod 0700 /secrets

ENV SOGOMS_CONFIG_DIR=/config \
    SOGOMS_SECRETS_DIR=/secrets \
    SOGOMS_RUN_DIR=/run/sogoms \
    SOGOMS_LOG_DIR=/var/log/sogoms \
    SOGOMS_DATA_DIR=/data \
    SOGOWAY_HOST=0.0.0.0 \
    SOGOWAY_PORT=8080 \
    SOGOMS_ADMIN_HOST=0.0.0.0 \
    SOGOMS_ADMIN_PORT=9000 \
    SOGOMS_MAILCATCHER=false \
    SOGOMS_DEVMAILBOX=false

USER sogoms:sogoms
VOLUME ["/secrets", "/var/log/sogoms", "/data"]
EXPOSE 8080 9000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["sogoctl", "status"]
ENTRYPOINT ["sogoctl"]
CMD ["run"]

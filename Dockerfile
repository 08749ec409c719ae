# The auditor as a container image: `docker run IMAGE audit --all-subscriptions …`.
# Base: Debian bookworm slim with CPython 3.11, pinned by exact tag and by the digest of its
# multi-architecture index, so a rebuild gets the same bytes. Dependencies come only from
# requirements.lock (exact versions, every wheel's sha256), never from a resolver.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:65a93d69fa75478d554f4ad27c85c1e69fa184956261b4301ebaf6dbb0a3543d

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
COPY requirements.lock requirements-build.lock /src/
RUN python -m venv /opt/auditor \
    && /opt/auditor/bin/pip install --require-hashes --only-binary=:all: --no-deps -r /src/requirements.lock \
    && python -m pip install --require-hashes --only-binary=:all: --no-deps -r /src/requirements-build.lock
COPY pyproject.toml README.md /src/
COPY auditor /src/auditor
# The wheel is built by the pinned setuptools (no build isolation: nothing is fetched unpinned)
# and installed without dependencies: everything it needs is already there from the lock,
# and `pip check` fails the build if the lock no longer satisfies pyproject.
RUN python -m pip wheel --no-deps --no-build-isolation --wheel-dir /wheels /src \
    && /opt/auditor/bin/pip install --no-deps /wheels/auditor-*.whl \
    && /opt/auditor/bin/pip check

FROM ${PYTHON_IMAGE}
ENV PATH=/opt/auditor/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY --from=build /opt/auditor /opt/auditor
# A fixed, unprivileged user (no login shell, no home writes needed): the audit reads Azure
# and writes only where --output/--save/--store point, e.g. a mounted volume.
RUN groupadd --system --gid 10001 auditor \
    && useradd --system --uid 10001 --gid auditor --no-create-home --shell /usr/sbin/nologin auditor
USER 10001:10001
WORKDIR /tmp
ENTRYPOINT ["auditor"]
CMD ["--help"]

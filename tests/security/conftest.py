"""The security suite reuses the service fixtures (one ingested data dir, an app, keys for every role)."""

from tests.service.conftest import client, keys, service_env, service_rt  # noqa: F401

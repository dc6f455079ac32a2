"""Backend selection and validation of the LLM settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.errors import ConfigError
from agent.llm.config import NO_KEY, resolve, validate_base_url
from tests.conftest import make_settings


def test_unset_means_offline(tmp_path: Path) -> None:
    assert resolve(make_settings(tmp_path)) is None
    assert resolve(make_settings(tmp_path, llm_base_url="http://127.0.0.1:8000/v1")) is None


@pytest.mark.parametrize("url", ["127.0.0.1:8000/v1", "ftp://host/v1", "http:///v1", "http://user:pw@host/v1",
                                 "http://host/v1?key=1", "http://host:99999/v1", "not a url"])
def test_misconfigured_urls_raise_a_clear_error(url: str) -> None:
    with pytest.raises(ConfigError, match="AMIABLE_LLM_BASE_URL"):
        validate_base_url(url)


def test_key_comes_from_amiable_then_openai_env_then_a_dummy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = {"llm_base_url": "http://127.0.0.1:8000/v1/", "llm_model": "m"}
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    cfg = resolve(make_settings(tmp_path, **base))
    assert cfg is not None and cfg.api_key.get_secret_value() == NO_KEY and cfg.base_url.endswith("/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    cfg = resolve(make_settings(tmp_path, **base))
    assert cfg is not None and cfg.api_key.get_secret_value() == "sk-from-env"
    cfg = resolve(make_settings(tmp_path, **base, llm_api_key="sk-amiable"))
    assert cfg is not None and cfg.api_key.get_secret_value() == "sk-amiable"
    assert "sk-amiable" not in repr(cfg)


def test_openai_needs_a_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="key"):
        resolve(make_settings(tmp_path, llm_base_url="https://api.openai.com/v1", llm_model="gpt-4o-mini"))


def test_settings_select_the_llm_composer_without_creating_a_client(loaded_runtime) -> None:  # type: ignore[no-untyped-def]
    from agent.drafting.pipeline import DraftingService
    from agent.llm.composer import LLMComposer
    from agent.runtime import Runtime

    settings = loaded_runtime.settings.model_copy(update={"llm_base_url": "http://127.0.0.1:9/v1",
                                                          "llm_model": "local-model"})
    svc = DraftingService(Runtime(settings))
    assert isinstance(svc.composer, LLMComposer)
    assert svc.composer.backend == "llm:local-model" and svc.composer._model is None
    # the composer's check is the service's fail-closed guard check (the guarded-send gate)
    from agent.drafting.models import DraftRequest

    inp, _ = svc.prepare(DraftRequest(debtor_id="D002", message="Je peux payer 50 euros par mois."))
    for text in ("Bonjour, merci pour votre message.", "Notre huissier passera demain pour la saisie."):
        assert svc.composer.check(text, inp).model_dump(exclude={"timings_ms"}) == \
            svc.check(text, inp).model_dump(exclude={"timings_ms"})
    assert svc.composer.check("Notre huissier passera demain pour la saisie.", inp).blocked

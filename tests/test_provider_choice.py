"""Which provider each setting picks, and what an unknown name or a missing key says."""

from __future__ import annotations

import pytest

from app.config import load_config
from app.providers import ProviderConfigError, build_providers

OFFLINE = {
    **load_config(),
    "LLM_PROVIDER": "offline",
    "EMBEDDINGS_PROVIDER": "offline",
    "VECTOR_STORE": "local",
    "OPENAI_API_KEY": "",
    "PINECONE_API_KEY": "",
}


def test_do_the_offline_names_pick_the_offline_providers():
    providers = build_providers(OFFLINE)
    assert (providers.llm.name, providers.embedder.name, providers.vectors.name) == (
        "offline",
        "offline",
        "local",
    )
    lexical = build_providers({**OFFLINE, "OFFLINE_EMBEDDINGS": "lexical"}).embedder
    assert (lexical.name, lexical.dimensions) == ("offline", OFFLINE["OFFLINE_EMBEDDING_DIMENSIONS"])


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("LLM_PROVIDER", "LLM_PROVIDER must be openai or offline, not 'gpt'"),
        ("EMBEDDINGS_PROVIDER", "EMBEDDINGS_PROVIDER must be openai or offline, not 'gpt'"),
        ("VECTOR_STORE", "VECTOR_STORE must be pinecone or local, not 'gpt'"),
        ("OFFLINE_EMBEDDINGS", "OFFLINE_EMBEDDINGS must be wordllama or lexical, not 'gpt'"),
    ],
)
def test_does_an_unknown_name_say_which_names_exist(setting, message):
    with pytest.raises(ProviderConfigError) as raised:
        build_providers({**OFFLINE, setting: "gpt"})
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("setting", "value", "key"),
    [("LLM_PROVIDER", "openai", "OPENAI_API_KEY"), ("VECTOR_STORE", "pinecone", "PINECONE_API_KEY")],
)
def test_does_a_real_provider_without_its_key_say_so(setting, value, key):
    with pytest.raises(ProviderConfigError) as raised:
        build_providers({**OFFLINE, setting: value})
    assert f"{key} is not set" in str(raised.value)

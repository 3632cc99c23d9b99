"""A lean BERT encoder for scoring: the computation of transformers' `BertModel` in inference (absolute
positions, exact GELU, LayerNorm after each block, no dropout), with the same parameter names, in plain torch.

Importing transformers' modeling code takes about 1.4 s here (it pulls in torch.distributed, dynamo and
sympy), more than reading the weights; scoring starts that much sooner without it. Only loading for
inference uses it (`stance.model.load_classifier`), and only for checkpoints it fits (`fits`); training
and every other architecture use transformers' model. A test checks both give the same hidden states.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

WEIGHTS_FILE = "model.safetensors"


def fits(config) -> bool:
    """Whether a backbone's (transformers) config describes the model this module computes."""
    return (config.model_type == "bert" and getattr(config, "position_embedding_type", "absolute") == "absolute"
            and config.hidden_act == "gelu" and not getattr(config, "is_decoder", False))


def rows_at(hidden: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
    """hidden[b, positions[b, j]] for every b, j: [batch, k, width]."""
    return hidden[torch.arange(hidden.size(0), device=hidden.device)[:, None], positions]


@dataclass
class EncoderOutput:
    last_hidden_state: torch.Tensor


class Embeddings(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.size(1), device=input_ids.device)
        summed = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        return self.LayerNorm(summed + self.position_embeddings(positions))


class SelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.heads = config.num_attention_heads
        self.query = nn.Linear(config.hidden_size, config.hidden_size)
        self.key = nn.Linear(config.hidden_size, config.hidden_size)
        self.value = nn.Linear(config.hidden_size, config.hidden_size)

    def forward(self, hidden: torch.Tensor, keep: torch.Tensor | None, queries: torch.Tensor | None) -> torch.Tensor:
        batch, _, width = hidden.shape

        def split(projected: torch.Tensor) -> torch.Tensor:
            return projected.view(batch, -1, self.heads, width // self.heads).transpose(1, 2)

        asking = hidden if queries is None else rows_at(hidden, queries)
        attended = F.scaled_dot_product_attention(split(self.query(asking)), split(self.key(hidden)),
                                                  split(self.value(hidden)), attn_mask=keep)
        return attended.transpose(1, 2).reshape(batch, -1, width)


class Projection(nn.Module):
    """dense, then LayerNorm of (result + residual): BERT's `*.output` blocks."""

    def __init__(self, width_in: int, config):
        super().__init__()
        self.dense = nn.Linear(width_in, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)

    def forward(self, hidden: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dense(hidden) + residual)


class Attention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.self = SelfAttention(config)
        self.output = Projection(config.hidden_size, config)

    def forward(self, hidden: torch.Tensor, keep: torch.Tensor | None, queries: torch.Tensor | None) -> torch.Tensor:
        residual = hidden if queries is None else rows_at(hidden, queries)
        return self.output(self.self(hidden, keep, queries), residual)


class Intermediate(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.intermediate_size)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return F.gelu(self.dense(hidden))


class Layer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attention = Attention(config)
        self.intermediate = Intermediate(config)
        self.output = Projection(config.intermediate_size, config)

    def forward(self, hidden: torch.Tensor, keep: torch.Tensor | None, queries: torch.Tensor | None = None) -> torch.Tensor:
        """The layer's output at every position, or only at `queries` ([batch, k] positions; attending to all)."""
        attended = self.attention(hidden, keep, queries)
        return self.output(self.intermediate(attended), attended)


class Encoder(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.layer = nn.ModuleList(Layer(config) for _ in range(config.num_hidden_layers))


class BertEncoder(nn.Module):
    """`BertModel` without its pooler, for inference; `forward` returns `.last_hidden_state` as it does."""

    def __init__(self, config):
        super().__init__()
        if not fits(config):
            raise ValueError(f"{type(self).__name__} computes absolute-position GELU BERT, not this config")
        self.config = config
        self.embeddings = Embeddings(config)
        self.encoder = Encoder(config)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None,
                token_type_ids: torch.Tensor | None = None, positions: torch.Tensor | None = None) -> EncoderOutput:
        """Hidden states of the last layer: at every position, or only at `positions` ([batch, k]), which
        the last layer then computes for those rows alone (a classifier that reads 2 of some 40 positions
        spares most of that layer: about a seventh of a 6-layer model's work)."""
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        hidden = self.embeddings(input_ids, token_type_ids)
        keep = None if attention_mask is None else attention_mask[:, None, None, :].bool()
        *layers, last = self.encoder.layer
        for layer in layers:
            hidden = layer(hidden, keep)
        return EncoderOutput(last(hidden, keep, positions))

    @classmethod
    def from_pretrained(cls, path: str | Path, config) -> BertEncoder | None:
        """The encoder with a checkpoint's weights (`model.safetensors`; a "bert." prefix is dropped),
        or None where the checkpoint does not fit: another layout, or weights it lacks."""
        from safetensors.torch import load_file

        weights = Path(path) / WEIGHTS_FILE
        if not fits(config) or not weights.is_file():
            return None
        state = {name.removeprefix("bert."): tensor for name, tensor in load_file(str(weights)).items()}
        encoder = cls(config)
        needed = encoder.state_dict()  # the rest (pooler, position_ids, an MLM head) is never read
        if set(needed) - set(state):
            return None
        encoder.load_state_dict({name: state[name] for name in needed})
        return encoder.eval()

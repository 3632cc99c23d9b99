"""`StancePipeline`: text in, plain data out (claims, their actors and stances, per-actor aggregates).

    from stance import StancePipeline
    pipe = StancePipeline.load("models/default")
    result = pipe("Putin failed. Aliyev won.")           # one document
    for result in pipe.score_many(texts_or_id_text_pairs):  # many, in batches
        ...

The model and spaCy are loaded once; documents are parsed with `nlp.pipe` and the pairs of a whole batch
of documents go through the model together (length-sorted, dynamically padded; `stance.predict`), while
the next batches are being parsed.
"""
from __future__ import annotations

import time
import warnings
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import torch
from omegaconf import DictConfig

from stance.score.aggregate import aggregate_actors, pair_score
from stance.analyse import DocumentAnalyser
from stance.model.classifier import LoadedModel, load_classifier, native_bf16
from stance.model.predict import predict_proba
from stance.types import ClaimActors, PairExample, Span

DocumentInput = tuple[str, str, list[ClaimActors] | None]  # (doc_id, text, given claims or None)


@dataclass
class ScoringError:
    """A document that could not be scored, and why (one line)."""

    doc_id: str
    problem: str


def default_group(group: str) -> DictConfig:
    """The `actors` or `segment` group exactly as `python -m stance.score` composes it."""
    from stance.config import compose

    return compose("score")[group]


def pair_examples(doc_id: str, claim_actors: list[ClaimActors]) -> list[PairExample]:
    """One example per (claim, actor): the claim's text with every mention of the actor marked."""
    examples = []
    for item in claim_actors:
        claim = item.claim
        for actor, mentions in item.actors().items():
            spans = [Span(m.start - claim.start, m.end - claim.start) for m in mentions]
            examples.append(PairExample(claim.text, spans, actor=actor, pair_id=f"{doc_id}/{claim.claim_id}/{actor}"))
    return examples


def flatten_pairs(result: dict) -> list[dict]:
    """The pair rows of one scored document (the rows of pairs.jsonl)."""
    return [
        {"doc_id": result["doc_id"], "claim_id": c["claim_id"], "start": c["start"], "end": c["end"],
         "text": c["text"], **actor}
        for c in result["claims"] for actor in c["actors"]
    ]


class StancePipeline:
    """Claim splitting, actor detection and stance scoring behind one call."""

    def __init__(self, loaded: LoadedModel, analyser: DocumentAnalyser, batch_size: int = 64,
                 neutral_band: float = 0.15, model_dir: str | None = None, precision: str = "float32",
                 threads: int | None = None):
        missing = {"against", "favor"} - set(loaded.labels)
        if missing:
            raise ValueError(f"model labels {loaded.labels} lack {sorted(missing)}; scores need against and favor")
        self.loaded, self.analyser = loaded, analyser
        self.batch_size, self.neutral_band, self.model_dir = batch_size, neutral_band, model_dir
        self.precision = precision  # float32 | bf16 | int8: how the model computes
        self.threads = threads or torch.get_num_threads()  # torch CPU threads the model may use
        self.analysing = False  # spaCy is at work beside the model (`score_batches`)
        # Seconds spent so far in claim/actor analysis (spaCy and rules) and in the model, to show where time goes.
        self.seconds = {"analysis": 0.0, "model": 0.0}

    @classmethod
    def load(cls, model_dir: str | Path, actors_cfg: Mapping | DictConfig | None = None,
             segment_cfg: Mapping | DictConfig | None = None, quantize: bool = False, batch_size: int = 64,
             neutral_band: float = 0.15, bf16: bool | None = None, threads: int | None = None) -> StancePipeline:
        """Load the model once, optionally dynamic-int8 `quantize`d or in bfloat16; default actors/segment
        configs when None. `bf16=None` means bfloat16 where the CPU has it natively, float32 elsewhere.
        `threads`: torch CPU threads for the model (None: torch's default, one per core)."""
        if bf16 is None:
            bf16 = not quantize and native_bf16()
        if quantize and bf16:
            raise ValueError("quantize and bf16 exclude each other (int8 quantization works on the float32 model)")
        actors_cfg = default_group("actors") if actors_cfg is None else actors_cfg
        segment_cfg = default_group("segment") if segment_cfg is None else segment_cfg
        loaded = load_classifier(model_dir, quantize=quantize)
        if bf16:
            if not native_bf16():
                warnings.warn("this CPU has no native bfloat16 support: bf16=true is slower than float32 here",
                              stacklevel=2)
            loaded.model.to(torch.bfloat16)
        precision = "int8" if quantize else "bf16" if bf16 else "float32"
        return cls(loaded, DocumentAnalyser.from_config(segment_cfg, actors_cfg), batch_size, neutral_band,
                   str(model_dir), precision, threads)

    def __call__(self, text: str, doc_id: str = "0") -> dict:
        """Score one document; raises ValueError when it cannot be scored."""
        (result,) = self.score_batch([(doc_id, text, None)])
        if isinstance(result, dict):
            return result
        raise ValueError(f"{doc_id}: {result.problem}")

    def score_many(self, items: Iterable[str | tuple[str, str]], doc_batch_size: int = 32) -> Iterator[dict]:
        """Results in input order, batch by batch; ids are the given ones or the running index.

        A document that cannot be scored yields {"doc_id", "error"} instead of stopping the stream."""
        numbered = ((str(i), item) if isinstance(item, str) else (str(item[0]), item[1]) for i, item in enumerate(items))
        batches = iter(lambda: [(doc_id, text, None) for doc_id, text in islice(numbered, doc_batch_size)], [])
        for results in self.score_batches(batches):
            for result in results:
                yield {"doc_id": result.doc_id, "error": result.problem} if isinstance(result, ScoringError) else result

    def score_batches(self, batches: Iterable[list[DocumentInput]],
                      batches_ahead: int = 8) -> Iterator[list[dict | ScoringError]]:
        """`score_batch` over many batches, results in order, each as soon as it is scored.

        spaCy analyses the batches on this thread, up to `batches_ahead` ahead of the model, which scores
        them on a worker thread (torch releases the GIL). While spaCy works the model takes one thread
        fewer (`model_threads`), so the two never ask for more cores than there are; while spaCy waits,
        and once it is done, the model has them all."""
        pending: deque[Future] = deque()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="stance-model") as model_thread:
            for batch in batches:
                self.analysing = True
                try:
                    analysed = self.analyse_batch(batch)
                finally:
                    self.analysing = False
                pending.append(model_thread.submit(self.score_analysed, analysed))
                while pending and (pending[0].done() or len(pending) > batches_ahead):
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

    def model_threads(self) -> int:
        """Torch threads for the next model batch: all of `threads`, less one while spaCy is at work."""
        return max(1, self.threads - 1) if self.analysing else self.threads

    def score_batch(self, docs: list[DocumentInput]) -> list[dict | ScoringError]:
        """Score (doc_id, text, given claims or None) together; given claims skip splitting and detection."""
        return self.score_analysed(self.analyse_batch(docs))

    def analyse_batch(self, docs: list[DocumentInput]) -> list[tuple[str, list[ClaimActors]] | ScoringError]:
        """Stage 1: each document's claims and their actors (spaCy, in one `nlp.pipe`), or why it has none."""
        started = time.perf_counter()
        analysed: list[tuple[str, list[ClaimActors]] | ScoringError | None] = [None] * len(docs)
        to_parse = []
        for i, (doc_id, text, given) in enumerate(docs):
            problem = None if given is not None else self.analyser.too_long(text)
            if problem:
                analysed[i] = ScoringError(doc_id, problem)
            elif given is not None:
                analysed[i] = (doc_id, given)
            else:
                to_parse.append(i)
        for i, claims in zip(to_parse, self.analyser([docs[i][1] for i in to_parse])):
            analysed[i] = (docs[i][0], claims)
        self.seconds["analysis"] += time.perf_counter() - started
        return analysed

    def score_analysed(self, analysed: list[tuple[str, list[ClaimActors]] | ScoringError]) -> list[dict | ScoringError]:
        """Stage 2: every (claim, actor) pair of the batch through the model together."""
        started = time.perf_counter()
        ready = [i for i, item in enumerate(analysed) if not isinstance(item, ScoringError)]
        results: list[dict | ScoringError] = list(analysed)
        for i, result in zip(ready, self._score([analysed[i] for i in ready])):
            results[i] = result
        self.seconds["model"] += time.perf_counter() - started
        return results

    def _score(self, docs: list[tuple[str, list[ClaimActors]]]) -> list[dict | ScoringError]:
        examples = [pair_examples(doc_id, claims) for doc_id, claims in docs]
        flat = [example for group in examples for example in group]
        try:
            prediction = predict_proba(self.loaded, flat, self.batch_size, threads=self.model_threads)
        except ValueError as error:
            if len(docs) == 1:
                return [ScoringError(docs[0][0], f"cannot encode a pair: {error}")]
            return [result for doc in docs for result in self._score([doc])]  # find the document at fault
        results, cursor = [], 0
        for (doc_id, claims), group in zip(docs, examples):
            n = len(group)
            results.append(self._document(doc_id, claims, prediction.probs[cursor : cursor + n],
                                          prediction.windowed[cursor : cursor + n]))
            cursor += n
        return results

    def _document(self, doc_id: str, claim_actors: list[ClaimActors], probs, windowed: list[bool]) -> dict:
        labels, cursor, claims = self.loaded.labels, 0, []
        for item in claim_actors:
            actors = []
            for actor, mentions in item.actors().items():
                p = {label: float(v) for label, v in zip(labels, probs[cursor])}
                actors.append({
                    "actor": actor, "kind": mentions[0].kind,
                    "mentions": [{"text": m.text, "start": m.start, "end": m.end, "source": m.source} for m in mentions],
                    "label": labels[int(probs[cursor].argmax())],
                    "probs": {label: round(v, 4) for label, v in p.items()},
                    "score": round(pair_score(p), 4),
                    "windowed": bool(windowed[cursor]),
                })
                cursor += 1
            c = item.claim
            claims.append({"claim_id": c.claim_id, "start": c.start, "end": c.end, "text": c.text, "actors": actors})
        result = {"doc_id": doc_id, "claims": claims}
        aggregates = aggregate_actors(flatten_pairs(result), self.neutral_band)
        result["actors"] = [{k: v for k, v in row.items() if k != "doc_id"} for row in aggregates]
        return result

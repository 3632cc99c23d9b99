"""`StancePipeline`: text in, typed results out (claims, their actors and stances, per-actor aggregates).

    from stance import StancePipeline, StanceError
    pipe = StancePipeline.load("models/default", extra_actors=["mine.yaml"])
    result = pipe("Putin failed. Aliyev won.")           # one document: a DocumentResult
    for result in pipe.score_many(texts_or_id_text_pairs):  # many, in batches
        ...
    pipe.score_pairs([("Lula deserves credit.", "Lula")])   # given targets: PairStance each

Results are dataclasses (stance.score.results); every failure is a `StanceError`. The CLI and scale-out
engines use the plain-dict stages underneath (`score_batch`, `score_batches`, `score_analysed`).

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
from omegaconf import DictConfig, OmegaConf

from stance.analyse import DocumentAnalyser
from stance.analyse.actor_files import merge_actor_files
from stance.config import ActorsConfig
from stance.model.classifier import LoadedModel, load_classifier, native_bf16
from stance.model.predict import Prediction, predict_proba
from stance.score.aggregate import aggregate_actors, pair_score
from stance.score.given import score_given_pairs
from stance.score.results import DocumentResult, PairStance, StanceError
from stance.types import ClaimActors, Mention, PairExample, Span

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


@dataclass
class Pair:
    """One model input of a document, built once: a (claim, actor) pair, or a claim without actors that is
    read for its sentiment only (`actor` None, no spans)."""

    claim: ClaimActors
    actor: str | None
    mentions: list[Mention]
    example: PairExample


def document_pairs(doc_id: str, claim_actors: list[ClaimActors], sentiment_only_claims: bool = False) -> list[Pair]:
    """Every (claim, actor) of a document: the claim's text with every mention of the actor marked; claims
    without actors too when asked."""
    pairs = []
    for item in claim_actors:
        claim = item.claim
        grouped = item.actors()
        for actor, mentions in grouped.items():
            spans = [Span(m.start - claim.start, m.end - claim.start) for m in mentions]
            example = PairExample(claim.text, spans, actor=actor, pair_id=f"{doc_id}/{claim.claim_id}/{actor}")
            pairs.append(Pair(item, actor, mentions, example))
        if not grouped and sentiment_only_claims:
            pairs.append(Pair(item, None, [], PairExample(claim.text, [], pair_id=f"{doc_id}/{claim.claim_id}")))
    return pairs


def flatten_pairs(result: dict) -> list[dict]:
    """The pair rows of one scored document (the rows of pairs.jsonl)."""
    return [
        {"doc_id": result["doc_id"], "claim_id": c["claim_id"], "start": c["start"], "end": c["end"],
         "text": c["text"], **actor}
        for c in result["claims"] for actor in c["actors"]
    ]


def analyse_documents(analyser: DocumentAnalyser,
                      docs: list[DocumentInput]) -> list[tuple[str, list[ClaimActors]] | ScoringError]:
    """Each document's claims and their actors (spaCy, in one `nlp.pipe`), or why it has none; given claims
    pass through. A function of its own so that a scale-out engine runs it without loading the model."""
    analysed: list[tuple[str, list[ClaimActors]] | ScoringError | None] = [None] * len(docs)
    to_parse = []
    for i, (doc_id, text, given) in enumerate(docs):
        problem = None if given is not None else analyser.too_long(text)
        if problem:
            analysed[i] = ScoringError(doc_id, problem)
        elif given is not None:
            analysed[i] = (doc_id, given)
        else:
            to_parse.append(i)
    for i, claims in zip(to_parse, analyser([docs[i][1] for i in to_parse])):
        analysed[i] = (docs[i][0], claims)
    return analysed


class StancePipeline:
    """Claim splitting, actor detection and stance scoring behind one call.

    Thread safety: a pipeline is not safe to call from several threads at once (spaCy's pipeline and the
    model's torch thread setting are shared state; `score_many` already runs spaCy and the model side by side
    on two threads of its own). Give each thread its own pipeline, or hold a lock around calls."""

    def __init__(self, loaded: LoadedModel, analyser: DocumentAnalyser, batch_size: int = 64,
                 model_dir: str | None = None, precision: str = "float32", threads: int | None = None):
        missing = {"against", "favor"} - set(loaded.labels)
        if missing:
            raise ValueError(f"model labels {loaded.labels} lack {sorted(missing)}; scores need against and favor")
        self.loaded, self.analyser = loaded, analyser
        self.batch_size, self.model_dir = batch_size, model_dir
        self.precision = precision  # float32 | bf16: how the model computes
        self.threads = threads or torch.get_num_threads()  # torch CPU threads the model may use
        self.analysing = False  # spaCy is at work beside the model (`score_batches`)
        # Seconds spent so far in claim/actor analysis (spaCy and rules) and in the model, to show where time goes.
        self.seconds = {"analysis": 0.0, "model": 0.0}

    @classmethod
    def load(cls, model_dir: str | Path, actors_cfg: Mapping | DictConfig | None = None,
             segment_cfg: Mapping | DictConfig | None = None, batch_size: int = 64,
             bf16: bool | None = None, threads: int | None = None, analyser: bool = True,
             extra_actors: Iterable[str | Path] = ()) -> StancePipeline:
        """Load the model once, in float32 or bfloat16; default actors/segment configs when None.
        `bf16=None` means bfloat16 where the CPU has it natively, float32 elsewhere.
        `threads`: torch CPU threads for the model (None: torch's default, one per core).
        `analyser=False` skips loading spaCy, for a process that only runs `score_analysed`.
        `extra_actors`: registry files merged over the actors (as `actors_file=` does). StanceError on failure."""
        try:
            return cls._load(model_dir, actors_cfg, segment_cfg, batch_size, bf16, threads, analyser, extra_actors)
        except StanceError:
            raise
        except Exception as error:  # a missing or altered model, a registry that cannot be used: one line
            text = error.args[0] if error.args and isinstance(error.args[0], str) else str(error)
            raise StanceError(text.splitlines()[0] if text else f"{model_dir}: {type(error).__name__}") from error

    @classmethod
    def _load(cls, model_dir, actors_cfg, segment_cfg, batch_size, bf16, threads, analyser, extra_actors) -> StancePipeline:
        if bf16 is None:
            bf16 = native_bf16()
        actors_cfg = default_group("actors") if actors_cfg is None else actors_cfg
        if extra_actors:
            base = actors_cfg if isinstance(actors_cfg, DictConfig) else \
                OmegaConf.merge(OmegaConf.structured(ActorsConfig), dict(actors_cfg))
            actors_cfg = merge_actor_files(base, [str(path) for path in extra_actors])
        segment_cfg = default_group("segment") if segment_cfg is None else segment_cfg
        loaded = load_classifier(model_dir)
        if bf16:
            if not native_bf16():
                warnings.warn("this CPU has no native bfloat16 support: bf16=true is slower than float32 here",
                              stacklevel=2)
            loaded.model.to(torch.bfloat16)
        precision = "bf16" if bf16 else "float32"
        return cls(loaded, DocumentAnalyser.from_config(segment_cfg, actors_cfg) if analyser else None, batch_size,
                   str(model_dir), precision, threads)

    def __call__(self, text: str, doc_id: str = "0") -> DocumentResult:
        """Score one document; raises StanceError when it cannot be scored."""
        (result,) = self.score_batch([(doc_id, text, None)])
        if isinstance(result, dict):
            return DocumentResult.from_dict(result)
        raise StanceError(f"{doc_id}: {result.problem}")

    def score_many(self, items: Iterable[str | tuple[str, str]], doc_batch_size: int = 32) -> Iterator[DocumentResult]:
        """Results in input order, batch by batch; ids are the given ones or the running index.

        A document that cannot be scored yields a DocumentResult with `error` set instead of stopping the stream."""
        numbered = ((str(i), item) if isinstance(item, str) else (str(item[0]), item[1]) for i, item in enumerate(items))
        batches = iter(lambda: [(doc_id, text, None) for doc_id, text in islice(numbered, doc_batch_size)], [])
        for results in self.score_batches(batches):
            for result in results:
                yield DocumentResult(result.doc_id, error=result.problem) if isinstance(result, ScoringError) \
                    else DocumentResult.from_dict(result)

    def score_pairs(self, pairs: Iterable[tuple]) -> list[PairStance]:
        """The stance toward given targets: (text, target) or (text, target, actor), the target a string found in
        the text (every occurrence) or a list of (start, end); no claim splitting, no actor detection."""
        return score_given_pairs(self.loaded, pairs, self.batch_size)

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
        analysed = analyse_documents(self.analyser, docs)
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
        pairs = [document_pairs(doc_id, claims, bool(self.loaded.sentiment_labels))
                 for doc_id, claims in docs]
        flat = [pair.example for group in pairs for pair in group]
        threads_before = torch.get_num_threads()
        try:
            prediction = predict_proba(self.loaded, flat, self.batch_size, threads=self.model_threads)
        except ValueError as error:
            if len(docs) == 1:
                return [ScoringError(docs[0][0], f"cannot encode a pair: {error}")]
            return [result for doc in docs for result in self._score([doc])]  # find the document at fault
        finally:
            torch.set_num_threads(threads_before)  # the calling thread keeps its own setting
        rows = iter(range(len(flat)))
        return [self._document(doc_id, claims, [(pair, next(rows)) for pair in group], prediction)
                for (doc_id, claims), group in zip(docs, pairs)]

    def _document(self, doc_id: str, claim_actors: list[ClaimActors], pairs: list[tuple[Pair, int]],
                  prediction: Prediction) -> dict:
        """The document's result from its pairs and their rows in `prediction`."""
        labels, by_claim = self.loaded.labels, {}
        for pair, row in pairs:
            by_claim.setdefault(pair.claim.claim.claim_id, []).append((pair, row))
        claims, sentiment_windowed = [], 0
        for item in claim_actors:
            actors, rows = [], []
            for pair, row in by_claim.get(item.claim.claim_id, []):
                rows.append(row)
                if pair.actor is None:  # a claim without actors, read for its sentiment only
                    sentiment_windowed += bool(prediction.windowed[row])
                    continue
                p = {label: float(v) for label, v in zip(labels, prediction.probs[row])}
                actors.append({
                    "actor": pair.actor, "kind": pair.mentions[0].kind,
                    "mentions": [{"text": m.text, "start": m.start, "end": m.end, "source": m.source}
                                 for m in pair.mentions],
                    "label": labels[int(prediction.probs[row].argmax())],
                    "probs": {label: round(v, 4) for label, v in p.items()},
                    "score": round(pair_score(p), 4),
                    "windowed": bool(prediction.windowed[row]),
                    # a column of the removed context option (model.context), kept so that the rows read as before
                    "context_cut": False,
                })
            c = item.claim
            claim = {"claim_id": c.claim_id, "start": c.start, "end": c.end, "text": c.text, "actors": actors,
                     "long_part": c.long_part}  # 1, 2, ...: a piece of an over-long sentence
            claim.update(self._sentiment(prediction, rows))
            claims.append(claim)
        result = {"doc_id": doc_id, "claims": claims, "sentiment_windowed": sentiment_windowed}
        aggregates = aggregate_actors(flatten_pairs(result))
        result["actors"] = [{k: v for k, v in row.items() if k != "doc_id"} for row in aggregates]
        return result

    def _sentiment(self, prediction: Prediction, rows: list[int]) -> dict:
        """A claim's sentiment: the mean of its inputs' sentiment probabilities (none without a sentiment head)."""
        if prediction.sentiment_probs is None or not rows:
            return {}
        mean = prediction.sentiment_probs[rows].mean(axis=0)
        names = self.loaded.sentiment_labels
        return {"sentiment": names[int(mean.argmax())],
                "sentiment_probs": {name: round(float(v), 4) for name, v in zip(names, mean)}}

"""Actor detection on the commentary set, overall and for the actors the registry does not know.

    python scripts/figures/measure_actors.py [--gold data/commentary/test.jsonl] [--documents data/commentary/test]
                                     [--registry FILE.yaml] [--json OUT.json] [--show 15] [extract overrides ...]

Pairs are counted as scripts/figures/measure_extraction.py counts them (stance.evaluate.matching.detect_pairs): a gold
(claim, actor) pair is found when a predicted mention in an overlapping claim overlaps one of its mentions;
a predicted pair is correct when one of its mentions overlaps a gold mention of that claim; "+ name" also
needs the same canonical actor name. "Unknown to the registry": gold pairs whose actor is no registry actor
and no alias of one (recall), and predicted pairs whose actor is no registry actor (NER discoveries: precision).
`--registry FILE` replaces the actors group by FILE (e.g. an older conf/actors/default.yaml) to compare.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from omegaconf import OmegaConf, open_dict

from stance.analyse import DocumentAnalyser
from stance.analyse.registry import ActorRegistry
from stance.config import REPO_ROOT, ActorsConfig, compose
from stance.data.validate import strict_gold_rows
from stance.evaluate.matching import detect_pairs, gold_pair_spans, predicted_pair_spans
from stance.textfile import decode_text


def ratio(hits: int, total: int) -> float | None:
    return round(hits / total, 3) if total else None


def measure(rows: list[dict], documents: Path, cfg) -> dict:
    analyser = DocumentAnalyser.from_config(cfg.segment, cfg.actors)
    registry = ActorRegistry.from_config(cfg.actors)
    by_doc: dict[str, list[dict]] = {}
    for row in rows:
        if row["actor"] is not None:
            by_doc.setdefault(row["doc_id"], []).append(row)
    doc_ids = sorted(by_doc)
    texts = [decode_text((documents / f"{doc_id}.txt").read_bytes()) for doc_id in doc_ids]
    tallies = {key: Counter() for key in ("all", "unknown")}
    missed_unknown, spurious_unknown, unknown_names = Counter(), Counter(), set()
    for doc_id, items in zip(doc_ids, analyser(texts)):
        gold, predicted = gold_pair_spans(by_doc[doc_id]), predicted_pair_spans(items)
        unknown_gold = [registry.lookup(g.actor) is None and g.actor not in registry for g in gold]
        unknown_predicted = [p.actor not in registry for p in predicted]
        unknown_names |= {g.actor for g, unknown in zip(gold, unknown_gold) if unknown}
        for suffix, same_actor in (("", False), ("+name", True)):
            detection = detect_pairs(gold, predicted, same_actor)
            for key, gold_mask, predicted_mask in (("all", [True] * len(gold), [True] * len(predicted)),
                                                   ("unknown", unknown_gold, unknown_predicted)):
                tally = tallies[key]
                if not same_actor:
                    tally["gold"] += sum(gold_mask)
                    tally["predicted"] += sum(predicted_mask)
                tally["found" + suffix] += sum(f for f, m in zip(detection.found, gold_mask) if m)
                tally["correct" + suffix] += sum(c for c, m in zip(detection.correct, predicted_mask) if m)
            if same_actor:
                missed_unknown.update(g.actor for g, f, u in zip(gold, detection.found, unknown_gold) if u and not f)
                spurious_unknown.update(p.actor for p, c, u in zip(predicted, detection.correct, unknown_predicted)
                                        if u and not c)
    result = {}
    for key, tally in tallies.items():
        gold = tally["gold"]
        result[key] = {"gold_pairs": gold, "predicted_pairs": tally["predicted"],
                       "recall": ratio(tally["found"], gold), "precision": ratio(tally["correct"], tally["predicted"]),
                       "recall_name": ratio(tally["found+name"], gold),
                       "precision_name": ratio(tally["correct+name"], tally["predicted"])}
    result["unknown"]["actors"] = len(unknown_names)
    result["documents"] = len(doc_ids)
    result["registry_actors"] = len(registry)
    result["missed_unknown"] = missed_unknown.most_common()
    result["spurious_unknown"] = spurious_unknown.most_common()
    return result


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=REPO_ROOT / "data/commentary/test.jsonl")
    parser.add_argument("--documents", type=Path, help="default: the gold file's path without .jsonl")
    parser.add_argument("--registry", type=Path, help="use this actors group file instead of the configured one")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--show", type=int, default=15, help="missed / spurious unknown actors listed")
    argv = sys.argv[1:] if argv is None else argv
    overrides = [arg for arg in argv if "=" in arg and not arg.startswith("-")]
    args = parser.parse_args([arg for arg in argv if arg not in overrides])
    cfg = compose("extract", overrides)
    if args.registry:
        with open_dict(cfg):
            own = [o.split(".", 1)[1] for o in overrides if o.startswith("actors.")]  # still apply actors.* overrides
            cfg.actors = OmegaConf.merge(OmegaConf.structured(ActorsConfig), OmegaConf.load(args.registry),
                                         OmegaConf.from_dotlist(own))
    documents = args.documents or args.gold.with_suffix("")
    try:
        rows = strict_gold_rows(args.gold, documents)  # the validator's reader and checks
    except ValueError as error:
        sys.exit(str(error))
    result = measure(rows, documents, cfg)
    for key, title in (("all", "all actors"), ("unknown", "actors the registry does not know")):
        r = result[key]
        print(f"{title}: recall {r['recall']} ({r['recall_name']} with the same name) of {r['gold_pairs']} gold pairs; "
              f"precision {r['precision']} ({r['precision_name']} with the same name) of {r['predicted_pairs']} "
              "predicted pairs")
    print(f"{result['unknown']['actors']} gold actors unknown to the registry ({result['registry_actors']} actors), "
          f"{result['documents']} documents")
    print("missed (unknown, + name):", ", ".join(f"{a} {n}" for a, n in result["missed_unknown"][:args.show]))
    print("spurious (discovered, + name):", ", ".join(f"{a} {n}" for a, n in result["spurious_unknown"][:args.show]))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return result


if __name__ == "__main__":
    main()

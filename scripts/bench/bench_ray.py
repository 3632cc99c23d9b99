"""`scripts/bench/bench_score.py --engine ray`: the local engine and the Ray engine on the same corpus and on the
seed document, each the whole command in a fresh process, with the command's default precision.

Measures, on this machine: pairs/s of both engines; Ray's start-up overhead (a one-document input through
both engines, and the Ray run's own split: ray.init, reading, first block); whether the rows agree
(same (document, claim, actor) rows and labels, largest score difference); and what a cluster estimate
needs: one model actor's pairs per busy second, claims/actors pairs per busy CPU-second, and the driver's
own capacity for reading (documents/s) and for writing results (pairs/s). The estimate that follows from
them is printed as an estimate.
"""
from __future__ import annotations

import json
import os
import pickle
import shutil
import time
from pathlib import Path


def bench_engines(args, work: Path, corpus: Path, run_command, write_jsonl) -> dict:
    """Both engines on the corpus, on one document and on the seed; bench.json in `work`; returns the report."""
    from stance.score.outputs.shards import read_pairs

    common = [f"model_dir={args.model_dir}", f"batch_size={args.batch_size}", "view=false"]
    if args.threads:
        common.append(f"threads={args.threads}")
    ray_options = ["engine=ray", f"ray.threads_per_actor={args.ray_threads}",
                   f"ray.num_model_actors={args.ray_actors}"]
    one_doc = write_jsonl(work / "one_doc.jsonl", [json.loads(corpus.read_text(encoding="utf-8").splitlines()[0])])
    runs = {}
    for name, extra in (("local", []), ("ray", ray_options)):
        for data, path in (("corpus", corpus), ("one_doc", one_doc), ("seed", Path(args.seed_text))):
            out = work / f"{name}_{data}"
            runs[(name, data)] = run_command([*common, *extra, f"input={path}", f"output={out}"],
                                             work / f"{name}_{data}.log")
    report = {"settings": {"docs": args.docs, "seed": args.seed, "batch_size": args.batch_size,
                           "ray_actors": args.ray_actors, "ray_threads_per_actor": args.ray_threads},
              "machine": {"cpus": os.cpu_count(), "load_avg_1min_at_end": round(os.getloadavg()[0], 2)}}
    for name in ("local", "ray"):
        run, summary = runs[(name, "corpus")], runs[(name, "corpus")]["summary"]
        report[name] = {"precision": summary["model"]["precision"], "wall_s": round(run["wall_s"], 2),
                        "pairs": summary["counts"]["pairs"], "documents": summary["counts"]["documents"],
                        "pairs_per_s": round(summary["counts"]["pairs"] / run["wall_s"], 1),
                        "peak_rss_mb_driver": round(run["peak_rss_mb"], 1), "this_run": summary["this_run"],
                        "one_doc_wall_s": round(runs[(name, "one_doc")]["wall_s"], 2),
                        "load_avg_1min_before": round(run["load_avg_1min_before"], 2)}
    report["ray_startup_overhead_s"] = round(report["ray"]["one_doc_wall_s"] - report["local"]["one_doc_wall_s"], 2)
    report["agreement"] = {data: agreement(read_pairs(runs[("local", data)]["out"]), read_pairs(runs[("ray", data)]["out"]))
                           for data in ("corpus", "seed")}
    report["driver"] = driver_capacity(corpus, read_pairs(runs[("ray", "corpus")]["out"]), work)
    report["estimate"] = cluster_estimate(report)
    (work / "bench_engines.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print_report(report, work)
    return report


def agreement(local: list[dict], ray: list[dict]) -> dict:
    key = lambda r: (r["doc_id"], r["claim_id"], r["actor"])
    a, b = {key(r): r for r in local}, {key(r): r for r in ray}
    same_keys = a.keys() == b.keys() and len(a) == len(local) and len(b) == len(ray)
    shared = a.keys() & b.keys()
    return {"rows_local": len(local), "rows_ray": len(ray), "same_rows": same_keys,
            "same_label": round(sum(a[k]["label"] == b[k]["label"] for k in shared) / max(len(shared), 1), 4),
            "max_score_diff": round(max((abs(a[k]["score"] - b[k]["score"]) for k in shared), default=0.0), 4)}


def driver_capacity(corpus: Path, rows: list[dict], work: Path, copies: int = 100) -> dict:
    """What the Ray driver does itself, timed on this machine: reading and checking documents (and pickling
    them for the object store), and writing results (rows to Parquet shards, then done lines)."""
    from stance.score.inputs import InputSpec, read_inputs
    from stance.score.outputs.shards import ShardStore

    big = work / "driver_corpus.jsonl"
    lines = corpus.read_text(encoding="utf-8").splitlines()
    with big.open("w", encoding="utf-8") as handle:
        for copy in range(copies):
            for line in lines:
                record = json.loads(line)
                handle.write(json.dumps({**record, "id": f"{record['id']}-{copy}"}) + "\n")
    started = time.perf_counter()
    documents = sum(len(pickle.dumps(d)) > 0 for d in read_inputs(InputSpec(str(big))))
    read_s = time.perf_counter() - started
    by_doc: dict[str, list[dict]] = {}
    for row in rows:
        by_doc.setdefault(row["doc_id"], []).append(row)
    finished = [({"doc_id": f"{doc_id}-{copy}", "pairs": len(doc_rows)}, [{**r, "doc_id": f"{doc_id}-{copy}"}
                                                                          for r in doc_rows])
                for copy in range(copies // 10) for doc_id, doc_rows in by_doc.items()]
    store = ShardStore(work / "driver_store", {"bench": True}, overwrite=True)
    started = time.perf_counter()
    for start in range(0, len(finished), 32):
        store.add_documents(finished[start : start + 32])
    store.close()
    write_s = time.perf_counter() - started
    pairs = sum(len(r) for _, r in finished)
    big.unlink()
    shutil.rmtree(work / "driver_store")
    return {"read_documents": documents, "read_docs_per_s": round(documents / read_s, 1),
            "write_pairs": pairs, "write_pairs_per_s": round(pairs / write_s, 1)}


def cluster_estimate(report: dict) -> dict:
    """An estimate, not a measurement: N actors at the measured per-actor rate, the claims/actors CPUs that
    feed them, and the N at which the driver is saturated. The driver handles results (unpickling, rows,
    documents.jsonl) and writes shards on one thread, one after the other, so their costs per pair add up;
    it reads the whole input before scoring starts, so reading adds start-up time, not a throughput limit."""
    run = report["ray"]["this_run"]
    pairs = run["pairs_scored"]
    per_actor = pairs / run["model_seconds"]  # one actor, busy (ray.threads_per_actor threads)
    per_analysis_cpu = pairs / run["analysis_seconds"]
    driver = report["driver"]
    result_cap = pairs / max(run["ray"]["driver_seconds"], 1e-3)
    driver_cap = 1 / (1 / result_cap + 1 / driver["write_pairs_per_s"])
    return {"per_actor_pairs_per_s": round(per_actor, 1),
            "analysis_pairs_per_cpu_s": round(per_analysis_cpu, 1),
            "analysis_cpus_per_actor": round(per_analysis_cpu and per_actor / per_analysis_cpu, 2),
            "driver_result_pairs_per_s": round(result_cap, 1), "driver_write_pairs_per_s": driver["write_pairs_per_s"],
            "driver_cap_pairs_per_s": round(driver_cap, 1),
            "read_seconds_per_million_docs": round(1e6 / driver["read_docs_per_s"], 1),
            "actors_until_driver_limit": int(driver_cap // per_actor),
            "examples": {n: round(n * per_actor, 1) for n in (1, 8, 32, 128) if n * per_actor <= driver_cap}}


def print_report(report: dict, work: Path) -> None:
    local, ray = report["local"], report["ray"]
    print(f"corpus: {local['documents']} documents, {local['pairs']} pairs; {report['machine']['cpus']} CPUs; "
          f"precision {local['precision']} (local) / {ray['precision']} (ray); Ray: {report['settings']['ray_actors']} "
          f"actor(s) x {report['settings']['ray_threads_per_actor']} thread(s)")
    print(f"{'':6} {'wall s':>7} {'pairs/s':>8} {'1-doc wall s':>12}  [load avg before]")
    for name, v in (("local", local), ("ray", ray)):
        print(f"{name:6} {v['wall_s']:>7} {v['pairs_per_s']:>8} {v['one_doc_wall_s']:>12}  [{v['load_avg_1min_before']}]")
    split = ray["this_run"]["ray"]
    print(f"Ray start-up overhead: {report['ray_startup_overhead_s']} s on a one-document input; in the corpus run "
          f"ray.init {split['start_seconds']} s, reading {split['read_seconds']} s, first block after "
          f"{split['first_block_seconds']} s; peak RSS of a model actor {split['peak_actor_rss_mb']} MB, of a "
          f"claims/actors worker {split['peak_analysis_rss_mb']} MB")
    for data, agree in report["agreement"].items():
        print(f"agreement on {data}: same rows {agree['same_rows']} ({agree['rows_ray']} rows), same label "
              f"{agree['same_label']:.2%}, largest score difference {agree['max_score_diff']}")
    est = report["estimate"]
    print(f"ESTIMATE for a cluster (from the figures above, not measured on one): one actor "
          f"{est['per_actor_pairs_per_s']} pairs/s while busy; it keeps {est['analysis_cpus_per_actor']} CPUs of "
          f"claims/actors tasks busy ({est['analysis_pairs_per_cpu_s']} pairs per CPU-second); N actors give about "
          f"N x {est['per_actor_pairs_per_s']} pairs/s until the driver saturates at {est['driver_cap_pairs_per_s']} "
          f"pairs/s (results {est['driver_result_pairs_per_s']}, Parquet writing {est['driver_write_pairs_per_s']} "
          f"pairs/s), i.e. about {est['actors_until_driver_limit']} actors; reading the input first takes "
          f"{est['read_seconds_per_million_docs']} s per million documents")
    print(f"written {work / 'bench_engines.json'}")

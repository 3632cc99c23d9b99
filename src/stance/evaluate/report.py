"""Render evaluation metrics (the dict `run_evaluate` writes as metrics.json) as report.md and a
self-contained report.html whose plots are embedded PNG data: URIs.

The report is built once as a list of blocks (heading, paragraph, table, image) and rendered twice, so the
two files never disagree; Markdown points to report.html for the plots.
"""
from __future__ import annotations

import base64
import html
import io
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from stance.score.aggregate import RULE as ACTOR_RULE

COLOURS = {"against": "#c0392b", "neutral": "#95a5a6", "favor": "#27ae60"}
NOTES = (
    "Acc: accuracy. F1m: macro-F1 over all three labels (as NewsMTSC reports it; a label absent from both gold "
    "and prediction scores 0). F_avg: the mean of the F1 of favor and of against (SemEval-2016 Task 6 and "
    "P-Stance's measure; NewsMTSC's F1±). F1m*: macro-F1 over the labels present in the gold only. Brackets: "
    "percentile bootstrap 95% interval over resampled units: documents (all the pairs of a drawn document "
    "together), the claims of a set of one document, the pairs themselves where there are no documents "
    "(NewsMTSC sentences, tweets); each table says which. "
    "ECE: expected calibration error (equal-width bins over the max probability); '-' for systems without "
    "probabilities. End to end: predicted (claim, actor) pairs are matched to gold pairs by overlapping mention "
    "spans, and only a pair linked to the gold pair's actor gets stance credit (the lenient figure, any touching "
    "pair, is shown beside it); a missed gold pair is a row predicted 'missed' (wrong, lowers recall), a spurious "
    "predicted pair is a row with gold 'spurious' (wrong, lowers the precision of its predicted label). "
    "Documents: one row per (document, actor), labelled by the rule of actors.csv over its pairs; end to end, "
    "the rows of actors.csv matched to the gold ones by document and actor name. Delta rows: model minus "
    "baseline."
)


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


def confusion_plot(confusion: dict, title: str) -> bytes:
    rows, columns, matrix = confusion["gold"], confusion["predicted"], confusion["matrix"]
    fig = Figure(figsize=(1.6 + 0.9 * len(columns), 1.0 + 0.8 * len(rows)))
    ax = fig.subplots()
    image = ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(columns)), columns, rotation=30, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title, fontsize=9)
    peak = max(max(row) for row in matrix) or 1
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center", color="white" if value > peak / 2 else "black")
    fig.colorbar(image, ax=ax, fraction=0.046)
    return _png(fig)


def reliability_plot(calibrations: dict[str, dict], title: str) -> bytes:
    fig = Figure(figsize=(4.5, 4))
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="perfect calibration")
    for system, calibration in calibrations.items():
        bins = [b for b in calibration["bins"] if b["count"]]
        ax.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], marker="o",
                label=f"{system} (ECE {calibration['ece']:.3f})")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence (max probability)")
    ax.set_ylabel("accuracy")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    return _png(fig)


def actor_stance_plot(per_actor: dict[str, dict], panels: list[tuple[str, str]], labels: list[str], title: str) -> bytes:
    """Stacked horizontal bars of label counts per actor; one panel per (title, "gold"|"predicted") source."""
    actors = list(per_actor)[::-1]
    fig = Figure(figsize=(3.2 * len(panels) + 1.5, 1.0 + 0.32 * len(actors)), layout="constrained")
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    for ax, (panel_title, key) in zip(axes, panels):
        left = [0] * len(actors)
        for label in labels:
            counts = [per_actor[a][key].get(label, 0) for a in actors]
            ax.barh(actors, counts, left=left, color=COLOURS.get(label), label=label)
            left = [x + c for x, c in zip(left, counts)]
        ax.set_title(panel_title, fontsize=9)
        ax.set_xlabel("pairs")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncols=len(labels), fontsize=8)
    fig.suptitle(title, fontsize=10)
    return _png(fig)


def _fmt(value, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _with_ci(metrics: dict, key: str) -> str:
    low, high = metrics["bootstrap_ci"][key]
    return f"{_fmt(metrics[key])} [{_fmt(low)}, {_fmt(high)}]"


def _ece(metrics: dict) -> str:
    return _fmt(metrics["calibration"]["ece"]) if metrics.get("calibration") else "-"


def confusion_block(confusion: dict, corner: str) -> tuple:
    """A confusion table block: gold values down, predicted values across."""
    rows = [[gold] + [str(v) for v in row] for gold, row in zip(confusion["gold"], confusion["matrix"])]
    return ("table", [corner] + confusion["predicted"], rows)


def _system_row(name: str, m: dict) -> list[str]:
    present = f"{_with_ci(m, 'f1_macro_present')} ({', '.join(m['labels_present'])})"
    return [name, m["kind"], str(m["n"]), _with_ci(m, "accuracy"), _with_ci(m, "f1_macro"), _with_ci(m, "f1_polar"),
            present, _ece(m)]


SYSTEM_HEADERS = ["System", "Kind", "n", "Acc [95% CI]", "F1m [95% CI]", "F_avg [95% CI]", "F1m* [95% CI] (labels)",
                  "ECE"]
MODES = {"given_pairs": "given pairs", "end_to_end": "end to end",
         "documents": "(document, actor) labels from the given pairs",
         "documents_end_to_end": "(document, actor) labels end to end (actors.csv)"}


def mode_name(mode: str) -> str:
    return MODES.get(mode, mode.replace("_", " "))


def dataset_blocks(key: str, result: dict, labels: list[str], top_actors: int) -> list[tuple]:
    systems = result["systems"]
    models = [name for name, m in systems.items() if m["kind"] == "model"]
    blocks = [("h2", f"{result['dataset']} — {mode_name(result['mode'])}"),
              ("p", (f"{result['n']} rows from {result.get('source', '?')}; intervals resample "
                    f"{result.get('resampled', 'pairs')}."))]
    if result.get("gold_labels"):
        left_out = result.get("gold_without_pairs")
        blocks.append(("p", f"Gold (document, actor) labels: {result['gold_labels']}. Predicted: the rule of "
                            f"actors.csv, {ACTOR_RULE}, over the system's labels of the actor's pairs."
                            + (f" {left_out} gold (document, actor) labels have no pair to predict from and are "
                               "left out." if left_out else "")))
    if result["mode"] == "end_to_end":
        match, det, claims = result["matching"], result["detection"], result["claims"]
        lenient = match["lenient"]
        line = (f"Pairs, same actor required: {match['matched']} matched, {match['missed']} gold pairs missed, "
                f"{match['spurious']} spurious predicted pairs (lenient, any touching pair: {lenient['matched']} "
                f"matched, {lenient['same_actor_name']} of them with the gold canonical actor name). "
                f"Actor detection (pairs): "
                f"P {_fmt(det['precision'])}, R {_fmt(det['recall'])}, F1 {_fmt(det['f1'])} one to one "
                f"(F1 {_fmt(result['detection_any_touch']['f1'])} when any overlap counts, as extraction measures it). "
                f"Claim split: {claims['exact']} of {claims['gold']} gold claims matched exactly "
                f"(agreement {_fmt(claims['agreement'])}); {claims['predicted']} predicted claims "
                f"(P {_fmt(claims['precision'])}, R {_fmt(claims['recall'])}, F1 {_fmt(claims['f1'])}).")
        blocks.append(("p", line))
    windowed = [f"{name}: {m['windowed']}" for name, m in systems.items() if m.get("windowed")]
    if windowed:
        blocks.append(("p", "Pairs longer than the model's max_length, scored on a window around the target: "
                            + ", ".join(windowed) + "."))
    blocks.append(("table", SYSTEM_HEADERS, [_system_row(name, m) for name, m in systems.items()]))
    if result.get("lenient"):
        blocks += [("h3", "Lenient: stance credit for any touching pair, whatever its actor"),
                   ("table", ["System", "n", "Acc [95% CI]", "F1m [95% CI]", "F_avg [95% CI]"],
                    [[name, str(m["n"]), _with_ci(m, "accuracy"), _with_ci(m, "f1_macro"), _with_ci(m, "f1_polar")]
                     for name, m in result["lenient"].items()])]
    delta_rows = [[f"{m} − {b}"] + [f"{d[k]:+.3f}" for k in ("accuracy", "f1_macro", "f1_polar", "f1_macro_present")]
                  for m, per_baseline in result["deltas"].items() for b, d in per_baseline.items()]
    if delta_rows:
        blocks += [("h3", "What the model adds over the baselines"),
                   ("table", ["Model − baseline", "ΔAcc", "ΔF1m", "ΔF_avg", "ΔF1m*"], delta_rows)]
    blocks += model_delta_blocks(result)
    for model in models:
        m = systems[model]
        blocks += [("h3", f"{model}: per class and confusion"),
                   ("table", ["Label", "P", "R", "F1", "Support"],
                    [[l, _fmt(c["precision"]), _fmt(c["recall"]), _fmt(c["f1"]), str(c["support"])]
                     for l, c in m["per_class"].items()]),
                   confusion_block(m["confusion"], "gold \\ predicted"),
                   ("img", f"Confusion matrix: {model} on {key}", confusion_plot(m["confusion"], f"{model} on {key}"))]
    calibrations = {name: m["calibration"] for name, m in systems.items() if m.get("calibration")}
    if calibrations:
        blocks.append(("img", f"Reliability diagram: {key}", reliability_plot(calibrations, f"Reliability: {key}")))
    blocks += actor_blocks(key, result, models, labels, top_actors)
    return blocks


DIFFERENCE_KEYS = ("accuracy", "f1_macro", "f1_polar", "f1_macro_present")


def _difference(entry: dict) -> str:
    low, high = entry["ci"]
    if entry["difference"] is None:
        return "-"
    marker = " *" if low is not None and (low > 0 or high < 0) else ""
    return f"{entry['difference']:+.3f} [{low:+.3f}, {high:+.3f}]{marker}"


def model_delta_blocks(result: dict) -> list[tuple]:
    """Side-by-side models: each further model minus the first on the same rows, with paired bootstrap 95%
    intervals of the difference; * where the interval excludes 0."""
    deltas = result.get("model_deltas")
    if not deltas:
        return []
    first = deltas["baseline_model"]
    rows = [[f"{model} − {first}", str(d["n"]), d.get("resampled", "pairs")]
            + [_difference(d[key]) for key in DIFFERENCE_KEYS] for model, d in deltas["models"].items()]
    return [("h3", "Model minus model (same rows)"),
            ("p", ("Differences on the same rows, with paired bootstrap 95% intervals (both models scored on each "
                   "resample of the units named); * marks an interval that excludes 0.")),
            ("table", ["Model − model", "n", "Resampled", "ΔAcc [95% CI]", "ΔF1m [95% CI]", "ΔF_avg [95% CI]",
                       "ΔF1m* [95% CI]"], rows)]


def actor_blocks(key: str, result: dict, models: list[str], labels: list[str], top_actors: int) -> list[tuple]:
    """Per-actor table (most frequent first) and, for a gold document set, the per-actor stance chart."""
    if not models or not result["systems"][models[0]].get("per_actor"):
        return []
    first = result["systems"][models[0]]["per_actor"]
    shown = list(first)[:top_actors]
    rows = []
    for actor in shown:
        gold = first[actor]["gold"]
        row = [actor, str(first[actor]["n"]), " / ".join(str(gold.get(l, 0)) for l in labels)]
        for model in models:
            entry = result["systems"][model]["per_actor"][actor]
            row += [" / ".join(str(entry["predicted"].get(l, 0)) for l in labels), _fmt(entry["accuracy"])]
        rows.append(row)
    headers = ["Actor", "n", "gold " + "/".join(labels)]
    for model in models:
        headers += [f"{model} " + "/".join(labels), f"{model} acc"]
    blocks = [("h3", f"Per actor ({len(shown)} of {len(first)} actors, most pairs first)"), ("table", headers, rows)]
    if result.get("document") and result["mode"] == "given_pairs":
        counts = {a: {"gold": first[a]["gold"]} for a in shown}
        for model in models:
            for actor in shown:
                counts[actor][f"model:{model}"] = result["systems"][model]["per_actor"][actor]["predicted"]
        panels = [("gold", "gold")] + [(model, f"model:{model}") for model in models]
        title = f"Stance per actor: {result['dataset']}"
        blocks.append(("img", title, actor_stance_plot(counts, panels, labels, title)))
    return blocks


def phenomenon_blocks(metrics: dict) -> list[tuple]:
    """Accuracy per hard case (the commentary set's `phenomena` tags), model by model."""
    rows = [[r["dataset"], r["mode"], name, tag, v["n"], _fmt(v["accuracy"])]
            for r in metrics["datasets"].values() for name, m in r["systems"].items() if m["kind"] == "model"
            for tag, v in m.get("phenomena", {}).items()]
    if not rows:
        return []
    return [("h2", "Hard cases"),
            ("p", ("Accuracy on the pairs written for each hard case (a pair may carry several tags; 'multi': "
                   "several actors with different stances in one claim).")),
            ("table", ["Dataset", "Mode", "Model", "Phenomenon", "Pairs", "Accuracy"], rows)]


def sentiment_blocks(metrics: dict) -> list[tuple]:
    """Claim sentiment: the models' sentiment heads and VADER, per set that labels it."""
    rows = [[r["dataset"], name, r["sentiment"]["n"], _with_ci(m, "f1_macro"), _fmt(m["accuracy"])]
            for r in metrics["datasets"].values() if r.get("sentiment")
            for name, m in r["sentiment"]["systems"].items()]
    if not rows:
        return []
    return [("h2", "Claim sentiment"),
            ("p", ("Per claim: the model's sentiment head (mean over the claim's inputs) and VADER's compound score "
                   "(>= 0.05 positive, <= -0.05 negative); macro-F1 with bootstrap 95% intervals (resampling "
                   "documents, or the claims of a one-document set).")),
            ("table", ["Dataset", "System", "Claims", "F1m [95% CI]", "Accuracy"], rows)]


def report_blocks(metrics: dict, top_actors: int = 15) -> list[tuple]:
    labels = metrics["labels"]
    blocks = [("h1", "Stance evaluation"),
              ("table", ["Model", "Directory and settings"],
               [[name, m["description"]] for name, m in metrics["models"].items()])]
    info = metrics["baselines"]
    if info.get("enabled"):
        line = (f"Baselines trained on {', '.join(info['sources'])} ({info['sources_from']}): {info['train_pairs']} "
                f"pairs (logistic regression on a seeded sample of {info['logreg_train_pairs']}, seed {info['seed']}).")
        blocks.append(("p", line))
        blocks.append(("table", ["Baseline", "What it does"], [[n, d] for n, d in info["descriptions"].items()]))
    boot = metrics["bootstrap"]
    blocks.append(("p", NOTES + f" Bootstrap: {boot['resamples']} resamples, seed {boot['seed']}; ECE over "
                                f"{metrics['ece_bins']} bins."))
    summary = [[r["dataset"], mode_name(r["mode"]), r.get("resampled", "pairs")] + _system_row(name, m)
               for r in metrics["datasets"].values() for name, m in r["systems"].items()]
    blocks += [("h2", "Summary"), ("table", ["Dataset", "Mode", "Resampled"] + SYSTEM_HEADERS, summary)]
    blocks += phenomenon_blocks(metrics) + sentiment_blocks(metrics)
    for key, result in metrics["datasets"].items():
        blocks += dataset_blocks(key, result, labels, top_actors)
    blocks.append(("p", f"{metrics['errors']} misclassified model rows are listed in errors.jsonl."))
    return blocks


def render_markdown(blocks: list[tuple]) -> str:
    lines = []
    for block in blocks:
        kind = block[0]
        if kind in ("h1", "h2", "h3"):
            lines += ["#" * int(kind[1]) + " " + block[1], ""]
        elif kind == "p":
            lines += [block[1], ""]
        elif kind == "table":
            cells = lambda row: "| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |"
            lines += [cells(block[1]), cells(["---"] * len(block[1]))] + [cells(r) for r in block[2]] + [""]
        elif kind == "img":
            lines += [f"*Plot: {block[1]} (embedded in report.html).*", ""]
    return "\n".join(lines)


def render_html(blocks: list[tuple]) -> str:
    parts = []
    for block in blocks:
        kind = block[0]
        if kind in ("h1", "h2", "h3", "p"):
            parts.append(f"<{kind}>{html.escape(block[1])}</{kind}>")
        elif kind == "table":
            head = "".join(f"<th>{html.escape(str(h))}</th>" for h in block[1])
            body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in block[2])
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif kind == "img":
            data = base64.b64encode(block[2]).decode("ascii")
            parts.append(f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(block[1])}">'
                         f"<figcaption>{html.escape(block[1])}</figcaption></figure>")
    style = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;line-height:1.4}"
             "table{border-collapse:collapse;margin:1em 0;font-size:0.85em}"
             "td,th{border:1px solid #ccc;padding:3px 7px;text-align:left}th{background:#f3f3f3}"
             "figure{margin:1em 0}figcaption{font-size:0.8em;color:#555}")
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Stance evaluation</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>\n")


def agreement_blocks(result: dict) -> list[tuple]:
    """The report of `mode=agreement`: kappa on shared pairs and actor-set overlap."""
    claims, pairs, stance = result["claims"], result["pairs"], result["stance"]
    disagreements = [[f"{c['doc_id']} [{c['start']}, {c['end']})", _fmt(c["jaccard"]), ", ".join(c["only_a"]),
                      ", ".join(c["only_b"])] for c in result["per_claim"] if c["jaccard"] < 1]
    confusion = stance["confusion"]
    summary = (f"Stance on the {stance['n']} shared pairs labelled in both: Cohen's kappa {_fmt(stance['kappa'])}, "
               f"observed agreement {_fmt(stance['observed_agreement'])}. Actor overlap: Jaccard over all pairs "
               f"{_fmt(pairs['jaccard'])}, mean per shared claim {_fmt(result['actor_jaccard_mean_per_claim'])}.")
    sentiment = result["sentiment"]
    tone = (f"Claim sentiment on the {sentiment['n']} shared claims: Cohen's kappa {_fmt(sentiment['kappa'])}, "
            f"observed agreement {_fmt(sentiment['observed_agreement'])}.")
    return [
        ("h1", "Label agreement"),
        ("p", f"a = {result['a']}; b = {result['b']}. Claims are keyed by document and span, actors by canonical name."),
        ("table", ["", "a", "b", "both", "only a", "only b"],
         [["claims", claims["a"], claims["b"], claims["shared"], claims["only_a"], claims["only_b"]],
          ["(claim, actor) pairs", pairs["a"], pairs["b"], pairs["shared"], pairs["only_a"], pairs["only_b"]]]),
        ("p", summary),
        ("p", tone),
        confusion_block(confusion, "a \\ b"),
        ("h2", f"Shared claims whose actor sets differ ({len(disagreements)})"),
        ("table", ["Claim", "Jaccard", "only in a", "only in b"], disagreements) if disagreements else ("p", "None."),
    ]


SUMMARY_KEYS = (("Acc", "accuracy"), ("F1m", "f1_macro"), ("F_avg", "f1_polar"), ("F1m*", "f1_macro_present"))


def summary_text(metrics: dict) -> str:
    """A plain-text table of the headline numbers (what the command prints): one line per set, mode and system."""
    header = ["dataset", "mode", "system", "n"] + [name for name, _ in SUMMARY_KEYS] + ["ECE", "F1m 95% CI", "resampled"]
    rows = [header]
    for result in metrics["datasets"].values():
        for name, m in result["systems"].items():
            low, high = m["bootstrap_ci"]["f1_macro"]
            rows.append([result["dataset"], result["mode"], name, str(m["n"])]
                        + [_fmt(m[key]) for _, key in SUMMARY_KEYS] + [_ece(m), f"[{_fmt(low)}, {_fmt(high)}]",
                           result.get("resampled", "pairs")])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    for result in metrics["datasets"].values():
        if result["mode"] == "end_to_end":
            det, claims = result["detection"], result["claims"]
            lenient = ", ".join(f"{name} F1m {_fmt(m['f1_macro'])}" for name, m in result["lenient"].items()
                                if result["systems"][name]["kind"] == "model")
            lines.append(f"{result['dataset']} end to end: actor detection P {_fmt(det['precision'])} "
                         f"R {_fmt(det['recall'])} F1 {_fmt(det['f1'])}; claim split agreement "
                         f"{_fmt(claims['agreement'])} ({claims['exact']}/{claims['gold']} gold claims exact); "
                         f"lenient (any touching pair): {lenient}")
    for result in metrics["datasets"].values():
        for model, d in ((result.get("model_deltas") or {}).get("models") or {}).items():
            lines.append(f"{result['dataset']} {result['mode']}: {model} − {result['model_deltas']['baseline_model']}: "
                         f"ΔF1m {_difference(d['f1_macro'])}, ΔAcc {_difference(d['accuracy'])}")
    present = {r["dataset"]: next(iter(r["systems"].values()))["labels_present"] for r in metrics["datasets"].values()}
    partial = [f"{name}: {', '.join(labels)}" for name, labels in present.items() if len(labels) < len(metrics["labels"])]
    lines.append("F1m*: macro-F1 over the labels present in the gold" + (f" ({'; '.join(partial)})" if partial else "")
                 + f". {metrics['seconds']:.0f} s.")
    return "\n".join(lines)


def agreement_text(result: dict) -> str:
    """The line `mode=agreement` prints."""
    stance, pairs = result["stance"], result["pairs"]
    return (f"stance kappa {_fmt(stance['kappa'])} on {stance['n']} shared pairs; actor pairs Jaccard "
            f"{_fmt(pairs['jaccard'])} ({pairs['shared']} shared, {pairs['only_a']} only in a, {pairs['only_b']} only in b); "
            f"sentiment kappa {_fmt(result['sentiment']['kappa'])} on {result['sentiment']['n']} shared claims")


def write_report(out_dir: str | Path, blocks: list[tuple]) -> tuple[Path, Path]:
    """Write the blocks as report.md and report.html into `out_dir`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.md").write_text(render_markdown(blocks), encoding="utf-8")
    (out / "report.html").write_text(render_html(blocks), encoding="utf-8")
    return out / "report.md", out / "report.html"

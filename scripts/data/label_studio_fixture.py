"""Make tests/label/fixtures/label_studio_1.23.2_export.json with a real Label Studio: create a project with the
labelling config of `stance.label export`, import its tasks, annotate them through the API as a labeller would
(EDITS below), and save Label Studio's own JSON export.

Label Studio runs in a virtual environment of its own (it pins Django and much else), on this machine:

    python3 -m venv /tmp/lsvenv && /tmp/lsvenv/bin/pip install label-studio==1.23.2
    LABEL_STUDIO_BASE_DATA_DIR=/tmp/lsdata /tmp/lsvenv/bin/label-studio start --no-browser --port 8089 \\
        --username labeller@example.com --password a-long-password &
    .venv/bin/python -m stance.score input=tests/label/fixtures/corpus.jsonl date_field=date \\
        output=outputs/ls_fixture overwrite=true
    .venv/bin/python -m stance.label export run=outputs/ls_fixture output=outputs/ls_fixture/tasks.json \\
        strategy=random n=10
    /tmp/lsvenv/bin/python scripts/data/label_studio_fixture.py outputs/ls_fixture/tasks.json \\
        tests/label/fixtures/label_studio_1.23.2_export.json --email labeller@example.com --password a-long-password

Label Studio 1.23 refuses legacy API tokens by default, so the script logs in with a session as the web page
does. The tasks in the committed fixture came from models/default at the time (`default@cbbe1b59`).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import requests  # in Label Studio's environment

# Per task (its position in tasks.json): how the labeller changes the model's pre-annotation.
EDITS = {
    0: {"sentiment": "negative", "note": "Ankara: assertive, not judged"},
    1: {"stance": {"t1r0": "neutral", "t1r1": "neutral"}, "sentiment": "neutral"},
    2: {"sentiment": "neutral", "ground_truth_sentiment": "negative"},  # a second, ground-truth annotation
    3: {"drop_regions": ["t3r0"], "sentiment": "neutral"},  # "Baku" is a place here: no actor left
    4: {"drop_regions": ["t4r1"], "sentiment": "neutral",  # the mention drawn again, its actor box left empty
        "add": [{"id": "Tk9x2LmQ0a", "from_name": "mention", "to_name": "text", "type": "labels", "origin": "manual",
                 "value": {"start": 28, "end": 35, "text": "Turkish", "labels": ["Actor"]}},
                {"id": "Tk9x2LmQ0a", "from_name": "stance", "to_name": "text", "type": "choices", "origin": "manual",
                 "value": {"start": 28, "end": 35, "text": "Turkish", "choices": ["favor"]}}]},
    5: {"skip": True},  # a cancelled annotation: the task has none to import
}


def annotation(prediction: list[dict], edit: dict, index: int) -> list[dict]:
    result = [json.loads(json.dumps(item)) for item in prediction if item["id"] not in edit.get("drop_regions", [])]
    for item in result:
        if item["from_name"] == "stance" and item["id"] in edit.get("stance", {}):
            item["value"]["choices"] = [edit["stance"][item["id"]]]
    result += edit.get("add", [])
    if "sentiment" in edit:
        result = [item for item in result if item["from_name"] != "sentiment"]
        result.append({"id": f"s{index}x", "from_name": "sentiment", "to_name": "text", "type": "choices",
                       "origin": "manual", "value": {"choices": [edit["sentiment"]]}})
    if "note" in edit:
        result.append({"id": f"note{index}", "from_name": "note", "to_name": "text", "type": "textarea",
                       "value": {"text": [edit["note"]]}})
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tasks")
    parser.add_argument("export")
    parser.add_argument("--url", default="http://localhost:8089")
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    base, session = args.url, requests.Session()
    session.get(base + "/user/login/")
    session.post(base + "/user/login/", headers={"Referer": base + "/user/login/"},
                 data={"csrfmiddlewaretoken": session.cookies.get("csrftoken"), "email": args.email,
                       "password": args.password})
    headers = {"X-CSRFToken": session.cookies.get("csrftoken"), "Content-Type": "application/json", "Referer": base}
    config = Path(args.tasks).with_name(Path(args.tasks).stem + ".label_config.xml").read_text()
    project = session.post(base + "/api/projects", headers=headers,
                           data=json.dumps({"title": "stance fixture", "label_config": config}))
    project.raise_for_status()
    pid = project.json()["id"]
    session.post(base + f"/api/projects/{pid}/import", headers=headers,
                 data=Path(args.tasks).read_text()).raise_for_status()
    listed = session.get(base + f"/api/tasks?project={pid}&page_size=100", headers=headers).json()
    for index, task in enumerate(sorted(listed["tasks"], key=lambda t: t["id"])):
        full = session.get(base + f"/api/tasks/{task['id']}", headers=headers).json()
        prediction = full["predictions"][0]
        edit = EDITS.get(index, {})
        url = base + f"/api/tasks/{task['id']}/annotations/"
        if edit.get("skip"):
            session.post(url, headers=headers, data=json.dumps({"result": [], "was_cancelled": True})).raise_for_status()
            continue
        result = annotation(prediction["result"], edit, index)
        session.post(url, headers=headers, data=json.dumps({"result": result, "lead_time": 12.5,
                                                             "parent_prediction": prediction["id"]})).raise_for_status()
        if "ground_truth_sentiment" in edit:
            second = annotation(prediction["result"], {**edit, "sentiment": edit["ground_truth_sentiment"]}, index)
            session.post(url, headers=headers, data=json.dumps({"result": second, "ground_truth": True,
                                                                 "lead_time": 4.0})).raise_for_status()
    export = session.get(base + f"/api/projects/{pid}/export?exportType=JSON&download_all_tasks=true", headers=headers)
    export.raise_for_status()
    Path(args.export).write_text(json.dumps(export.json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{args.export}: {len(export.json())} tasks exported by Label Studio")


if __name__ == "__main__":
    main()

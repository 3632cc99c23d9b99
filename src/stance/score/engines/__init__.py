"""Scoring engines behind `python -m stance.score engine=...`: `local` scores batch by batch with `StancePipeline`
on this machine and holds what every engine shares (the pending batches in, a finished batch out); `ray`
(`ray_engine`) runs the same stages on Ray Data, and over Ray Client (`ray_client`) sends the whole run to the
cluster's head node as a task. Ray is imported only when engine=ray."""

"""Scoring engines behind `python -m stance.score engine=...`: `local` is the loop in `stance.score.run`;
`ray` (`ray_engine`) runs the same stages on Ray Data. Ray is imported only when engine=ray."""

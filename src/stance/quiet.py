"""Third-party notices that mislead a user of the commands, silenced where they do not apply.

The commands (score, evaluate, train) call `quiet_library_notices` once at start. What it hides:
- transformers' "Loading weights" bars (they say nothing about the user's data);
- a transformers LOAD REPORT whose only keys are the backbone's pooler (`pooler.*` missing or unused): the
  classifier never reads the pooler, so the report's "newly initialized ... consider training" does not
  apply. A report naming any other key still shows;
- transformers' own deprecation notice about `is_gradient_checkpointing`, raised inside its code.
Every other warning still shows. (The tokenizer's "sequence length is longer than the specified maximum"
notice is never raised: `stance.model.encoding` windows long pairs itself and says so.)
"""
from __future__ import annotations

import logging
import re
import warnings

REPORT_KEY = re.compile(r"^(\S+)\s*\|\s*[A-Z]+")  # "pooler.dense.bias   | MISSING | ..."
LOADING_LOGGER = "transformers.modeling_utils"


class PoolerOnlyLoadReport(logging.Filter):
    """Drops a LOAD REPORT record when every key it lists belongs to the pooler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "LOAD REPORT" not in message:
            return True
        keys = [m.group(1) for line in message.splitlines() if (m := REPORT_KEY.match(line)) and m.group(1) != "Key"]
        return not keys or not all(key.startswith("pooler.") for key in keys)


def quiet_library_notices() -> None:
    """Install the filters above (idempotent)."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    logger = logging.getLogger(LOADING_LOGGER)
    if not any(isinstance(f, PoolerOnlyLoadReport) for f in logger.filters):
        logger.addFilter(PoolerOnlyLoadReport())
    warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)

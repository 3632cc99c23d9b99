"""The labelling loop with Label Studio: a scoring run's claims out as tasks with the model's labels
(`export_tasks`), a Label Studio JSON export back in as gold rows (`import_labels`).
`python -m stance.label export|import` runs `run.main`."""
from stance.label.export import ExportError, export_tasks
from stance.label.importer import LabelImportError, import_labels

__all__ = ["ExportError", "LabelImportError", "export_tasks", "import_labels"]

"""Backbones installed on request (`python -m stance.backbones install mpnet`), too large for the default set-up;
a model config names one `installed:NAME`, which `stance.model.classifier.resolve_backbone` finds here."""
from stance.backbones.install import (
    BACKBONES,
    BackboneNotInstalled,
    InstallError,
    install_backbone,
    installed_path,
)

__all__ = ["BACKBONES", "BackboneNotInstalled", "InstallError", "install_backbone", "installed_path"]

"""Analysis: text -> claims with spans (segment) -> actor mentions per claim (registry, NER, coref)."""
from stance.analyse.analyser import DocumentAnalyser

__all__ = ["DocumentAnalyser"]

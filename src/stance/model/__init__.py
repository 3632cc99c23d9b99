"""The model: one pair encoding (encoding), the classifier and its saved form (classifier, the lean
encoder for scoring), and batched prediction (predict)."""
from stance.model.classifier import LoadedModel, build_classifier, load_classifier, save_classifier
from stance.model.encoding import encode_pair
from stance.model.predict import predict_proba

__all__ = ["LoadedModel", "build_classifier", "encode_pair", "load_classifier", "predict_proba", "save_classifier"]

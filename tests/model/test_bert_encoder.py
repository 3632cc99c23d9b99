"""The lean BERT encoder that scoring loads computes what transformers' BertModel computes, reads the same
checkpoints, and leaves those it does not fit to transformers."""
import pytest
import torch
from transformers import AutoConfig, BertConfig, BertModel

from stance.model.bert_encoder import BertEncoder, rows_at
from stance.model.classifier import StanceClassifier, inference_backbone, load_classifier


@pytest.fixture(scope="module")
def batch():
    """Two inputs of different lengths (the second padded), with a second segment in the first."""
    torch.manual_seed(1)
    input_ids = torch.randint(1000, 2000, (2, 12))
    attention_mask = torch.ones(2, 12, dtype=torch.long)
    attention_mask[1, 7:] = 0
    token_type_ids = torch.zeros(2, 12, dtype=torch.long)
    token_type_ids[0, 8:] = 1
    return {"input_ids": input_ids, "attention_mask": attention_mask, "token_type_ids": token_type_ids}


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """A tiny random BERT checkpoint, loaded both ways. Its weights are drawn wide (initializer_range 0.5),
    so that activations spread far enough for any departure from BERT's computation to show."""
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("wide_bert")
    BertModel(BertConfig(vocab_size=3000, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                         intermediate_size=64, initializer_range=0.5)).save_pretrained(path)
    return BertEncoder.from_pretrained(path, AutoConfig.from_pretrained(path)), BertModel.from_pretrained(path).eval()


def test_same_hidden_states_as_transformers(both, batch):
    lean, reference = both
    with torch.inference_mode():
        ours, theirs = lean(**batch).last_hidden_state, reference(**batch).last_hidden_state
    real = batch["attention_mask"].bool()  # padded positions are never read
    torch.testing.assert_close(ours[real], theirs[real], atol=1e-5, rtol=1e-5)
    assert not torch.allclose(ours[0], ours[1])


def test_last_layer_at_chosen_positions_equals_those_rows(both, batch):
    lean, _ = both
    positions = torch.tensor([[0, 5], [0, 3]])
    with torch.inference_mode():
        full = lean(**batch).last_hidden_state
        chosen = lean(**batch, positions=positions).last_hidden_state
    assert chosen.shape == (2, 2, lean.config.hidden_size)
    torch.testing.assert_close(chosen, rows_at(full, positions), atol=1e-6, rtol=1e-5)


def test_classifier_on_either_backbone_gives_the_same_logits(both, batch):
    lean, reference = both
    torch.manual_seed(2)
    classifiers = [StanceClassifier(backbone, 3).eval() for backbone in (lean, reference)]
    classifiers[0].head.load_state_dict(classifiers[1].head.state_dict())
    marker_index = torch.tensor([4, 2])
    with torch.inference_mode():
        ours, theirs = (c(**batch, marker_index=marker_index)["logits"] for c in classifiers)
    torch.testing.assert_close(ours, theirs, atol=1e-5, rtol=1e-5)


def test_scoring_loads_the_lean_encoder_with_the_adapter_folded_in(tiny_model_dir):
    from stance.model.predict import predict_proba
    from stance.types import PairExample, Span

    folded, with_peft = load_classifier(tiny_model_dir), load_classifier(tiny_model_dir, merge_adapter=False)
    assert isinstance(folded.model.backbone, BertEncoder) and not isinstance(with_peft.model.backbone, BertEncoder)
    examples = [PairExample("Putin failed badly in Ukraine.", [Span(0, 5)]), PairExample("Aliyev met Erdogan.", [Span(11, 18)])]
    torch.testing.assert_close(torch.from_numpy(predict_proba(folded, examples).probs),
                               torch.from_numpy(predict_proba(with_peft, examples).probs), atol=1e-5, rtol=1e-5)


def test_a_checkpoint_it_does_not_fit_goes_to_transformers(tiny_backbone_dir, tmp_path):
    assert isinstance(inference_backbone(tiny_backbone_dir), BertEncoder)
    relu = tmp_path / "relu_bert"
    model = BertModel.from_pretrained(tiny_backbone_dir)
    model.config.hidden_act = "relu"
    model.save_pretrained(relu)
    assert isinstance(inference_backbone(str(relu)), BertModel)
    assert isinstance(inference_backbone(str(relu), with_weights=False), BertModel)
    assert BertEncoder.from_pretrained(relu, AutoConfig.from_pretrained(relu)) is None


def test_weights_it_lacks_mean_no_lean_encoder(tiny_backbone_dir, tmp_path):
    from safetensors.torch import load_file, save_file

    partial = tmp_path / "partial_bert"
    BertModel.from_pretrained(tiny_backbone_dir).save_pretrained(partial)
    state = load_file(str(partial / "model.safetensors"))
    save_file({k: v for k, v in state.items() if "layer.1." not in k}, str(partial / "model.safetensors"))
    assert BertEncoder.from_pretrained(partial, AutoConfig.from_pretrained(partial)) is None

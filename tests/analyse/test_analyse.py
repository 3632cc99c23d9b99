"""stance.analyse: spaCy's entity recogniser runs only on the sentences that can name an actor the registry
does not know, read with context, and finds there what it finds when it reads the whole document."""
import pytest

from stance.analyse import DocumentAnalyser
from stance.analyse.nlp import recognise_entities
from stance.analyse.segment import segment_claims
from stance.score.pipeline import default_group

# Two sentences of NewsMTSC (MIT). Read without the sentence before it, spaCy takes Wilson for an ORG.
WILSON = ("There have been low points before, he says. Wilson told grand jurors he was thinking: "
          "“What do I do not to get beaten inside my car.”")
MIXED = ("Putin met Aliyev in Baku. But the talks failed. Senator Mark Warner criticised the deal on Monday. "
         "Russia and Azerbaijan are rivals now. Warner said Moscow lied. Nobody asked May.")


@pytest.fixture(scope="module")
def analyser():
    return DocumentAnalyser.from_config(default_group("segment"), default_group("actors"))


def mentions(items) -> list[list[tuple]]:
    return [[(m.actor, m.kind, m.start, m.end, m.source) for m in item.mentions] for item in items]


def whole_document_ner(analyser, text: str) -> list[list[tuple]]:
    doc = analyser.nlp(text)  # every component, NER over the whole text
    return mentions(analyser.detector.detect(doc, segment_claims(doc, analyser.extra_abbreviations)))


def parsed_without_ner(analyser, text: str):
    with analyser.nlp.select_pipes(disable=["ner"]):
        return analyser.nlp(text)


@pytest.mark.parametrize("text", [WILSON, MIXED])
def test_targeted_ner_finds_the_actors_whole_document_ner_finds(analyser, text):
    targeted = mentions(analyser([text])[0])
    assert targeted == whole_document_ner(analyser, text)
    assert any(m[-1] == "ner" for claim in targeted for m in claim)  # NER had an actor to find


def test_ner_reads_only_sentences_with_a_capitalised_word_outside_the_registry(analyser):
    doc = parsed_without_ner(analyser, MIXED)
    chosen = [sentence.text for sentence in analyser.detector.ner_sentences(doc, analyser.detector.registry.scan(doc.text))]
    # "But" and "Nobody" are capitalised stop words starting their sentences; "May" inside one may be a name
    assert chosen == ["Senator Mark Warner criticised the deal on Monday.", "Warner said Moscow lied.",
                      "Nobody asked May."]


def test_the_context_around_a_sentence_changes_what_ner_finds(analyser):
    """Why sentences are read with context: alone, the second sentence of WILSON gets another label."""
    def wilson_label(context: int) -> str:
        doc = parsed_without_ner(analyser, WILSON)
        recognise_entities(analyser.nlp.get_pipe("ner"), [(doc, analyser.detector.ner_sentences(doc, analyser.detector.registry.scan(doc.text)))], context)
        return next(ent.label_ for ent in doc.ents if ent.text == "Wilson")

    assert wilson_label(context=0) != "PERSON"
    assert wilson_label(context=10) == "PERSON"

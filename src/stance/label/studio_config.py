"""The Label Studio labelling config of a stance task (one task per claim), and the names that tie it to the
JSON that `stance.label.export` writes and `stance.label.importer` reads.

Format followed: Label Studio 1.x "JSON" export, checked against Label Studio 1.23.2 itself (it accepted this
config and the tasks, and exported tests/label/fixtures/label_studio_1.23.2_export.json; scripts/
label_studio_fixture.py) and against a 2024 export in label-studio-sdk's tests (tests/custom/converter/
data/test_export_csv/csv_test_history.json): a list of tasks, each with `data` and `annotations[].result[]`;
a span is a `labels` result with `value.start/end/text/labels`; a per-region control (`perRegion="true"`)
gives a result of its own type (`choices`, `textarea`) carrying the same `id` and `value.start/end` as the
span it belongs to, the textarea's text as a list (`value.text: ["..."]`).
Sources: HumanSignal/label-studio docs/source/guide/export.md ("Label Studio JSON format of annotated
tasks"), docs/source/guide/predictions.md (pre-annotations in `predictions[].result[]`), the Text, Labels
and Header tag pages on labelstud.io, and label-studio issue #6579 / label-studio-converter issue #49
(per-region results on text spans).
"""
from __future__ import annotations

TEXT = "text"  # the Text object: the claim
MENTION, MENTION_LABEL = "mention", "Actor"  # Labels: one label, "Actor", for every mention span
STANCE = "stance"  # per-region Choices: against | neutral | favor
ACTOR = "actor"  # per-region TextArea: the canonical actor name of the mention
SENTIMENT = "sentiment"  # Choices of the whole claim: negative | neutral | positive
NOTE = "note"  # TextArea of the whole claim (optional)

LABEL_CONFIG = """<View>
  <!-- stance: python -m stance.label export writes tasks for this config; GUIDELINE.md says how to label -->
  <Style>.htx-text { white-space: pre-wrap; font-size: 16px; line-height: 1.7; }</Style>
  <Header value="$title" size="5"/>
  <View style="color: #666; font-size: 13px; margin-bottom: 6px">
    <Text name="before" value="$before" selectionEnabled="false"/>
  </View>
  <Labels name="mention" toName="text" showInline="true">
    <Label value="Actor" background="#f4a261" hint="a political agent the claim speaks about"/>
  </Labels>
  <Text name="text" value="$text"/>
  <Header value="Sentiment of the claim (its overall tone)" size="6"/>
  <Choices name="sentiment" toName="text" choice="single" showInline="true" required="true">
    <Choice value="negative"/>
    <Choice value="neutral"/>
    <Choice value="positive"/>
  </Choices>
  <View visibleWhen="region-selected">
    <Header value="The author's stance toward the selected mention's actor" size="6"/>
    <Choices name="stance" toName="text" perRegion="true" choice="single" showInline="true" required="true">
      <Choice value="against" hint="criticises, blames, mocks; portrays as failing, hostile, illegitimate"/>
      <Choice value="neutral" hint="mentioned without evaluation, or balanced, or unclear"/>
      <Choice value="favor" hint="praises, defends; portrays as succeeding, right; a victim with sympathy"/>
    </Choices>
    <Header value="Actor: the canonical name (every mention of one actor gets the same name)" size="6"/>
    <TextArea name="actor" toName="text" perRegion="true" editable="true" maxSubmissions="1" rows="1"
              placeholder="e.g. Russia (empty: the mention's own words)"/>
  </View>
  <TextArea name="note" toName="text" maxSubmissions="1" rows="1" editable="true"
            placeholder="note (optional): where the call was hard"/>
</View>
"""

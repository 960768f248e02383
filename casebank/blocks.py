"""StreamField blocks of a case's 过程 (process): the steps of the guidance, dialogue
excerpts and the teacher's notes — all of it scanned by the privacy check."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from cms.blocks import CalloutBlock, QuoteBlock


class CaseStepBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("step"), max_length=80)
    text = blocks.RichTextBlock(label=_("what happened"), features=["bold", "italic", "ol", "ul"])

    class Meta:
        icon = "list-ol"
        label = _("Step")
        template = "casebank/blocks/case_step.html"


class DialogueLineBlock(blocks.StructBlock):
    speaker = blocks.CharBlock(
        label=_("speaker"),
        max_length=20,
        help_text=_("A pseudonym or role, e.g. 小A, 导师, 母亲."),
    )
    words = blocks.TextBlock(label=_("words"), max_length=500)


class DialogueBlock(blocks.StructBlock):
    lines = blocks.ListBlock(DialogueLineBlock(), label=_("lines"))

    class Meta:
        icon = "openquote"
        label = _("Dialogue")
        template = "casebank/blocks/dialogue.html"


class CaseProcessStreamBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"), features=["bold", "italic", "ol", "ul", "h3"]
    )
    step = CaseStepBlock()
    dialogue = DialogueBlock()
    quote = QuoteBlock()
    callout = CalloutBlock()

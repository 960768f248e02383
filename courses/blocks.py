"""StreamField blocks of course and lesson bodies: the shared body blocks plus video and
H5P activities."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from cms.blocks import BodyStreamBlock

VIDEO_EXTENSIONS = ("mp4", "webm", "ogg", "m4v")


class VideoBlock(blocks.StructBlock):
    """A video from a provider (embed URL) or an uploaded file (a document)."""

    embed = EmbedBlock(
        label=_("video URL"), required=False, help_text=_("A link from a video site.")
    )
    file = DocumentChooserBlock(
        label=_("video file"), required=False, help_text=_("Or an uploaded MP4/WebM file.")
    )
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=200)

    def clean(self, value):
        from django.core.exceptions import ValidationError
        from wagtail.blocks import StructBlockValidationError

        value = super().clean(value)
        if bool(value.get("embed")) == bool(value.get("file")):
            raise StructBlockValidationError(
                block_errors={
                    "file": ValidationError(_("Give either a video URL or a video file."))
                }
            )
        document = value.get("file")
        if document and document.file_extension.lower() not in VIDEO_EXTENSIONS:
            raise StructBlockValidationError(
                block_errors={
                    "file": ValidationError(
                        _("The file must be a video (%(types)s).")
                        % {"types": ", ".join(VIDEO_EXTENSIONS)}
                    )
                }
            )
        return value

    class Meta:
        icon = "media"
        label = _("Video")
        template = "courses/blocks/video_block.html"


class H5PActivityBlock(blocks.StructBlock):
    """An interactive H5P activity, played with h5p-standalone; its xAPI statements are sent
    to the server, which decides the score and completion."""

    package = SnippetChooserBlock("courses.H5PPackage", label=_("H5P package"))
    title = blocks.CharBlock(
        label=_("title"),
        required=False,
        max_length=120,
        help_text=_("Defaults to the package's title."),
    )

    class Meta:
        icon = "pick"
        label = _("H5P activity")
        template = "courses/blocks/h5p_activity_block.html"


class CourseDescriptionStreamBlock(BodyStreamBlock):
    """The course overview's body: everyone may read it, so no H5P activities (they would
    play, and try to record, outside a lesson)."""

    video = VideoBlock()


class LessonStreamBlock(BodyStreamBlock):
    video = VideoBlock()
    h5p = H5PActivityBlock()

"""Site settings editors change in the admin: contact details shown in the footer."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    organisation = models.CharField(
        _("organisation"), max_length=100, blank=True, default="青浦区教师进修学院"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    office_hours = models.CharField(_("office hours"), max_length=100, blank=True)
    icp_text = models.CharField(
        _("ICP filing number"), max_length=100, blank=True, help_text=_("For example 沪ICP备…号")
    )
    icp_url = models.URLField(
        _("ICP filing link"), blank=True, default="https://beian.miit.gov.cn/"
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("organisation"),
                FieldPanel("address"),
                FieldPanel("phone"),
                FieldPanel("email"),
                FieldPanel("office_hours"),
            ],
            heading=_("Contact"),
        ),
        MultiFieldPanel([FieldPanel("icp_text"), FieldPanel("icp_url")], heading=_("Filing")),
    ]

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

"""Root URLconf."""

from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms.views import healthz, search, search_autocomplete

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("certification.api.urls")),
    path("search/", search, name="search"),
    path("search/autocomplete/", search_autocomplete, name="search_autocomplete"),
    path("accounts/", include("people.urls")),
    path("", include("courses.urls")),
    path("", include("certification.urls")),
    path("", include("casebank.urls")),
    path("", include("casebank.workflow.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns
    from django.http import Http404
    from django.urls import re_path

    def private_media(request, path):
        # H5P uploads and extracted packages (content.json holds the answers), certificate
        # PDFs and HR exports are served only through access-checked views, never as plain
        # media.
        raise Http404

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += [
        re_path(r"^media/(?P<path>(?:h5p|certificates|exports|imports)/.*)$", private_media)
    ]
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]

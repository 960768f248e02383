"""In development (DEBUG) media files are served by Django, except H5P packages: their
content.json holds the answers, so only courses' access-checked view serves them."""

import importlib

from django.test import override_settings
from django.urls import clear_url_caches, resolve


def test_debug_media_serving_never_exposes_h5p_files():
    import cms.urls

    try:
        with override_settings(DEBUG=True):
            module = importlib.reload(cms.urls)
            match = resolve("/media/h5p/packages/1-abc/content/content.json", module)
            assert match.func.__name__ == "private_media"
            assert resolve("/media/images/photo.jpg", module).func.__name__ == "serve"
    finally:
        importlib.reload(cms.urls)
        clear_url_caches()

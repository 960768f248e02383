"""Public (non-admin) views of certification, one module per area; certification/urls.py
lists their patterns."""

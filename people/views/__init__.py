"""Views of the people app: account pages and admin screens."""

"""The scoring blueprint (its routes live in views.py and views_self.py, which it imports)."""

from flask import Blueprint

bp = Blueprint("scoring", __name__, template_folder="templates")

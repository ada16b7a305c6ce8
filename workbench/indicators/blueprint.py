"""The indicators blueprint (its routes live in views.py and the views_*.py modules it imports)."""

from flask import Blueprint

bp = Blueprint("indicators", __name__, template_folder="templates")

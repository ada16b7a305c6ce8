"""The reports blueprint (its routes live in views.py and the views_*.py modules it imports)."""

from flask import Blueprint

bp = Blueprint("reports", __name__, template_folder="templates")

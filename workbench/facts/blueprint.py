"""The facts blueprint (its routes live in views.py and views_import.py, which it imports)."""

from flask import Blueprint

bp = Blueprint("facts", __name__, template_folder="templates")

"""The surveys blueprint (its routes live in the view_*.py modules that views.py imports)."""

from flask import Blueprint

bp = Blueprint("surveys", __name__, template_folder="templates")

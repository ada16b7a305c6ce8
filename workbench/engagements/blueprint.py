"""The engagements blueprint (its routes live in views.py)."""

from flask import Blueprint

bp = Blueprint("engagements", __name__, template_folder="templates")

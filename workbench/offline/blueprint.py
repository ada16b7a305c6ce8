"""The offline blueprint (its routes live in views.py)."""

from flask import Blueprint

bp = Blueprint("offline", __name__, template_folder="templates")

"""The finance blueprint (its routes live in views.py)."""

from flask import Blueprint

bp = Blueprint("finance", __name__, template_folder="templates")

"""The webhooks blueprint (its routes live in views.py)."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__, template_folder="templates")

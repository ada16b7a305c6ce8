"""The accounts blueprint (its routes live in views.py and views_profile.py, which it imports)."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, template_folder="templates")

"""The surveys blueprint (its routes live in the modules of the views package)."""

from flask import Blueprint

bp = Blueprint("surveys", __name__, template_folder="templates")

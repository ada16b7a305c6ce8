"""A leaf's library benchmark: the series on its edit page, the value it cites, the tree's notice."""

from __future__ import annotations

from flask import current_app, flash, redirect, url_for
from flask_login import current_user

from workbench import db
from workbench.core.forms import flash_errors
from workbench.core.permissions import guarded_object, requires
from workbench.core.timeutil import today_local
from workbench.indicators import benchmarks, services
from workbench.indicators.blueprint import bp
from workbench.indicators.forms import BenchmarkCiteForm
from workbench.indicators.loaders import load_indicator
from workbench.indicators.tree import TreeLeaf, tree_leaf

CITED = TreeLeaf._fields.index("benchmark_value_id")


def horizon() -> dict[str, int]:
    """The current year and the configured horizon, as the benchmark services take them."""
    return {
        "current_year": today_local().year,
        "stale_years": int(current_app.config.get("BENCHMARK_STALE_YEARS", 3)),
    }


def edit_page_context(indicator) -> dict:
    """What the edit page shows of the library's benchmark series for this leaf."""
    if indicator is None:
        return {}
    return {
        "benchmark_series": benchmarks.series_for(db.session(), indicator, **horizon()),
        "cite_form": BenchmarkCiteForm(formdata=None, data={"version": indicator.version}),
        "stale_years": horizon()["stale_years"],
    }


def tree_context(rows: list[tuple]) -> dict:
    """The tree page's notice of cited values since superseded or gone stale (`rows`: the page's
    undecoded tree rows; a tree citing nothing costs no query)."""
    cited = [tree_leaf(row) for row in rows if row[CITED] is not None]
    return {
        "benchmark_notices": benchmarks.notices(db.session(), cited, **horizon()),
        "stale_years": horizon()["stale_years"],
    }


@bp.route(
    "/engagements/<int:engagement_id>/indicators/<int:indicator_id>/benchmark", methods=["POST"]
)
@requires("indicators.edit", load=load_indicator)
def cite_benchmark(engagement_id: int, indicator_id: int):
    engagement = guarded_object()
    indicator = services.get_indicator(db.session(), engagement, indicator_id)
    form = BenchmarkCiteForm()
    back = url_for("indicators.edit", engagement_id=engagement_id, indicator_id=indicator_id)
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(back + "#benchmark-cite")
    benchmarks.cite(
        db.session(),
        actor=current_user,
        engagement=engagement,
        indicator=indicator,
        value_id=form.value_id.data,
        version=form.version.data,
    )
    if form.value_id.data is None:
        flash(f"“{indicator.name}”已不再引用指标库基准值", "success")
    else:
        flash(f"“{indicator.name}”已引用所选基准值", "success")
    return redirect(back + "#benchmark-cite")

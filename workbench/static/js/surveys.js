// Survey pages: charts on the statistics page, the keyboard paper-entry screen, the poster's
// print button. Every page works without this file (CSP forbids inline scripts; data comes
// from a JSON script tag or data-* attributes).
(function () {
  "use strict";

  // --- statistics charts ---------------------------------------------------------------------
  function readJson(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  // The tooltip names the row in full (the axis shows a matrix row by its sub-question only).
  function fullTitle(titles, unit) {
    return function (params) {
      var list = Array.isArray(params) ? params : [params];
      var index = list.length ? list[0].dataIndex : 0;
      var lines = [escapeText((titles && titles[index]) || (list[0] && list[0].name) || "")];
      list.forEach(function (p) {
        var value = p.value === null || p.value === undefined ? "—" : p.value + unit;
        lines.push(p.marker + escapeText(p.seriesName) + "：" + value);
      });
      return lines.join("<br>");
    };
  }

  function escapeText(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function drawCharts() {
    var data = readJson("survey-chart-data");
    if (!data || typeof window.echarts === "undefined") return;
    var levels = document.getElementById("chart-levels");
    if (levels && data.items.length) {
      var chart = window.echarts.init(levels);
      chart.setOption({
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: fullTitle(data.item_titles, "%") },
        legend: { top: 0 },
        grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
        xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        yAxis: { type: "category", inverse: true, data: data.items, axisLabel: { width: 180, overflow: "truncate" } },
        series: data.levels.map(function (level, k) {
          return { name: level, type: "bar", stack: "share", data: data.percents.map(function (row) { return row[k]; }) };
        })
      });
      window.addEventListener("resize", function () { chart.resize(); });
    }
    var rates = document.getElementById("chart-rates");
    if (rates && data.labels.length) {
      var bars = window.echarts.init(rates);
      bars.setOption({
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: fullTitle(data.label_titles, "") },
        legend: { top: 0 },
        grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
        xAxis: { type: "value", max: 100 },
        yAxis: { type: "category", inverse: true, data: data.labels, axisLabel: { width: 140, overflow: "truncate" } },
        series: [
          { name: "满意率（%）", type: "bar", data: data.rates },
          { name: "满意度指数", type: "bar", data: data.scores }
        ]
      });
      window.addEventListener("resize", function () { bars.resize(); });
    }
  }

  // --- paper entry: digits pick options, single choices move on by themselves -----------------
  function entryInputs(form) {
    return Array.prototype.slice.call(form.querySelectorAll("[data-entry-input]"));
  }

  function labelsOf(input) {
    try { return JSON.parse(input.getAttribute("data-entry-labels") || "[]"); } catch (e) { return []; }
  }

  function showChoice(input) {
    var cell = input.closest("tr") && input.closest("tr").querySelector("[data-entry-shown]");
    if (!cell) return;
    var labels = labelsOf(input);
    if (!labels.length) return;
    var value = input.value.trim();
    var digits = labels.length <= 9 ? value.replace(/[^0-9]/g, "").split("") : value.split(/[\s,，、]+/);
    var shown = digits.filter(Boolean).map(function (d) {
      var label = labels[parseInt(d, 10) - 1];
      return label ? d + " " + label : d + " ？";
    });
    cell.textContent = shown.join("、");
    input.classList.toggle("is-invalid", shown.some(function (s) { return s.slice(-1) === "？"; }));
  }

  function focusNext(inputs, input) {
    var next = inputs[inputs.indexOf(input) + 1];
    if (next) { next.focus(); next.select && next.select(); }
  }

  function setUpEntry() {
    var form = document.getElementById("entry-form");
    if (!form) return;
    var inputs = entryInputs(form);
    inputs.forEach(function (input) {
      showChoice(input);
      input.addEventListener("input", function () { showChoice(input); });
      if (input.getAttribute("data-entry-kind") !== "single") return;
      input.addEventListener("keydown", function (event) {
        var labels = labelsOf(input);
        if (labels.length > 9 || !/^[0-9]$/.test(event.key)) return;
        var n = parseInt(event.key, 10);
        event.preventDefault();
        if (n >= 1 && n <= labels.length) {
          input.value = String(n);
          showChoice(input);
          focusNext(inputs, input);
        }
      });
    });
  }

  // --- poster: print button --------------------------------------------------------------------
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    setUpEntry();
  });
})();

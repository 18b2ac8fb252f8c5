/* The equation rules (R1–R6, R14, R19) evaluated in the browser, as the reviewer types.
 *
 * The equations are not written here: the page embeds reports.rules.declarative_rules_json(), the same
 * SumEquals / SumAtMost objects the server's rules.evaluate() runs, and this file only sums, compares and fills
 * the message templates the way reports/rules.py does (_equation_issue, _partial_issue, _parts_note,
 * _blank_note). The server stays the judge: on save it evaluates every rule again and stores the issues.
 */
(function () {
  "use strict";

  var INVALID = { invalid: true };

  function fmt(v) {
    if (v === null || v === undefined) { return "空白"; }
    return String(v);
  }

  function format(template, fields) {
    return template.replace(/\{(\w+)\}/g, function (m, name) {
      return Object.prototype.hasOwnProperty.call(fields, name) ? String(fields[name]) : m;
    });
  }

  // values: key -> number | null (blank) | INVALID; printed: printed subtotals (key -> number | null);
  // missing: keys the parser could not read (unknown while still blank).
  function Context(values, printed, missing) {
    var self = this;
    this.num = {};
    this.blank = {};
    this.invalid = {};
    function take(key, v) {
      if (v === null || v === undefined) { self.blank[key] = true; }
      else if (v === INVALID) { self.invalid[key] = true; }
      else { self.num[key] = v; }
    }
    Object.keys(values).forEach(function (k) { take(k, values[k]); });
    Object.keys(printed || {}).forEach(function (k) { take(k, printed[k]); });
    this.missing = {};
    (missing || []).forEach(function (k) { if (self.blank[k]) { self.missing[k] = true; } });
  }
  Context.prototype.n = function (key) { return Object.prototype.hasOwnProperty.call(this.num, key) ? this.num[key] : 0; };
  Context.prototype.isBlank = function (key) { return !Object.prototype.hasOwnProperty.call(this.num, key) && !this.invalid[key]; };
  Context.prototype.sum = function (keys) {
    var self = this;
    return keys.reduce(function (t, k) { return t + self.n(k); }, 0);
  };
  Context.prototype.known = function (keys) {
    var self = this;
    return !keys.some(function (k) { return self.invalid[k] || self.missing[k]; });
  };

  function allBlank(ctx, keys) { return keys.every(function (k) { return ctx.isBlank(k); }); }

  function blankNote(ctx, keys) {
    var n = keys.filter(function (k) { return ctx.isBlank(k); }).length;
    return n ? "（其中 " + n + " 格空白，按 0 计）" : "";
  }

  function partsNote(ctx, eq) {
    var sides = [];
    [[eq.left, eq.left_parts], [eq.right, eq.right_parts]].forEach(function (side) {
      var keys = side[0], names = side[1];
      if (!names || !names.length || keys.length < 2) { return; }
      var pairs = keys.map(function (k, i) { return [names[i], ctx.n(k)]; });
      if (pairs.length > 4) {
        var shown = pairs.filter(function (p) { return p[1] !== 0; }).map(function (p) { return p[0] + " " + fmt(p[1]); });
        var more = shown.length > 8 ? " 等 " + shown.length + " 项" : "";
        sides.push(shown.length ? "非零项：" + shown.slice(0, 8).join("，") + more : "各项均为 0");
      } else {
        sides.push(pairs.map(function (p) { return p[0] + " " + fmt(p[1]); }).join(" + "));
      }
    });
    return sides.length ? "（" + sides.join("；") + "）" : "";
  }

  function fails(eq, ctx) {
    if (!ctx.known(eq.keys) || allBlank(ctx, eq.keys)) { return false; }
    return ctx.sum(eq.left) !== ctx.sum(eq.right);
  }

  function partialIssue(rule, eq, ctx) {
    var missingLeft = eq.left.filter(function (k) { return ctx.missing[k]; });
    var missingRight = eq.right.filter(function (k) { return ctx.missing[k]; });
    if ((missingLeft.length && missingRight.length) || eq.keys.some(function (k) { return ctx.n(k) < 0; })) { return null; }
    var partialKeys, partialName, boundKeys, boundName;
    if (missingLeft.length) {
      partialKeys = eq.left; partialName = eq.left_name; boundKeys = eq.right; boundName = eq.right_name;
    } else {
      partialKeys = eq.right; partialName = eq.right_name; boundKeys = eq.left; boundName = eq.left_name;
    }
    var partial = ctx.sum(partialKeys), bound = ctx.sum(boundKeys);
    if (partial <= bound) { return null; }
    return format(rule.variants.partial, {
      where: eq.where, bound_name: boundName, bound: fmt(bound), partial_name: partialName, partial: fmt(partial),
      delta: fmt(partial - bound), missing: (missingLeft.length || missingRight.length)
    });
  }

  function equationMessage(rule, eq, ctx, equations) {
    if (eq.kind === "equals" && eq.only_if_printed && !Object.prototype.hasOwnProperty.call(ctx.num, eq.only_if_printed)) {
      return null;
    }
    var keys = eq.keys;
    if (keys.some(function (k) { return ctx.invalid[k]; }) || allBlank(ctx, keys)) { return null; }
    if (keys.some(function (k) { return ctx.missing[k]; })) {
      return eq.kind === "equals" ? partialIssue(rule, eq, ctx) : null;
    }
    var left = ctx.sum(eq.left), right = ctx.sum(eq.right), detail = "";
    if (eq.kind === "equals") {
      if (left === right) { return null; }
      detail = partsNote(ctx, eq);
    } else {
      var guard = eq.unless_fails !== undefined ? equations[eq.unless_fails] : null;
      if (left <= right || (guard && fails(guard, ctx))) { return null; }
    }
    return format(rule.message, {
      where: eq.where, left_name: eq.left_name, right_name: eq.right_name, left: fmt(left), right: fmt(right),
      delta: fmt(Math.abs(left - right)), detail: detail,
      blanks: blankNote(ctx, keys.filter(function (k) { return !ctx.missing[k]; }))
    });
  }

  // The failing equations: [{rule, severity, keys, message}] in rule order, like rules.evaluate().
  function evaluate(spec, values, printed, missing) {
    var ctx = new Context(values, printed, missing);
    var out = [];
    spec.rules.forEach(function (rule) {
      rule.equations.forEach(function (i) {
        var eq = spec.equations[i];
        var message = equationMessage(rule, eq, ctx, spec.equations);
        if (message !== null) {
          out.push({ rule: rule.code, severity: rule.severity, keys: eq.keys, message: message });
        }
      });
    });
    return out;
  }

  window.NianbaoRules = { evaluate: evaluate, INVALID: INVALID };
})();

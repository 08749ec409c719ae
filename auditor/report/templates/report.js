(() => {
  "use strict";
  // Every value in DATA may come from Azure and is attacker-controlled: this
  // script only ever creates elements and sets textContent or inert attributes.
  const DATA = JSON.parse(document.getElementById("data").textContent);
  // The display orders of report/common.py (from the enums), not copies.
  const SEVERITY_ORDER = DATA.vocabulary.severity;
  const PAGE_SIZE = 50;
  const NOT_IN_RESULT = "Not in this result";
  const REFUSED_ATTRIBUTE = /^(on|href$|src$|srcdoc$|style$|action$|formaction$|xlink:href$)/i;
  const SHOWN_ATTRIBUTE = /^(title|aria-label)$/i;
  // Controls, bidi overrides and separators would reorder or hide what is read; they are
  // shown as \u202e-style text instead (the same set as report/common.py).
  const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

  function visible(text) {
    return String(text).replace(INVISIBLE, (ch) => "\\u" + ch.charCodeAt(0).toString(16).padStart(4, "0"));
  }

  // Inert attributes and child nodes only, for HTML and SVG elements alike.
  function fill(node, attrs, children) {
    for (const [name, value] of Object.entries(attrs || {})) {
      if (REFUSED_ATTRIBUTE.test(name)) throw new Error("refused attribute " + name);
      node.setAttribute(name, SHOWN_ATTRIBUTE.test(name) ? visible(value) : String(value));
    }
    for (const child of children || []) {
      if (child !== null && child !== undefined) node.append(typeof child === "string" ? visible(child) : child);
    }
    return node;
  }

  function el(tag, options, children) {
    const node = document.createElement(tag);
    const settings = options || {};
    if (settings.className) node.className = settings.className;
    if (settings.text !== undefined) node.textContent = visible(settings.text);
    return fill(node, settings.attrs, children);
  }

  function str(value, fallback) {
    if (value === null || value === undefined || value === "") return fallback === undefined ? "" : fallback;
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  }

  function isPlainObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function displayName(resource) {
    let name = str(resource.name, "(unnamed)");
    if (resource.slot && !name.endsWith("/" + resource.slot)) name += "/" + resource.slot;
    return name;
  }

  function resourceGroupOf(id) {
    const match = /\/resourceGroups\/([^/?#]+)/i.exec(str(id));
    return match ? match[1] : "";
  }

  function severityRank(severity) {
    const index = SEVERITY_ORDER.indexOf(severity);
    return index < 0 ? SEVERITY_ORDER.length : index;
  }

  // ---- records -----------------------------------------------------------

  const resources = (DATA.resources || []).map((resource, index) => {
    const inbound = resource.inbound || {};
    const plan = resource.plan || {};
    return {
      index,
      resource,
      id: str(resource.id),
      name: displayName(resource),
      resource_group: str(resource.resource_group, resourceGroupOf(resource.id)),
      hosting: str(resource.hosting, "unknown"),
      os: str(resource.os),
      sku: str(plan.sku),
      inbound: str(inbound.main, "unknown"),
      scm: str(inbound.scm, "unknown"),
      outbound: str(resource.outbound, "unknown"),
      fails: { high: 0, medium: 0, low: 0, info: 0 },
      severities: new Set(),
      findings: [],
      haystack: "",
    };
  });
  const resourceById = new Map(resources.map((record) => [record.id.toLowerCase(), record]));

  // Decided in Python, beside the findings (same order), so the page counts and words them as
  // every other report does: failing as auditor/counts.py counts it, the waiver note of waivers.py.
  const FAILING = Array.isArray(DATA.failing) ? DATA.failing : [];
  const WAIVER_NOTES = Array.isArray(DATA.waiver_notes) ? DATA.waiver_notes : [];

  const findings = (DATA.findings || []).map((finding, index) => {
    const owner = resourceById.get(str(finding.resource_id).toLowerCase());
    const waiver = str(WAIVER_NOTES[index]);
    const record = {
      index,
      finding,
      owner,
      severity: str(finding.severity, "unknown"),
      status: str(finding.status),
      category: str(finding.category),
      rule: str(finding.rule_id),
      resource: owner ? owner.name : str(finding.resource_id),
      resource_group: owner ? owner.resource_group : resourceGroupOf(finding.resource_id),
      hosting: owner ? owner.hosting : "unknown",
      message: (waiver ? `[${waiver}] ` : "") + str(finding.message),
      waived: isPlainObject(finding.waived),
      failing: FAILING[index] === true,
      waiver,
      fix: isPlainObject((DATA.fixes || [])[index]) ? DATA.fixes[index] : null,
    };
    // What free-text search matches: rule, title, message, resource name, group and id.
    record.haystack = [record.rule, str(finding.title), record.message, record.resource, record.resource_group,
      str(finding.resource_id)].join("\n").toLowerCase();
    if (owner) {
      owner.findings.push(record);
      owner.severities.add(record.severity);
      if (record.failing && record.severity in owner.fails) owner.fails[record.severity] += 1;
    }
    return record;
  });

  for (const record of resources) {
    const tags = isPlainObject(record.resource.tags) ? record.resource.tags : {};
    const tagText = Object.entries(tags).map(([key, value]) => key + "=" + str(value)).join("\n");
    record.haystack = [record.name, record.id, record.resource_group, str(record.resource.location), tagText]
      .join("\n").toLowerCase();
    record.failTotal = SEVERITY_ORDER.reduce((sum, severity) => sum + record.fails[severity], 0);
  }

  // ---- generic pieces ----------------------------------------------------

  function badge(kind, value) {
    return el("span", { className: kind + " " + kind + "-" + value.replace(/[^a-z0-9_-]/gi, ""), text: value });
  }

  function valueNode(value) {
    if (Array.isArray(value)) {
      if (value.length === 0) return el("span", { className: "empty", text: "(none)" });
      if (value.every((item) => !isPlainObject(item) && !Array.isArray(item))) {
        return el("span", { text: value.map((item) => str(item, "null")).join(", ") });
      }
      return el("ul", {}, value.map((item) => el("li", {}, [valueNode(item)])));
    }
    if (isPlainObject(value)) return keyValues(value);
    if (value === null || value === undefined) return el("span", { className: "empty", text: "null" });
    return el("span", { text: String(value) });
  }

  function keyValues(object) {
    const entries = Object.entries(object || {});
    if (entries.length === 0) return el("span", { className: "empty", text: "(none)" });
    const list = el("dl", { className: "kv" });
    for (const [key, value] of entries) list.append(el("dt", { text: key }), el("dd", {}, [valueNode(value)]));
    return list;
  }

  function block(title, content, wide) {
    return el("div", { className: wide ? "detail-block wide" : "detail-block" }, [el("h4", { text: title }), content]);
  }

  const LEARN_URL = /^https:\/\/learn\.microsoft\.com\/[A-Za-z0-9._~\/#?=&%+-]*$/;

  function referenceNode(reference) {
    if (!isPlainObject(reference)) return el("span", { className: "empty", text: NOT_IN_RESULT });
    const parts = [str(reference.edition), str(reference.doc), str(reference.section)].filter(Boolean);
    const wrapper = el("span", { text: "Edition " + parts.join(" · ") });
    const url = str(reference.url);
    // Only Microsoft Learn pages become links; any other address (javascript:, data:, another
    // host) stays out of the page.
    if (LEARN_URL.test(url)) {
      const link = el("a", { text: url, attrs: { rel: "noopener noreferrer" } });
      link.href = url;
      wrapper.append(" ", link);
    }
    return wrapper;
  }

  // The fix's commands (quoted for bash by the auditor) with a copy button; nothing here runs them.
  function fixNode(fix) {
    const text = str(fix.text);
    const pre = el("pre", { className: "fix-commands" }, [el("code", { text: text })]);
    const status = el("span", { className: "copy-status", attrs: { role: "status" } });
    const copy = el("button", { text: "Copy commands", attrs: { type: "button" } });
    copy.addEventListener("click", () => {
      const selectInstead = () => {
        window.getSelection().selectAllChildren(pre);
        status.textContent = "Selected: press Ctrl+C (or ⌘C) to copy.";
      };
      if (!navigator.clipboard || !navigator.clipboard.writeText) {
        selectInstead();
        return;
      }
      navigator.clipboard.writeText(text).then(
        () => { status.textContent = "Copied. Review before running."; },
        selectInstead,
      );
    });
    const parts = [el("p", { text: str(fix.summary) })];
    if (fix.caution) parts.push(el("p", { className: "fix-caution", text: "Caution: " + str(fix.caution) }));
    parts.push(pre, el("div", {}, [copy, " ", status]));
    const properties = Array.isArray(fix.properties) ? fix.properties.filter(isPlainObject) : [];
    if (properties.length) {
      parts.push(el("p", { text: "Bicep/ARM:" }), el("ul", {}, properties.map((property) => el("li", {}, [
        el("code", { text: str(property.resource_type) + (property.name ? " '" + str(property.name) + "'" : "") + " " + str(property.path) + " = " + JSON.stringify(property.value) }),
      ]))));
    }
    return el("div", { className: "fix" }, parts);
  }

  function matrixLink() {
    const link = el("a", { text: "Show in the capability matrix" });
    link.href = "#matrix";
    return link;
  }

  function compare(left, right) {
    if (typeof left === "number" && typeof right === "number") return left - right;
    return String(left).localeCompare(String(right), undefined, { numeric: true, sensitivity: "base" });
  }

  class Table {
    constructor(options) {
      Object.assign(this, options);
      this.table = document.getElementById(options.tableId);
      this.body = this.table.querySelector("tbody");
      this.form = document.getElementById(options.formId);
      this.statusLine = document.getElementById(options.statusId);
      this.pager = document.getElementById(options.pagerId);
      this.page = 0;
      this.pageSize = PAGE_SIZE;
      this.expanded = new Set();
      this.sortDirection = 1;
      this.filtered = [];
      this.bind();
    }

    bind() {
      for (const button of this.table.querySelectorAll("thead button[data-sort]")) {
        button.addEventListener("click", () => this.sortBy(button.dataset.sort));
      }
      this.form.addEventListener("submit", (event) => event.preventDefault());
      let pending = 0;
      // A search field fires "change" again when it loses focus; redrawing then
      // would replace the button being clicked, so redraw only on a real change.
      const refreshIfChanged = () => {
        window.clearTimeout(pending);
        if (JSON.stringify(this.filters()) !== this.appliedFilters) this.refresh(true);
      };
      this.form.addEventListener("input", () => {
        window.clearTimeout(pending);
        pending = window.setTimeout(refreshIfChanged, 120);
      });
      this.form.addEventListener("change", refreshIfChanged);
      // The user's Clear button: redraw once the form has reset. setFilters resets it too,
      // and its caller redraws (reveal() on the right page): no second redraw then.
      this.form.addEventListener("reset", () => {
        if (!this.settingFilters) window.setTimeout(() => this.refresh(true), 0);
      });
      for (const button of this.pager.querySelectorAll("button[data-page]")) {
        button.addEventListener("click", () => this.turn(button.dataset.page));
      }
    }

    filters() {
      const values = {};
      for (const control of this.form.elements) {
        if (control.name) values[control.name] = control.value.trim();
      }
      return values;
    }

    setFilters(values) {
      this.settingFilters = true;
      try {
        this.form.reset();
      } finally {
        this.settingFilters = false;
      }
      for (const [name, value] of Object.entries(values)) {
        const control = this.form.elements.namedItem(name);
        if (control && "value" in control) control.value = value;
      }
      if (this.onFilters) this.onFilters(this.filters());
    }

    sortBy(key) {
      this.sortDirection = this.sortKey === key ? -this.sortDirection : 1;
      this.sortKey = key;
      for (const header of this.table.querySelectorAll("thead th")) {
        const button = header.querySelector("button[data-sort]");
        if (!button) continue;
        const active = button.dataset.sort === key;
        header.setAttribute("aria-sort", active ? (this.sortDirection > 0 ? "ascending" : "descending") : "none");
      }
      this.refresh(false);
    }

    turn(where) {
      const last = Math.max(0, Math.ceil(this.filtered.length / this.pageSize) - 1);
      if (where === "first") this.page = 0;
      else if (where === "previous") this.page = Math.max(0, this.page - 1);
      else if (where === "next") this.page = Math.min(last, this.page + 1);
      else if (where === "last") this.page = last;
      this.draw();
    }

    refresh(resetPage) {
      const values = this.filters();
      this.appliedFilters = JSON.stringify(values);
      if (this.onFilters) this.onFilters(values);
      const query = (values.q || "").toLowerCase();
      this.filtered = this.rows.filter((record) => this.matches(record, values, query));
      if (this.onFiltered) this.onFiltered(this.filtered);
      if (this.sortKey) {
        const key = this.sortValue;
        const field = this.sortKey;
        this.filtered.sort((a, b) => this.sortDirection * compare(key(a, field), key(b, field)) || a.index - b.index);
      }
      if (resetPage) this.page = 0;
      this.draw();
    }

    draw() {
      const total = this.filtered.length;
      const pages = Math.max(1, Math.ceil(total / this.pageSize));
      this.page = Math.min(this.page, pages - 1);
      const start = this.page * this.pageSize;
      const visible = this.filtered.slice(start, start + this.pageSize);
      const fragment = document.createDocumentFragment();
      for (const record of visible) {
        const isOpen = this.expanded.has(record.index);
        const row = this.renderRow(record, isOpen);
        row.dataset.index = String(record.index);
        fragment.append(row);
        if (isOpen) {
          const cell = el("td", { attrs: { colspan: this.columns } }, [this.renderDetail(record)]);
          fragment.append(el("tr", { className: "detail-row", attrs: { id: this.detailId(record) } }, [cell]));
        }
      }
      if (visible.length === 0) {
        fragment.append(el("tr", { className: "empty-row" }, [
          el("td", { text: "Nothing matches these filters.", attrs: { colspan: this.columns } }),
        ]));
      }
      this.body.replaceChildren(fragment);
      const shownTo = Math.min(total, start + this.pageSize);
      this.statusLine.textContent = total === 0
        ? "No " + this.noun + " match (" + this.rows.length + " in the report)."
        : "Showing " + (start + 1) + "–" + shownTo + " of " + total + " " + this.noun +
          (total === this.rows.length ? "" : " (filtered from " + this.rows.length + ")") + ".";
      this.statusLine.dataset.matching = String(total);
      this.pager.querySelector(".page-label").textContent = "Page " + (this.page + 1) + " of " + pages;
      this.pager.querySelector('[data-page="first"]').disabled = this.page === 0;
      this.pager.querySelector('[data-page="previous"]').disabled = this.page === 0;
      this.pager.querySelector('[data-page="next"]').disabled = this.page >= pages - 1;
      this.pager.querySelector('[data-page="last"]').disabled = this.page >= pages - 1;
    }

    detailId(record) {
      return this.noun + "-detail-" + record.index;
    }

    toggleButton(record, isOpen, label) {
      const button = el("button", {
        className: "toggle",
        text: isOpen ? "Hide" : "Details",
        attrs: { type: "button", "aria-expanded": isOpen ? "true" : "false", "aria-label": (isOpen ? "Hide " : "Show ") + label },
      });
      if (isOpen) button.setAttribute("aria-controls", this.detailId(record));
      button.addEventListener("click", () => {
        if (this.expanded.has(record.index)) this.expanded.delete(record.index);
        else this.expanded.add(record.index);
        this.draw();
        const again = this.body.querySelector('tr[data-index="' + record.index + '"] button.toggle');
        if (again) again.focus();
      });
      return button;
    }

    reveal(record) {
      this.setFilters({});
      this.refresh(true);
      const position = this.filtered.indexOf(record);
      if (position < 0) return null;
      this.page = Math.floor(position / this.pageSize);
      this.expanded.add(record.index);
      this.draw();
      return this.body.querySelector('tr[data-index="' + record.index + '"]');
    }
  }

  // ---- findings ----------------------------------------------------------

  const viewLabel = document.getElementById("findings-view-label");
  const viewButtons = Array.from(document.querySelectorAll(".view-button"));

  const findingsTable = new Table({
    noun: "findings",
    tableId: "findings-table",
    formId: "findings-filters",
    statusId: "findings-status",
    pagerId: "findings-pager",
    columns: 8,
    rows: findings,
    matches(record, values, query) {
      return (!values.severity || record.severity === values.severity) &&
        (!values.category || record.category === values.category) &&
        (!values.status || record.status === values.status) &&
        (!values.rule || record.rule === values.rule) &&
        (!values.hosting || record.hosting === values.hosting) &&
        (!values.resource_group || record.resource_group === values.resource_group) &&
        (!query || record.haystack.includes(query));
    },
    sortValue(record, field) {
      return field === "severity" ? severityRank(record.severity) : record[field];
    },
    onFilters(values) {
      for (const button of viewButtons) {
        button.setAttribute("aria-pressed", button.dataset.view === values.category ? "true" : "false");
      }
      viewLabel.textContent = values.category ? visible("· " + values.category + " view") : "";
      document.body.dataset.view = values.category || "all";
    },
    renderRow(record, isOpen) {
      const resourceCell = el("td", { className: "resource" }, [record.resource]);
      return el("tr", { className: "finding-row row-status-" + record.status.replace(/[^a-z]/gi, "") }, [
        el("td", {}, [badge("sev", record.severity)]),
        el("td", {}, [badge("status", record.status)]),
        el("td", { text: record.category }),
        el("td", {}, [el("code", { text: record.rule })]),
        resourceCell,
        el("td", { text: record.hosting }),
        el("td", { className: "message", text: record.message }),
        el("td", {}, [this.toggleButton(record, isOpen, record.rule + " on " + record.resource)]),
      ]);
    },
    renderDetail(record) {
      const finding = record.finding;
      const openResource = el("button", { text: "Open resource detail", attrs: { type: "button" } });
      openResource.disabled = !record.owner;
      openResource.addEventListener("click", () => showResource(record.owner));
      const remediation = finding.remediation === undefined || finding.remediation === null
        ? el("span", { className: "empty", text: NOT_IN_RESULT })
        : el("p", { text: str(finding.remediation) });
      return el("div", { className: "detail finding-detail" }, [
        el("h3", { text: str(finding.title, record.rule) }),
        el("p", { text: record.message }),
        el("div", { className: "detail-grid" }, [
          block("Evidence", keyValues(isPlainObject(finding.evidence) ? finding.evidence : { value: finding.evidence })),
          record.waiver ? block("Waiver", el("p", { text: record.waiver })) : null,
          block("Remediation", remediation),
          record.fix ? block("Fix (Azure CLI, bash; review before running)", fixNode(record.fix), true) : null,
          block("Reference", referenceNode(finding.reference)),
          isPlainObject(finding.matrix_cell)
            ? block("Capability matrix cell", el("div", {}, [keyValues(finding.matrix_cell), matrixLink()])) : null,
          block("Resource", el("div", {}, [el("code", { className: "wrap", text: str(finding.resource_id) }), el("br"), openResource])),
          block("Fingerprint", el("code", { className: "wrap", text: str(finding.fingerprint, "—") })),
        ]),
      ]);
    },
  });

  for (const button of viewButtons) {
    button.addEventListener("click", () => {
      findingsTable.form.elements.namedItem("category").value = button.dataset.view;
      findingsTable.refresh(true);
    });
  }

  // ---- resources ---------------------------------------------------------

  function evaluationOrder(rules) {
    return rules
      .map((rule, index) => ({ rule, index }))
      .sort((a, b) => {
        const left = typeof a.rule.priority === "number" ? a.rule.priority : Number.MAX_SAFE_INTEGER;
        const right = typeof b.rule.priority === "number" ? b.rule.priority : Number.MAX_SAFE_INTEGER;
        const leftPosition = typeof a.rule.position === "number" ? a.rule.position : a.index;
        const rightPosition = typeof b.rule.position === "number" ? b.rule.position : b.index;
        return left - right || leftPosition - rightPosition;
      })
      .map((entry) => entry.rule);
  }

  function headerText(headers) {
    if (!isPlainObject(headers)) return "";
    return Object.entries(headers)
      .map(([name, values]) => name + ": " + (Array.isArray(values) ? values.map((v) => str(v)).join(", ") : str(values)))
      .join("; ");
  }

  function ruleSource(rule) {
    const parts = [];
    if (rule.ip_address) parts.push(str(rule.ip_address));
    if (rule.tag && rule.tag !== "Default") parts.push("(" + str(rule.tag) + ")");
    if (rule.vnet_subnet_resource_id) parts.push("subnet " + str(rule.vnet_subnet_resource_id));
    return parts.join(" ") || "—";
  }

  function accessRulesNode(resource, site) {
    const lists = resource.access_rules;
    if (!isPlainObject(lists) || !Array.isArray(lists[site])) {
      return el("p", { className: "empty", text: NOT_IN_RESULT });
    }
    const detail = isPlainObject(resource.inbound_detail) && isPlainObject(resource.inbound_detail[site])
      ? resource.inbound_detail[site] : {};
    const rules = evaluationOrder(lists[site].filter(isPlainObject));
    const flagged = rules.some(isFlaggedDeciding);
    const wrapper = el("div", { className: "rules rules-" + site });
    const verdict = detail.verdict || detail.exposure || (resource.inbound || {})[site];
    const why = [detail.reason, detail.deciding].filter(Boolean).map((part) => str(part)).join("; ");
    wrapper.append(el("p", { className: "verdict-line", text: "Verdict: " + str(verdict, "unknown") + (why ? " (" + why + ")" : "") }));
    const defaultAction = lists[site + "_default_action"];
    const facts = [];
    if (site === "scm" && lists.scm_uses_main === true) facts.push("The SCM site uses the main site's rules.");
    if (defaultAction !== undefined) facts.push("Explicit default action: " + str(defaultAction, "not set"));
    if (detail.effective_default_action) facts.push("Effective default action: " + str(detail.effective_default_action));
    if (facts.length) wrapper.append(el("p", { className: "hint", text: facts.join(" · ") }));
    if (rules.length === 0) {
      wrapper.append(el("p", { className: "empty", text: "No rules in this list: the default action applies." }));
      return wrapper;
    }
    const header = el("tr", {}, ["#", "Priority", "Action", "Name", "Source", "Headers", "Description", "Decides"]
      .map((label) => el("th", { text: label, attrs: { scope: "col" } })));
    const body = el("tbody");
    let decidedShown = false;
    rules.forEach((rule, order) => {
      const deciding = flagged ? isFlaggedDeciding(rule) : !decidedShown && isNamedDeciding(rule, detail.deciding_rule);
      decidedShown = decidedShown || deciding;
      body.append(el("tr", { className: deciding ? "deciding" : "" }, [
        el("td", { text: String(order + 1) }),
        el("td", { text: str(rule.priority, "—") }),
        el("td", {}, [badge("action", str(rule.action, "?"))]),
        el("td", { text: str(rule.name, "(unnamed)") }),
        el("td", { className: "wrap", text: ruleSource(rule) }),
        el("td", { className: "wrap", text: headerText(rule.headers) }),
        el("td", { className: "wrap", text: str(rule.description) }),
        el("td", { className: "decides", text: deciding ? "◆ deciding rule" : "" }),
      ]));
    });
    wrapper.append(el("table", { className: "rule-table" }, [
      el("caption", { className: "visually-hidden", text: site + " access rules in evaluation order" }),
      el("thead", {}, [header]),
      body,
    ]));
    if (!decidedShown) {
      wrapper.append(el("p", { className: "hint", text: "No rule matches every source: the effective default action decides." }));
    }
    return wrapper;
  }

  // Results mark the deciding rule on the rule itself ("deciding"/"decides"), or
  // name it in inbound_detail, by name or as a copy of the rule.
  function isFlaggedDeciding(rule) {
    return rule.deciding === true || rule.decides === true;
  }

  function isNamedDeciding(rule, named) {
    if (named === null || named === undefined || named === "") return false;
    if (!isPlainObject(named)) return str(rule.name) === str(named);
    if (typeof named.position === "number" && typeof rule.position === "number") return named.position === rule.position;
    return str(rule.name) === str(named.name) && str(rule.priority) === str(named.priority);
  }

  function optional(resource, key, render) {
    if (!(key in resource)) return el("p", { className: "empty", text: NOT_IN_RESULT });
    const value = resource[key];
    if (value === null) return el("p", { className: "empty", text: "None" });
    return render(value);
  }

  function listOrMissing(value, render) {
    if (!Array.isArray(value)) return el("p", { className: "empty", text: NOT_IN_RESULT });
    if (value.length === 0) return el("p", { className: "empty", text: "None" });
    return el("ul", {}, value.map((item) => el("li", {}, [render(item)])));
  }

  function triggerText(trigger) {
    if (!isPlainObject(trigger)) return str(trigger);
    const level = trigger.auth_level || trigger.authLevel;
    return str(trigger.type, "?") + (level ? " (authLevel " + str(level) + ")" : "");
  }

  function renderResourceDetail(record) {
    const resource = record.resource;
    const plan = isPlainObject(resource.plan) ? resource.plan : null;
    const vnet = isPlainObject(resource.vnet_integration) ? resource.vnet_integration : null;
    const planFacts = {
      hosting: record.hosting,
      os: record.os,
      kind: resource.kind,
      location: resource.location,
      resource_group: record.resource_group,
      slot: resource.slot,
      plan_sku: plan ? plan.sku : null,
      plan_tier: plan ? plan.tier : null,
      plan_id: plan ? plan.id : null,
      public_network_access: resource.public_network_access,
      https_only: resource.https_only,
      id: record.id,
    };
    for (const key of Object.keys(planFacts)) if (planFacts[key] === undefined) delete planFacts[key];
    const findingList = record.findings.length === 0
      ? el("p", { className: "empty", text: "No failing or unknown finding." })
      : el("ul", {}, record.findings.map((item) => el("li", {}, [
        badge("sev", item.severity), " ", badge("status", item.status), " ", el("code", { text: item.rule }), " " + item.message,
      ])));
    const functionsNode = listOrMissing(resource.functions, (fn) => {
      const triggers = Array.isArray(fn.triggers) ? fn.triggers.map(triggerText).join(", ") : "";
      return el("span", {}, [el("strong", { text: str(fn.name, "(unnamed)") }), ": " + (triggers || "no trigger")]);
    });
    return el("div", { className: "detail resource-detail" }, [
      el("h3", { text: record.name }),
      el("div", { className: "detail-grid" }, [
        block("Plan and hosting", keyValues(planFacts)),
        block("Network picture: how traffic reaches and leaves this app", networkPicture(record), true),
        block("Main site access rules (evaluation order)", accessRulesNode(resource, "main"), true),
        block("SCM site access rules (evaluation order)", accessRulesNode(resource, "scm"), true),
        block("Private endpoints", listOrMissing(resource.private_endpoints,
          (pe) => el("span", {}, [el("code", { className: "wrap", text: str(pe.id) }), " " + str(pe.status, "status unknown")]))),
        block("VNet integration", vnet ? keyValues(vnet) : el("p", { className: "empty", text: NOT_IN_RESULT })),
        block("Integration subnet", optional(resource, "subnet", valueNode)),
        block("Outbound", el("div", {}, [
          el("p", {}, [badge("outbound", record.outbound)]),
          isPlainObject(resource.outbound_detail) ? keyValues(resource.outbound_detail) : null,
        ])),
        isPlainObject(resource.ase) ? block("App Service Environment", keyValues(resource.ase)) : null,
        block("Hybrid connection endpoints", listOrMissing(resource.hybrid_connections,
          (hc) => el("code", { text: str(hc.hostname, "?") + ":" + str(hc.port, "?") }))),
        block("Functions and triggers", functionsNode),
        block("Tags", optional(resource, "tags", valueNode)),
        isPlainObject(resource.missing) && Object.keys(resource.missing).length
          ? block("Data that could not be read", keyValues(resource.missing)) : null,
        block("Findings", findingList),
      ]),
    ]);
  }

  const resourcesTable = new Table({
    noun: "resources",
    tableId: "resources-table",
    formId: "resources-filters",
    statusId: "resources-status",
    pagerId: "resources-pager",
    columns: 10,
    rows: resources,
    matches(record, values, query) {
      return (!values.hosting || record.hosting === values.hosting) &&
        (!values.resource_group || record.resource_group === values.resource_group) &&
        (!values.inbound || record.inbound === values.inbound) &&
        (!values.outbound || record.outbound === values.outbound) &&
        (!values.severity || record.severities.has(values.severity)) &&
        (!query || record.haystack.includes(query));
    },
    sortValue(record, field) {
      if (field === "fails") return SEVERITY_ORDER.reduce((sum, sev, i) => sum + record.fails[sev] * 10 ** (6 - 2 * i), 0);
      return record[field];
    },
    renderRow(record, isOpen) {
      const fails = SEVERITY_ORDER.filter((sev) => record.fails[sev] > 0).map((sev) => sev[0].toUpperCase() + record.fails[sev]);
      return el("tr", { className: "resource-row" }, [
        el("td", { className: "resource" }, [record.name]),
        el("td", { text: record.resource_group }),
        el("td", { text: record.hosting }),
        el("td", { text: record.os }),
        el("td", { text: record.sku }),
        el("td", {}, [badge("verdict", record.inbound)]),
        el("td", {}, [badge("verdict", record.scm)]),
        el("td", {}, [badge("outbound", record.outbound)]),
        el("td", { text: fails.join(" ") || "—", attrs: { "aria-label": fails.length ? fails.join(" ") : "none" } }),
        el("td", {}, [this.toggleButton(record, isOpen, record.name)]),
      ]);
    },
    renderDetail: renderResourceDetail,
    onFiltered: (rows) => drawNetworkOverview(rows),
  });

  function showResource(record) {
    if (!record) return;
    const row = resourcesTable.reveal(record);
    if (row) {
      row.scrollIntoView({ block: "start" });
      const toggle = row.querySelector("button.toggle");
      if (toggle) toggle.focus();
    }
  }

  // ---- network picture ---------------------------------------------------
  // How traffic reaches each app and leaves it, as inline SVG built node by node with
  // createElementNS and textContent: a hostile name is only ever text. Each finding sits on
  // the edge (or node) of the path that causes it.

  const SVG_NS = "http://www.w3.org/2000/svg";
  const NODE_W = 214;
  const NODE_H = 44;
  const LABEL_LINE = 14;
  const LABEL_CHAR = 6.7; // width of one character of an 11px monospace rule id
  const MIN_GAP = 46;
  const BUS_FIRST = 14; // where an edge turns, from the node it turns beside
  const BUS_STEP = 8; // between the turns of edges from different nodes
  const MAX_RULE_NODES = 8;
  const MAX_SUBSCRIPTION_FIGURES = 12;
  const HOSTING_LABELS = {
    consumption: "Consumption",
    flex_consumption: "Flex Consumption",
    premium: "Premium",
    dedicated: "Dedicated",
    ase: "App Service Environment",
    container_apps: "Container Apps",
    unknown: "Hosting unknown",
  };
  const HOSTING_ORDER = DATA.vocabulary.hosting;
  const HOSTING_SHORT = Object.assign({}, HOSTING_LABELS, { flex_consumption: "Flex", ase: "ASE", unknown: "Unknown hosting" });
  const INBOUND_ORDER = DATA.vocabulary.inbound;
  const OUTBOUND_ORDER = ["uncontrolled", "controlled", "unknown"];
  // Where each rule's finding sits in the picture: on the edge that decides a site's
  // verdict, on the access rules it names, or on the egress path.
  const DECIDING_EDGE_RULES = {
    "risk/public-unrestricted": "main",
    "risk/private-endpoint-bypassed": "main",
    "risk/anonymous-http-trigger-public": "main",
    "risk/scm-unrestricted": "scm",
  };
  const NAMED_RULE_EVIDENCE = {
    "risk/shadowed-access-rule": "dead_rules",
    "risk/spoofable-header-rule": "spoofable_rules",
    "risk/frontdoor-without-fdid": "rules_without_fdid",
    "risk/broad-service-tag": "broad_rules",
    "drift/service-endpoint-rule-unsupported": "service_endpoint_rules",
  };
  const PLACE_OF_RULE = {
    "risk/private-endpoint-not-approved": "pe",
    "drift/private-endpoint-unsupported": "pe",
    "risk/outbound-uncontrolled": "egress",
    "risk/route-all-disabled": "egress",
    "risk/service-endpoint-outbound-open": "egress",
    "drift/vnet-integration-unsupported": "subnet",
    "drift/integration-subnet-invalid": "subnet",
    "drift/vnet-trigger-unsupported": ["subnet", "gateway"],
    "drift/gateway-integration-unsupported": "gateway",
    "drift/gateway-integration-retiring": "gateway",
    "drift/hybrid-connection-unsupported": "hybrid",
    "risk/hybrid-connection-endpoint": "hybrid",
  };
  const INBOUND_RULES = new Set([
    ...Object.keys(DECIDING_EDGE_RULES), ...Object.keys(NAMED_RULE_EVIDENCE),
    "risk/private-endpoint-not-approved", "drift/private-endpoint-unsupported",
  ]);

  function svg(tag, attrs, children) {
    return fill(document.createElementNS(SVG_NS, tag), attrs, children);
  }

  function clip(text, max) {
    const value = str(text);
    return value.length > max ? value.slice(0, max - 1) + "…" : value;
  }

  function svgText(x, y, text, className, max) {
    const node = svg("text", { x, y, class: className });
    node.textContent = clip(visible(str(text)), max);
    return node;
  }

  function svgTitle(text) {
    const node = svg("title");
    node.textContent = visible(str(text));
    return node;
  }

  // Our own hash links only (#resources?…), built from URLSearchParams: never a value's URL.
  function svgHashLink(section, params, label, children) {
    const link = svg("a", { "aria-label": label }, children);
    link.setAttribute("href", "#" + section + "?" + new URLSearchParams(params).toString());
    return link;
  }

  function lastSegment(id) {
    const parts = str(id).split("/").filter(Boolean);
    return parts.length ? parts[parts.length - 1] : "";
  }

  function subscriptionOf(record) {
    const match = /\/subscriptions\/([^/?#]+)/i.exec(record.id);
    return str(record.resource.subscription_id, match ? match[1] : "(no subscription)").toLowerCase();
  }

  function cssToken(value) {
    return str(value).replace(/[^a-z0-9_-]/gi, "");
  }

  function findingLabel(item) {
    const suffix = item.waived ? " (waived)" : item.status === "unknown" ? " (unknown)" : "";
    return item.rule + suffix;
  }

  // ---- one app: a graph of nodes and edges, laid out in columns ----

  class PathGraph {
    constructor() {
      this.nodes = [];
      this.edges = [];
      this.places = new Map(); // place key ("decider:main", "rule:scm:3", "egress" …) -> its edge
      this.stray = []; // findings with no place in this picture: listed on the app node
    }

    node(column, title, subtitle, kind, detail) {
      const node = { column, title: str(title), subtitle: str(subtitle), note: "", kind, detail: str(detail), findings: [], out: [], into: [], height: NODE_H };
      this.nodes.push(node);
      return node;
    }

    edge(from, to, kind, place, labelEnd) {
      const edge = { from, to, kind, findings: [], labelEnd: labelEnd || "source" };
      this.edges.push(edge);
      from.out.push(edge);
      to.into.push(edge);
      if (place && !this.places.has(place)) this.places.set(place, edge);
      return edge;
    }

    attach(place, item) {
      const target = this.places.get(place);
      if (target) target.findings.push(item);
      return Boolean(target);
    }
  }

  function isDecidingRule(rule, detail) {
    return isFlaggedDeciding(rule) || isNamedDeciding(rule, detail.deciding_rule);
  }

  function ruleTitle(rule) {
    const source = ruleSource(rule);
    return str(rule.action, "?") + " " + (source === "—" ? "(no source)" : source);
  }

  function addSiteSources(graph, resource, site, siteNode, exposure) {
    const first = graph.edges.length;
    addSiteSourceNodes(graph, resource, site, siteNode, exposure);
    // The SCM site's edges turn a little further left than the main site's.
    if (site === "scm") for (const edge of graph.edges.slice(first)) edge.bus = 1;
  }

  function addSiteSourceNodes(graph, resource, site, siteNode, exposure) {
    const lists = isPlainObject(resource.access_rules) ? resource.access_rules : null;
    const details = isPlainObject(resource.inbound_detail) ? resource.inbound_detail : {};
    const detail = isPlainObject(details[site]) ? details[site] : {};
    const decidedBy = str(detail.decided_by || detail.reason);
    const decider = "decider:" + site;
    if (exposure === "private" || exposure === "internal") {
      const why = exposure === "internal" ? "ASE internal load balancer: VNet only"
        : /endpoint/i.test(decidedBy) ? "closed by an approved private endpoint" : "public network access disabled";
      const node = graph.node(0, "Internet", why, "blocked", "Access rules are not evaluated: " + why + ".");
      graph.edge(node, siteNode, "blocked", decider);
      return;
    }
    if (site === "scm" && lists && lists.scm_uses_main === true) {
      const node = graph.node(0, "Main site's rules", "the SCM site uses them too", "source");
      graph.edge(node, siteNode, exposure === "public" ? "open" : exposure === "unknown" ? "unknown" : "filtered", decider);
      return;
    }
    if (!lists || !Array.isArray(lists[site])) {
      const node = graph.node(0, "Access rules", "not in this result", "unknown");
      graph.edge(node, siteNode, "unknown", decider);
      return;
    }
    const rules = evaluationOrder(lists[site].filter(isPlainObject));
    let decided = false;
    const drawn = rules.filter((rule, index) => index < MAX_RULE_NODES - 1 || isDecidingRule(rule, detail));
    rules.forEach((rule, index) => {
      if (!drawn.includes(rule)) return;
      const deciding = !decided && isDecidingRule(rule, detail);
      const subtitle = (site === "scm" ? "SCM #" : "main #") + (index + 1) + " · priority " + str(rule.priority, "—") + " · " + str(rule.name, "(unnamed)");
      const node = graph.node(0, ruleTitle(rule), subtitle, decided ? "dead" : "source",
        [subtitle, headerText(rule.headers), str(rule.description)].filter(Boolean).join(" · "));
      const kind = decided ? "dead" : /^deny$/i.test(str(rule.action)) ? "blocked" : "open";
      graph.edge(node, siteNode, kind, "rule:" + site + ":" + str(rule.position, String(index)));
      if (deciding) graph.places.set(decider, node.out[0]);
      decided = decided || deciding;
    });
    if (drawn.length < rules.length) {
      const node = graph.node(0, "+" + (rules.length - drawn.length) + " more rules", "listed in the table below", "dead");
      graph.edge(node, siteNode, "dead");
    }
    const explicit = lists[site + "_default_action"];
    const effective = str(detail.effective_default_action, explicit ? str(explicit) : rules.length ? "Deny" : "Allow");
    const origin = explicit ? "explicit" : rules.length ? "implicit" : "implicit, no rules";
    const node = graph.node(0, "Default action: " + effective, "any other source · " + origin, decided ? "dead" : "source");
    const kind = decided ? "dead" : /^allow$/i.test(effective) ? "open" : "blocked";
    const edge = graph.edge(node, siteNode, kind, "default:" + site);
    if (!decided) graph.places.set(decider, edge);
  }

  function subnetSubtitle(subnet) {
    const prefixes = Array.isArray(subnet.address_prefixes) ? subnet.address_prefixes.map((p) => str(p)).join(", ") : "";
    const absent = [];
    if (!subnet.network_security_group_id) absent.push("no NSG");
    if (!subnet.route_table_id) absent.push("no route table");
    return [prefixes, ...absent].filter(Boolean).join(" · ");
  }

  // integration (or ASE) subnet -> NSG -> route table -> NAT gateway -> destination
  function addSubnetChain(graph, column, from, subnet, label, resource, routeAll) {
    const detail = isPlainObject(resource.outbound_detail) ? resource.outbound_detail : {};
    const reason = str(detail.reason);
    let previous;
    if (!isPlainObject(subnet)) {
      previous = graph.node(column, label, "not read: " + str(detail.message, "see Data that could not be read"), "unknown");
      graph.edge(from, previous, "unknown", "subnet", "target");
    } else {
      previous = graph.node(column, label + " " + str(subnet.name, lastSegment(subnet.id)), subnetSubtitle(subnet), "subnet", str(subnet.id));
      graph.edge(from, previous, "open", "subnet", "target");
    }
    let next = column + 1;
    const hop = (title, subtitle, kind, detailText) => {
      const node = graph.node(next, title, subtitle, kind, detailText);
      node.alignTo = previous;
      graph.edge(previous, node, "open", null, "target");
      previous = node;
      next += 1;
    };
    if (isPlainObject(subnet) && subnet.network_security_group_id) {
      const rule = isPlainObject(detail.nsg_rule) ? detail.nsg_rule : null;
      const subtitle = rule ? str(rule.access) + " internet: " + str(rule.name) + " (" + str(rule.priority) + ")"
        : reason === "nsg-denies-internet" ? "denies internet" : "no rule denies internet";
      hop("NSG " + lastSegment(subnet.network_security_group_id), subtitle, "control", str(subnet.network_security_group_id));
    }
    if (isPlainObject(subnet) && subnet.route_table_id) {
      const route = isPlainObject(detail.default_route) ? detail.default_route : null;
      const subtitle = route ? "0.0.0.0/0 → " + str(route.next_hop_type) + " (" + str(route.name) + ")" : "no default route to an appliance";
      hop("Route table " + lastSegment(subnet.route_table_id), subtitle, "control", str(subnet.route_table_id));
    }
    if (isPlainObject(subnet) && subnet.nat_gateway_id) {
      hop("NAT gateway " + lastSegment(subnet.nat_gateway_id), "fixed public egress address", "control", str(subnet.nat_gateway_id));
    }
    if (routeAll === false) {
      const node = graph.node(next, "VNet address ranges", "private traffic only (route all off)", "private");
      node.alignTo = previous;
      graph.edge(previous, node, "open", null, "target");
      return;
    }
    if (reason === "route-to-appliance") {
      const node = graph.node(next, "Virtual appliance / gateway", "inspects internet-bound traffic", "controlled");
      node.alignTo = previous;
      graph.edge(previous, node, "open", "egress", "target");
      return;
    }
    const blocked = reason === "nsg-denies-internet";
    const unknown = resource.outbound === "unknown";
    const node = graph.node(next, "Internet", blocked ? "blocked by the NSG" : unknown ? "egress control unknown" : "egress not controlled",
      blocked ? "controlled" : unknown ? "unknown" : "internet");
    node.alignTo = previous;
    graph.edge(previous, node, blocked ? "blocked" : unknown ? "unknown" : "open", "egress", "target");
  }

  function addEgress(graph, record, appNode) {
    const resource = record.resource;
    const integration = isPlainObject(resource.vnet_integration) ? resource.vnet_integration : {};
    const detail = isPlainObject(resource.outbound_detail) ? resource.outbound_detail : {};
    if (record.hosting === "container_apps") {
      const environment = graph.node(3, "Container Apps environment", "sets this app's egress", "subnet");
      graph.edge(appNode, environment, "open", "subnet", "target");
      const node = graph.node(4, "Internet (unknown)", "the environment is not read", "unknown");
      node.alignTo = environment;
      graph.edge(environment, node, "unknown", "egress", "target");
    } else if (record.hosting === "ase") {
      const ase = isPlainObject(resource.ase) ? resource.ase : {};
      addSubnetChain(graph, 3, appNode, ase.subnet, "ASE subnet", resource, null);
    } else if (str(integration.kind) === "regional") {
      const routeAll = record.hosting === "flex_consumption" ? true : integration.route_all;
      addSubnetChain(graph, 3, appNode, resource.subnet, "Integration subnet", resource, routeAll === false ? false : null);
      if (routeAll === false) {
        const node = graph.node(3, "Internet", "direct: route all is off", "internet");
        graph.edge(appNode, node, "open", "egress", "target");
      }
    } else {
      const unknown = record.outbound === "unknown";
      const node = graph.node(3, "Internet", unknown ? str(detail.message, "egress unknown") : "direct: no VNet integration",
        unknown ? "unknown" : "internet");
      graph.edge(appNode, node, unknown ? "unknown" : "open", "egress", "target");
    }
    for (const vnet of Array.isArray(integration.gateway_vnets) ? integration.gateway_vnets : []) {
      const node = graph.node(3, "Gateway VNet " + lastSegment(vnet), "point-to-site (gateway-required)", "subnet", str(vnet));
      graph.edge(appNode, node, "open", "gateway", "target");
    }
    const hybrids = Array.isArray(resource.hybrid_connections) ? resource.hybrid_connections.filter(isPlainObject) : [];
    for (const hc of hybrids) {
      const relay = [str(hc.namespace), str(hc.relay_name || hc.name)].filter(Boolean).join("/");
      const node = graph.node(3, str(hc.hostname, "?") + ":" + str(hc.port, "?"), "Hybrid Connection via " + (relay || "relay"), "hybrid");
      const edge = graph.edge(appNode, node, "open", "hybrid:" + str(hc.name).toLowerCase(), "target");
      graph.places.set("hybrid:" + (str(hc.hostname) + ":" + str(hc.port)).toLowerCase(), edge);
      if (!graph.places.has("hybrid")) graph.places.set("hybrid", edge);
    }
  }

  function privateEndpointKeys(pe) {
    return [str(pe.id).toLowerCase(), str(pe.private_endpoint_id).toLowerCase()].filter(Boolean);
  }

  function addPrivateEndpoints(graph, resource, mainNode, scmNode) {
    const endpoints = Array.isArray(resource.private_endpoints) ? resource.private_endpoints.filter(isPlainObject) : [];
    for (const pe of endpoints) {
      const status = str(pe.status, "status unknown");
      const approved = /^approved$/i.test(status);
      const node = graph.node(0, "Private endpoint " + lastSegment(pe.private_endpoint_id || pe.id), status + " · from its VNet",
        approved ? "private" : "blocked", str(pe.private_endpoint_id || pe.id));
      const edge = graph.edge(node, mainNode, approved ? "private" : "blocked");
      graph.edge(node, scmNode, approved ? "private" : "blocked").bus = 1;
      for (const key of privateEndpointKeys(pe)) graph.places.set("pe:" + key, edge);
      if (!graph.places.has("pe")) graph.places.set("pe", edge);
    }
  }

  // The places a finding names: specific ones first, then the general place of its rule.
  function placesOf(item) {
    const evidence = isPlainObject(item.finding.evidence) ? item.finding.evidence : {};
    const places = [];
    if (item.rule in DECIDING_EDGE_RULES) places.push("decider:" + DECIDING_EDGE_RULES[item.rule]);
    const named = NAMED_RULE_EVIDENCE[item.rule];
    if (named && Array.isArray(evidence[named])) {
      for (const entry of evidence[named].filter(isPlainObject)) {
        const rule = isPlainObject(entry.rule) ? entry.rule : entry;
        places.push("rule:" + str(entry.site, "main") + ":" + str(rule.position));
      }
    }
    const general = [].concat(PLACE_OF_RULE[item.rule] || []);
    if (general[0] === "pe") {
      const listed = [].concat(evidence.connections || [], evidence.private_endpoints || []);
      for (const entry of listed) places.push("pe:" + str(isPlainObject(entry) ? entry.id : entry).toLowerCase());
    } else if (general[0] === "hybrid") {
      for (const entry of [].concat(evidence.endpoints || [], evidence.hybrid_connections || [])) places.push("hybrid:" + str(entry).toLowerCase());
    }
    return places.concat(general);
  }

  function buildAppGraph(record) {
    const resource = record.resource;
    const graph = new PathGraph();
    graph.settleColumns = [1];
    const mainNode = graph.node(1, "Main site", "inbound: " + record.inbound, "site verdict-" + cssToken(record.inbound));
    const scmNode = graph.node(1, "SCM (Kudu) site", "inbound: " + record.scm, "site verdict-" + cssToken(record.scm));
    const plan = isPlainObject(resource.plan) ? resource.plan : {};
    const appNode = graph.node(2, record.name, (HOSTING_LABELS[record.hosting] || record.hosting) + (plan.sku ? " · " + str(plan.sku) : "") + " · " + record.os, "app");
    addSiteSources(graph, resource, "main", mainNode, record.inbound);
    addSiteSources(graph, resource, "scm", scmNode, record.scm);
    addPrivateEndpoints(graph, resource, mainNode, scmNode);
    graph.edge(mainNode, appNode, "open");
    graph.edge(scmNode, appNode, "open");
    addEgress(graph, record, appNode);
    for (const item of record.findings) {
      // A finding naming several rules sits on each of them; otherwise on its first place found.
      const places = placesOf(item);
      const ruleEdges = places.filter((place) => place.startsWith("rule:") && graph.places.has(place));
      const placed = ruleEdges.length
        ? ruleEdges.map((place) => graph.attach(place, item)).some(Boolean)
        : places.some((place) => graph.attach(place, item));
      if (!placed) graph.stray.push(item);
    }
    appNode.findings = graph.stray;
    return { graph, appNode };
  }

  function labelWidth(edge) {
    return edge.findings.reduce((widest, item) => Math.max(widest, (item.tallyText || findingLabel(item)).length * LABEL_CHAR), 0);
  }

  // Columns left to right. A node's slot is tall enough for the labels drawn beside it; a
  // node of an egress chain (alignTo) sits on its chain head's row.
  // Labels of several edges at one node stack: each edge's first line is its offset.
  function stackLabels(node) {
    let outLines = 0;
    for (const edge of node.out.filter((e) => e.labelEnd === "source")) {
      edge.labelOffset = outLines;
      outLines += edge.findings.length;
    }
    let inLines = 0;
    for (const edge of node.into.filter((e) => e.labelEnd === "target")) {
      edge.labelOffset = inLines;
      inLines += edge.findings.length;
    }
    return Math.max(outLines, inLines);
  }

  function nodeSlot(node) {
    const lines = stackLabels(node);
    const below = node.findings.length ? LABEL_LINE * Math.min(node.findings.length, 4) + 4 : 0;
    return Math.max(node.height, node.height / 2 + 6 + lines * LABEL_LINE) + below + 12;
  }

  // Moves a column's nodes next to the nodes they connect to, keeping them apart.
  function settle(nodes, slots, height) {
    const centre = (node) => node.y + node.height / 2;
    const wanted = new Map(nodes.map((node) => {
      const others = [...node.into.map((e) => e.from), ...node.out.map((e) => e.to)].filter((o) => o.column !== node.column);
      const mean = others.length ? others.reduce((sum, o) => sum + centre(o), 0) / others.length : centre(node);
      return [node, mean - node.height / 2];
    }));
    const ordered = [...nodes].sort((a, b) => wanted.get(a) - wanted.get(b));
    let floor = 36;
    for (const node of ordered) {
      node.y = Math.max(floor, wanted.get(node));
      floor = node.y + slots.get(node);
    }
    const overflow = floor - height;
    if (overflow > 0) for (const node of ordered) node.y = Math.max(36, node.y - overflow);
  }

  function chainHead(node) {
    let head = node;
    while (head.alignTo) head = head.alignTo;
    return head;
  }

  function layout(graph) {
    graph.maxBus = Math.max(0, ...graph.edges.map((edge) => edge.bus || 0));
    const slots = new Map(graph.nodes.map((node) => [node, nodeSlot(node)]));
    for (const node of graph.nodes) {
      if (node.alignTo) slots.set(chainHead(node), Math.max(slots.get(chainHead(node)), slots.get(node)));
    }
    const columns = new Map();
    const gaps = new Map();
    for (const node of graph.nodes) {
      if (!columns.has(node.column)) columns.set(node.column, []);
      if (!node.alignTo) columns.get(node.column).push(node);
    }
    for (const edge of graph.edges) {
      const gapAfter = edge.labelEnd === "target" ? edge.to.column - 1 : edge.from.column;
      gaps.set(gapAfter, Math.max(gaps.get(gapAfter) || 0, labelWidth(edge) + BUS_STEP * graph.maxBus));
    }
    const order = [...columns.keys()].sort((a, b) => a - b);
    const x = new Map();
    let cursor = 8;
    let right = cursor;
    for (const column of order) {
      x.set(column, cursor);
      right = cursor + NODE_W;
      cursor = right + Math.max(MIN_GAP, (gaps.get(column) || 0) + BUS_FIRST + 26);
    }
    const heights = order.map((column) => columns.get(column).reduce((sum, node) => sum + slots.get(node), 0));
    const height = Math.max(NODE_H + 12, ...heights) + 36;
    order.forEach((column, index) => {
      let y = 36 + (height - 36 - heights[index]) / 2;
      for (const node of columns.get(column)) {
        node.y = y + 6;
        y += slots.get(node);
      }
    });
    for (const column of graph.settleColumns || []) {
      if (columns.has(column)) settle(columns.get(column), slots, height);
    }
    for (const node of graph.nodes) {
      node.x = x.get(node.column);
      if (node.alignTo) node.y = chainHead(node).y;
    }
    return { width: right + 16, height };
  }

  function focusable(node, label, action) {
    node.setAttribute("tabindex", "0");
    node.setAttribute("role", "button");
    node.setAttribute("aria-label", label);
    node.addEventListener("click", action);
    node.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        action();
      }
    });
    return node;
  }

  function showFinding(item) {
    const row = findingsTable.reveal(item);
    if (row) {
      row.scrollIntoView({ block: "start" });
      const toggle = row.querySelector("button.toggle");
      if (toggle) toggle.focus();
    }
  }

  function findingText(item, x, y) {
    const css = "finding-label sev-text-" + cssToken(item.severity) + (item.status === "unknown" ? " finding-unknown" : "") + (item.waived ? " finding-waived" : "");
    const text = svgText(x, y, findingLabel(item), "finding-text", 60);
    const group = svg("g", { class: css, "data-rule": item.rule }, [svgTitle(item.rule + " (" + item.severity + ", " + item.status + "): " + item.message), text]);
    return focusable(group, item.rule + ", " + item.severity + ": show the finding", () => showFinding(item));
  }

  function drawNode(node) {
    const group = svg("g", { class: "net-node node-" + node.kind, transform: "translate(" + node.x + " " + node.y + ")", "data-title": node.title });
    group.append(
      svgTitle([node.title, node.subtitle, node.detail].filter(Boolean).join("\n")),
      ...nodeBody(node),
    );
    node.findings.slice(0, 3).forEach((item, index) => group.append(findingText(item, 0, node.height + 13 + index * LABEL_LINE)));
    if (node.findings.length > 3) {
      group.append(svgText(0, node.height + 13 + 3 * LABEL_LINE, "+" + (node.findings.length - 3) + " more in the list below", "node-subtitle", 60));
    }
    return group;
  }

  function nodeBody(node) {
    return [
      svg("rect", { width: NODE_W, height: node.height, rx: 6 }),
      svgText(10, 18, node.title, "node-title", 30),
      svgText(10, 35, node.subtitle, "node-subtitle", 36),
      node.note ? svgText(10, 50, node.note, "node-subtitle node-note", 36) : null,
    ];
  }

  // Right-angled edges with rounded corners. An edge labelled at its target turns just after
  // its source (a bus per source), one labelled at its source turns just before its target:
  // the labels sit under the straight run, clear of every vertical.
  function edgePath(edge) {
    const x1 = edge.from.x + NODE_W;
    const y1 = edge.from.y + edge.from.height / 2;
    const x2 = edge.to.x;
    const y2 = edge.to.y + edge.to.height / 2;
    const bus = BUS_STEP * (edge.bus || 0);
    const turn = edge.labelEnd === "target" ? x1 + BUS_FIRST + bus : x2 - BUS_FIRST - bus;
    if (Math.abs(y2 - y1) < 1) return { d: "M" + x1 + " " + y1 + " H" + x2, x1, y1, x2, y2 };
    const r = Math.min(6, Math.abs(y2 - y1) / 2);
    const dir = y2 > y1 ? 1 : -1;
    const d = "M" + x1 + " " + y1 + " H" + (turn - r) + " Q" + turn + " " + y1 + " " + turn + " " + (y1 + dir * r) +
      " V" + (y2 - dir * r) + " Q" + turn + " " + y2 + " " + (turn + r) + " " + y2 + " H" + x2;
    return { d, x1, y1, x2, y2 };
  }

  function labelStart(graph, edge, path) {
    return edge.labelEnd === "target" ? path.x1 + BUS_FIRST + BUS_STEP * graph.maxBus + 10 : path.x1 + 10;
  }

  // Drawn, not an SVG marker: a marker needs a url reference, and nothing here points anywhere.
  function arrowHead(path) {
    return svg("path", { class: "arrow-head", d: "M" + (path.x2 - 8) + " " + (path.y2 - 4) + " L" + path.x2 + " " + path.y2 + " L" + (path.x2 - 8) + " " + (path.y2 + 4) + " z" });
  }

  function blockMark(x, y) {
    return svg("path", { class: "edge-cross", d: "M" + (x - 5) + " " + (y - 5) + " L" + (x + 5) + " " + (y + 5) + " M" + (x + 5) + " " + (y - 5) + " L" + (x - 5) + " " + (y + 5) });
  }

  function worstSeverity(items) {
    const failing = items.filter((item) => item.failing);
    if (!failing.length) return items.length ? "unknown" : "none";
    return failing.map((item) => item.severity).sort((a, b) => severityRank(a) - severityRank(b))[0];
  }

  function drawEdge(graph, edge) {
    const path = edgePath(edge);
    const rules = edge.findings.map((item) => item.rule);
    const group = svg("g", {
      class: "net-edge edge-" + edge.kind + " edge-sev-" + cssToken(worstSeverity(edge.findings)),
      "data-from": edge.from.title,
      "data-to": edge.to.title,
      "data-rules": rules.join(" "),
    });
    group.append(svgTitle(describeEdge(edge)), svg("path", { d: path.d }), arrowHead(path));
    if (edge.kind === "blocked") group.append(blockMark(path.x2 - 16, path.y2));
    const anchorX = labelStart(graph, edge, path);
    const anchorY = (edge.labelEnd === "target" ? path.y2 : path.y1) + 15 + (edge.labelOffset || 0) * LABEL_LINE;
    edge.findings.forEach((item, index) => group.append(findingText(item, anchorX, anchorY + index * LABEL_LINE)));
    return group;
  }

  function describeEdge(edge) {
    const what = edge.findings.map((item) => findingLabel(item)).join(", ");
    const how = { open: "open", blocked: "blocked", dead: "never applies", unknown: "unknown", private: "private", filtered: "filtered" }[edge.kind] || edge.kind;
    return edge.from.title + " → " + edge.to.title + " (" + how + ")" + (what ? ": " + what : "");
  }

  function columnHeadings(graph) {
    const headings = { 0: "Sources (evaluation order)", 1: "Sites", 2: "App", 3: "Egress path" };
    const seen = new Set();
    const texts = [];
    for (const node of graph.nodes) {
      if (seen.has(node.column) || !(node.column in headings)) continue;
      seen.add(node.column);
      texts.push(svgText(node.x, 16, headings[node.column], "column-heading", 40));
    }
    return texts;
  }

  function networkPicture(record) {
    const { graph } = buildAppGraph(record);
    const size = layout(graph);
    const titleId = "network-title-" + record.index;
    const picture = svg("svg", {
      class: "network-svg app-network",
      role: "group",
      "aria-labelledby": titleId,
      width: Math.ceil(size.width),
      height: Math.ceil(size.height),
      viewBox: "0 0 " + Math.ceil(size.width) + " " + Math.ceil(size.height),
      "data-app": record.name,
    });
    const title = svgTitle("How traffic reaches and leaves " + record.name);
    title.setAttribute("id", titleId);
    picture.append(title, ...columnHeadings(graph));
    for (const edge of graph.edges) picture.append(drawEdge(graph, edge));
    for (const node of graph.nodes) picture.append(drawNode(node));
    const withFindings = graph.edges.filter((edge) => edge.findings.length);
    const key = el("ul", { className: "network-key" }, withFindings.map((edge) => el("li", { text: describeEdge(edge) })));
    if (graph.stray.length) {
      key.append(el("li", { text: "On the app itself: " + graph.stray.map(findingLabel).join(", ") }));
    }
    return el("div", { className: "network-picture" }, [
      el("div", { className: "scroll" }, [picture]),
      withFindings.length || graph.stray.length ? key : el("p", { className: "empty", text: "No failing or unknown finding on this app's paths." }),
    ]);
  }

  // ---- overview: groups of apps, never one box per app ----

  function groupKey(record) {
    return record.hosting + "|" + record.inbound + "|" + record.outbound;
  }

  function tally(items, accept) {
    const counts = new Map();
    for (const item of items) {
      if (item.waived || !accept(item.rule)) continue;
      counts.set(item.rule, (counts.get(item.rule) || 0) + 1);
    }
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  }

  function rankOf(order, value) {
    const index = order.indexOf(value);
    return index < 0 ? order.length : index;
  }

  function subscriptionGroups(records) {
    const groups = new Map();
    for (const record of records) {
      const key = groupKey(record);
      if (!groups.has(key)) groups.set(key, { hosting: record.hosting, inbound: record.inbound, outbound: record.outbound, apps: [], scmPublic: 0, fails: 0 });
      const group = groups.get(key);
      group.apps.push(record);
      group.fails += record.failTotal;
      if (record.scm === "public" && record.inbound !== "public") group.scmPublic += 1;
    }
    return [...groups.values()].sort((a, b) =>
      rankOf(HOSTING_ORDER, a.hosting) - rankOf(HOSTING_ORDER, b.hosting) ||
      rankOf(INBOUND_ORDER, a.inbound) - rankOf(INBOUND_ORDER, b.inbound) ||
      rankOf(OUTBOUND_ORDER, a.outbound) - rankOf(OUTBOUND_ORDER, b.outbound));
  }

  const INBOUND_SOURCES = {
    public: ["Internet", "any source reaches the main site"],
    restricted: ["Listed sources", "access rules admit some"],
    private: ["Private network", "private endpoint or public access off"],
    internal: ["ASE internal network", "internal load balancer"],
    unknown: ["Inbound unknown", "rules could not be read"],
  };
  const EGRESS_TARGETS = {
    uncontrolled: ["Internet, uncontrolled", "nothing filters egress"],
    controlled: ["Internet, controlled", "NSG deny or appliance route"],
    unknown: ["Egress unknown", "not read, or set elsewhere"],
  };

  function overviewGraph(records, linkParams) {
    const graph = new PathGraph();
    graph.settleColumns = [0, 2];
    const groups = subscriptionGroups(records);
    // One node per inbound verdict (left) and egress verdict (right), each with its own bus.
    const sideNodes = (column, labels, cssPrefix) => {
      const nodes = new Map();
      return (value) => {
        if (!nodes.has(value)) {
          const [title, subtitle] = labels[value] || [value, ""];
          const node = graph.node(column, title, subtitle, cssPrefix + cssToken(value));
          node.bus = nodes.size;
          nodes.set(value, node);
        }
        return nodes.get(value);
      };
    };
    const source = sideNodes(0, INBOUND_SOURCES, "source verdict-");
    const target = sideNodes(2, EGRESS_TARGETS, "egress-");
    for (const value of INBOUND_ORDER) if (groups.some((g) => g.inbound === value)) source(value);
    if (groups.some((g) => g.scmPublic)) source("public");
    for (const group of groups) {
      const findingsOf = group.apps.flatMap((record) => record.findings);
      const count = group.apps.length;
      const node = graph.node(1, (HOSTING_SHORT[group.hosting] || group.hosting) + " · " + count + (count === 1 ? " app" : " apps"),
        "in " + group.inbound + " · out " + group.outbound, "group verdict-" + cssToken(group.inbound));
      node.note = group.fails ? group.fails + " failing findings" : "no failing finding";
      node.height = NODE_H + 14;
      node.group = group;
      node.link = Object.assign({ hosting: group.hosting, inbound: group.inbound, outbound: group.outbound }, linkParams);
      const inbound = graph.edge(source(group.inbound), node, group.inbound === "public" ? "open" : group.inbound === "unknown" ? "unknown" : "filtered", null, "target");
      inbound.tally = tally(findingsOf, (rule) => INBOUND_RULES.has(rule) && rule !== "risk/scm-unrestricted");
      inbound.count = count;
      if (group.scmPublic) {
        const scm = graph.edge(source("public"), node, "open", null, "target");
        scm.tally = [["SCM (Kudu) public", group.scmPublic], ...tally(findingsOf, (rule) => rule === "risk/scm-unrestricted")];
        scm.count = group.scmPublic;
      }
      const egress = graph.edge(node, target(group.outbound), group.outbound === "uncontrolled" ? "open" : group.outbound === "controlled" ? "controlled" : "unknown", null, "source");
      egress.tally = tally(findingsOf, (rule) => PLACE_OF_RULE[rule] !== undefined && !INBOUND_RULES.has(rule));
      egress.count = count;
    }
    // Tallies render as "rule ×n" lines; layout() sizes by findings, so stand them in.
    for (const edge of graph.edges) edge.bus = edge.labelEnd === "target" ? edge.from.bus : edge.to.bus;
    for (const edge of graph.edges) edge.findings = (edge.tally || []).map(([rule, n]) => ({ rule, tallyText: rule + " ×" + n }));
    return graph;
  }

  function drawOverviewEdge(graph, edge, peak) {
    const path = edgePath(edge);
    const group = svg("g", {
      class: "net-edge edge-" + edge.kind,
      "data-rules": edge.findings.map((item) => item.rule).join(" "),
    });
    const lines = edge.findings.map((item) => item.tallyText);
    group.append(
      svgTitle(edge.from.title + " → " + edge.to.title + " · " + edge.count + " apps" + (lines.length ? ": " + lines.join(", ") : "")),
      svg("path", { d: path.d, "stroke-width": (1.5 + 7 * edge.count / peak).toFixed(1) }),
      arrowHead(path),
    );
    if (edge.kind === "blocked") group.append(blockMark(path.x2 - 16, path.y2));
    const anchorX = labelStart(graph, edge, path);
    const anchorY = (edge.labelEnd === "target" ? path.y2 : path.y1) + 15 + (edge.labelOffset || 0) * LABEL_LINE;
    lines.forEach((line, index) => group.append(svgText(anchorX, anchorY + index * LABEL_LINE, line, "finding-text tally", 70)));
    return group;
  }

  function drawOverviewNode(node) {
    const body = nodeBody(node);
    if (!node.group) {
      return svg("g", { class: "net-node node-" + node.kind, transform: "translate(" + node.x + " " + node.y + ")" }, [svgTitle(node.title + ": " + node.subtitle), ...body]);
    }
    const label = node.title + ", inbound " + node.group.inbound + ", outbound " + node.group.outbound + ": show these apps";
    const link = svgHashLink("resources", node.link, label, [svgTitle(label), ...body]);
    return svg("g", { class: "net-node group-node node-" + node.kind, transform: "translate(" + node.x + " " + node.y + ")", "data-group": groupKey(node.group.apps[0]), "data-count": node.group.apps.length }, [link]);
  }

  function overviewFigure(subscription, records, linkParams) {
    const graph = overviewGraph(records, linkParams);
    const size = layout(graph);
    const peak = Math.max(1, ...graph.edges.map((edge) => edge.count));
    const picture = svg("svg", {
      class: "network-svg overview-network",
      role: "group",
      "aria-label": "Apps of subscription " + subscription + " grouped by hosting, inbound exposure and outbound control",
      width: Math.ceil(size.width),
      height: Math.ceil(size.height),
      viewBox: "0 0 " + Math.ceil(size.width) + " " + Math.ceil(size.height),
    });
    const headings = ["Reached from (main site)", "Apps: hosting · exposure · egress", "Leaves to"];
    for (const node of graph.nodes) {
      if (headings[node.column]) {
        picture.append(svgText(node.x, 16, headings[node.column], "column-heading", 40));
        headings[node.column] = "";
      }
    }
    for (const edge of graph.edges) picture.append(drawOverviewEdge(graph, edge, peak));
    for (const node of graph.nodes) picture.append(drawOverviewNode(node));
    return el("figure", { className: "network-figure", attrs: { "data-subscription": subscription } }, [
      el("figcaption", { text: "Subscription " + subscription + " · " + records.length + (records.length === 1 ? " app" : " apps") }),
      el("div", { className: "scroll" }, [picture]),
    ]);
  }

  const networkOverview = document.getElementById("network-overview");
  const networkStatus = document.getElementById("network-status");
  let drawnNetworkFor = null;

  function drawNetworkOverview(records) {
    if (!networkOverview) return;
    const signature = records.map((record) => record.index).join(",");
    if (signature === drawnNetworkFor) return;
    drawnNetworkFor = signature;
    const bySubscription = new Map();
    for (const record of records) {
      const subscription = subscriptionOf(record);
      if (!bySubscription.has(subscription)) bySubscription.set(subscription, []);
      bySubscription.get(subscription).push(record);
    }
    const several = new Set(resources.map(subscriptionOf)).size > 1;
    const figures = [...bySubscription.entries()].slice(0, MAX_SUBSCRIPTION_FIGURES)
      .map(([subscription, members]) => overviewFigure(subscription, members, several ? { q: subscription } : {}));
    const hidden = bySubscription.size - figures.length;
    networkOverview.replaceChildren(...figures);
    if (hidden > 0) {
      networkOverview.append(el("p", { className: "hint", text: hidden + " more subscriptions: search the resources for a subscription id to draw it." }));
    }
    networkStatus.textContent = records.length === resources.length
      ? "All " + resources.length + " apps, in " + bySubscription.size + (bySubscription.size === 1 ? " subscription." : " subscriptions.")
      : records.length + " of " + resources.length + " apps match the resource filters.";
    networkStatus.dataset.matching = String(records.length);
  }

  // ---- navigation: #findings?severity=high, #resources?hosting=premium&inbound=public ----

  const tablesBySection = { findings: findingsTable, resources: resourcesTable };

  function applyHash() {
    const hash = window.location.hash.slice(1);
    const cut = hash.indexOf("?");
    const section = cut < 0 ? hash : hash.slice(0, cut);
    const table = tablesBySection[section];
    if (!table) return;
    const values = {};
    for (const [name, value] of new URLSearchParams(cut < 0 ? "" : hash.slice(cut + 1))) values[name] = value;
    table.setFilters(values);
    table.refresh(true);
    const heading = document.getElementById(section + "-heading");
    if (heading) {
      heading.scrollIntoView({ block: "start" });
      heading.focus({ preventScroll: true });
    }
  }

  window.addEventListener("hashchange", applyHash);

  // Print every matching row, not just the current page.
  window.addEventListener("beforeprint", () => {
    for (const table of Object.values(tablesBySection)) {
      table.savedPage = table.page;
      table.pageSize = Number.MAX_SAFE_INTEGER;
      table.page = 0;
      table.draw();
    }
  });
  window.addEventListener("afterprint", () => {
    for (const table of Object.values(tablesBySection)) {
      table.pageSize = PAGE_SIZE;
      table.page = table.savedPage || 0;
      table.draw();
    }
  });

  findingsTable.sortBy("severity");
  resourcesTable.refresh(true);
  applyHash();
  document.documentElement.dataset.ready = "true";
})();

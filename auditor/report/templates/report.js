(() => {
  "use strict";
  // Every value in DATA may come from Azure and is attacker-controlled: this
  // script only ever creates elements and sets textContent or inert attributes.
  const DATA = JSON.parse(document.getElementById("data").textContent);
  const SEVERITY_ORDER = ["high", "medium", "low", "info"];
  const PAGE_SIZE = 50;
  const NOT_IN_RESULT = "Not in this result";
  const REFUSED_ATTRIBUTE = /^(on|href$|src$|srcdoc$|style$|action$|formaction$|xlink:href$)/i;

  function el(tag, options, children) {
    const node = document.createElement(tag);
    const settings = options || {};
    if (settings.className) node.className = settings.className;
    if (settings.text !== undefined) node.textContent = settings.text;
    for (const [name, value] of Object.entries(settings.attrs || {})) {
      if (REFUSED_ATTRIBUTE.test(name)) throw new Error("refused attribute " + name);
      node.setAttribute(name, String(value));
    }
    for (const child of children || []) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
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

  // A waived finding stays listed with its waiver; an expired waiver is shown too (it no longer applies).
  const waiverNote = (finding) => {
    if (isPlainObject(finding.waived)) {
      return `waived until ${str(finding.waived.expires)} (${str(finding.waived.owner)}): ${str(finding.waived.reason)}`;
    }
    if (isPlainObject(finding.waiver_expired)) {
      const mark = finding.waiver_expired;
      return `waiver expired on ${str(mark.expires)} (${str(mark.owner)}): ${str(mark.reason)}`;
    }
    return "";
  };

  const findings = (DATA.findings || []).map((finding, index) => {
    const owner = resourceById.get(str(finding.resource_id).toLowerCase());
    const waiver = waiverNote(finding);
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
      waiver,
      fix: isPlainObject((DATA.fixes || [])[index]) ? DATA.fixes[index] : null,
    };
    // What free-text search matches: rule, title, message, resource name, group and id.
    record.haystack = [record.rule, str(finding.title), record.message, record.resource, record.resource_group,
      str(finding.resource_id)].join("\n").toLowerCase();
    if (owner) {
      owner.findings.push(record);
      owner.severities.add(record.severity);
      if (record.status === "fail" && !record.waived && record.severity in owner.fails) owner.fails[record.severity] += 1;
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

  function referenceNode(reference) {
    if (!isPlainObject(reference)) return el("span", { className: "empty", text: NOT_IN_RESULT });
    const parts = [str(reference.edition), str(reference.doc), str(reference.section)].filter(Boolean);
    const wrapper = el("span", { text: "Edition " + parts.join(" · ") });
    const url = str(reference.url);
    // Only https documentation links; javascript:, data: and the like stay text.
    if (/^https:\/\/[^\s]+$/i.test(url)) {
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
      this.form.addEventListener("reset", () => window.setTimeout(() => this.refresh(true), 0));
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
      this.form.reset();
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
      viewLabel.textContent = values.category ? "· " + values.category + " view" : "";
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

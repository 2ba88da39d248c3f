// Deja's web UI: plain JavaScript over the same API as every other client. Log text is hostile, so
// everything from the server is rendered with textContent or as attributes, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const RANGES = { "1h": 3600e3, "24h": 86400e3, "7d": 7 * 86400e3, "30d": 30 * 86400e3 };
let uiConfig = {};

// ---- API ------------------------------------------------------------------------------------

async function api(path, options = {}) {
  const headers = Object.assign({ Accept: "application/json" }, options.headers || {});
  const token = localStorage.getItem("deja-token");
  if (token) headers.Authorization = "Bearer " + token;
  if (options.body) headers["Content-Type"] = "application/json";
  const response = await fetch(path, Object.assign({}, options, { headers }));
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (_) { body = null; }
  if (!response.ok) {
    if (response.status === 401) $("token-button").hidden = false;
    const message = body && body.error ? (body.error.message || body.error.reason || JSON.stringify(body.error)) : text;
    throw new Error(`${response.status}: ${message || response.statusText}`);
  }
  return body;
}

function showError(error) {
  const box = $("error");
  box.textContent = error ? String(error.message || error) : "";
  box.hidden = !error;
}

// ---- Time ------------------------------------------------------------------------------------

const nanos = (ms) => String(BigInt(Math.round(ms)) * 1000000n);
const millis = (ns) => Number(BigInt(ns) / 1000000n);
const when = (ns) => new Date(millis(ns)).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");

function rangeOf(range, sinceInput, untilInput) {
  const now = Date.now();
  if (range === "custom") {
    const since = sinceInput && sinceInput.value ? Date.parse(sinceInput.value) : now - RANGES["7d"];
    const until = untilInput && untilInput.value ? Date.parse(untilInput.value) : now;
    return { since, until };
  }
  if (range === "all") return { since: 0, until: now };
  return { since: now - (RANGES[range] || RANGES["7d"]), until: now };
}

// ---- Drawing ---------------------------------------------------------------------------------

function sparkline(svg, counts) {
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  if (!counts || !counts.length) return;
  const max = Math.max(1, ...counts);
  const step = 120 / Math.max(1, counts.length - 1);
  const points = counts.map((c, i) => `${(i * step).toFixed(1)},${(22 - (c / max) * 20).toFixed(1)}`).join(" ");
  const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
  line.setAttribute("points", points);
  svg.appendChild(line);
  const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
  title.textContent = `occurrences per bucket: ${counts.join(", ")}`;
  svg.appendChild(title);
  svg.setAttribute("aria-label", title.textContent);
}

function levelBadge(element, level) {
  element.textContent = level;
  element.className = "level level-" + level;
}

// Words of the query that the signature's message holds too: the shared pattern tokens.
function sharedTokens(query, message) {
  const words = (text) => new Set((text.toLowerCase().match(/[a-z][a-z0-9_.-]{2,}/g) || []));
  const inMessage = words(message);
  return [...words(query)].filter((w) => inMessage.has(w)).slice(0, 8);
}

// ---- Deep links ------------------------------------------------------------------------------

const STREAM_LABELS = ["namespace", "k8s.namespace.name", "app", "container", "job", "service_name", "cluster"];

function grafanaLink(event) {
  if (!uiConfig.grafanaURL || !uiConfig.lokiDatasource) return null;
  const selector = STREAM_LABELS.filter((k) => event.labels && event.labels[k] && /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k))
    .map((k) => `${k}="${event.labels[k].replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`);
  if (!selector.length) selector.push(`service_name="${event.service.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`);
  const at = millis(event.timestamp);
  const pane = {
    datasource: uiConfig.lokiDatasource,
    queries: [{ refId: "A", datasource: { type: "loki", uid: uiConfig.lokiDatasource }, expr: `{${selector.join(", ")}}`, queryType: "range" }],
    range: { from: String(at - 5 * 60e3), to: String(at + 5 * 60e3) },
  };
  return `${uiConfig.grafanaURL.replace(/\/$/, "")}/explore?schemaVersion=1&orgId=1&panes=${encodeURIComponent(JSON.stringify({ dja: pane }))}`;
}

const rison = (text) => "'" + text.replace(/!/g, "!!").replace(/'/g, "!'") + "'";

function kibanaLink(event) {
  if (!uiConfig.kibanaURL) return null;
  const at = millis(event.timestamp);
  const iso = (ms) => new Date(ms).toISOString();
  const phrase = event.body.split("\n")[0].slice(0, 120).replace(/\\/g, "\\\\").replace(/"/g, '\\"');
  const kuery = `"${phrase}"`;
  const app = uiConfig.kibanaDataView ? `index:${rison(uiConfig.kibanaDataView)},` : "";
  // Each parameter encoded whole: log text cannot end one and start another (`&`, `=`, `#`).
  const g = `(time:(from:${rison(iso(at - 5 * 60e3))},to:${rison(iso(at + 5 * 60e3))}))`;
  const a = `(${app}query:(language:kuery,query:${rison(kuery)}))`;
  return `${uiConfig.kibanaURL.replace(/\/$/, "")}/app/discover#/?_g=${encodeURIComponent(g)}&_a=${encodeURIComponent(a)}`;
}

// A received line keeps the colour codes its logger wrote for a terminal; shown, they are noise.
const withoutTerminalColours = (text) => text.replace(/\x1b\[[0-?]*[ -\/]*[@-~]/g, "").replace(/\x1b./g, "");

// ---- Search page -----------------------------------------------------------------------------

function renderEvent(event, remote) {
  const node = $("event-template").content.firstElementChild.cloneNode(true);
  node.querySelector(".when").textContent = when(event.timestamp);
  node.querySelector(".when").dateTime = new Date(millis(event.timestamp)).toISOString();
  if (event.lineTimestamp !== undefined) {
    node.querySelector(".when").title = `received ${new Date(millis(event.timestamp)).toISOString()}; the line says ${new Date(millis(event.lineTimestamp)).toISOString()}`;
  }
  node.querySelector(".service").textContent = event.service;
  const similar = node.querySelector(".similar");
  if (remote) {
    // The example of a signature whose events another replica holds: no id here to open.
    node.querySelector(".event-id").textContent = "example, held by another replica";
    similar.hidden = true;
  } else {
    node.querySelector(".event-id").textContent = event.externalID ? `id ${event.externalID}` : `#${event.id}`;
    similar.href = "/?similar=" + encodeURIComponent(event.externalID || String(event.id));
  }
  node.querySelector(".body").textContent = withoutTerminalColours(event.body);
  const labels = node.querySelector(".labels");
  for (const key of Object.keys(event.labels || {}).sort()) {
    const dt = document.createElement("dt");
    dt.textContent = key;
    const dd = document.createElement("dd");
    dd.textContent = event.labels[key];
    labels.append(dt, dd);
  }
  for (const [cls, href] of [["grafana", grafanaLink(event)], ["kibana", kibanaLink(event)]]) {
    const link = node.querySelector("." + cls);
    if (href) { link.href = href; link.hidden = false; }
  }
  return node;
}

// Metrics that may explain a message: by its meaning, preferring its service's job.
function relatedMetricsLink(link, text, service) {
  link.href = "/?" + new URLSearchParams({ view: "metrics", q: text, ...(service ? { service } : {}) });
}

function renderGroup(group, query) {
  const node = $("group-template").content.firstElementChild.cloneNode(true);
  const signature = group.signature;
  node.dataset.signature = signature.id;
  levelBadge(node.querySelector(".level"), signature.level);
  node.querySelector(".message").textContent = signature.message;
  node.querySelector(".count").textContent = `${group.count} event${group.count === 1 ? "" : "s"}`;
  node.querySelector(".services").textContent = [...new Set([signature.service, ...group.events.map((e) => e.service)])].join(", ");
  node.querySelector(".first").textContent = when(signature.firstSeen);
  node.querySelector(".last").textContent = when(signature.lastSeen);
  const why = [];
  if (group.identifierMatches) why.push(`${group.identifierMatches} holding the query's id`);
  if (group.similarity != null) why.push(`similarity ${(group.similarity * 100).toFixed(0)}%`);
  if (group.keywordRank != null) why.push(`keyword match #${group.keywordRank}`);
  if (group.sharedConcepts && group.sharedConcepts.length) why.push(`both ${group.sharedConcepts.join(", ")}`);
  const shared = query ? sharedTokens(query, signature.message) : [];
  if (shared.length) why.push(`shared words: ${shared.join(" ")}`);
  node.querySelector(".why").textContent = why.length ? "Why: " + why.join(" · ") : "";
  relatedMetricsLink(node.querySelector(".related-metrics"), signature.message, signature.service);
  if (signature.issueID != null) node.querySelector(".why").append(" ", issueLink(signature.issueID, `Issue I${signature.issueID}`));
  const list = node.querySelector(".event-list");
  for (const event of group.events) list.appendChild(renderEvent(event, group.remote === true));
  return node;
}

function searchState() {
  const params = new URLSearchParams(location.search);
  return {
    q: params.get("q") || "", service: params.get("service") || "", level: params.get("level") || "",
    range: params.get("range") || "all", since: params.get("since") || "", until: params.get("until") || "",
    similar: params.get("similar") || "",
  };
}

function fillForm(state) {
  $("query").value = state.q;
  $("service").value = state.service;
  $("level").value = state.level;
  $("range").value = RANGES[state.range] || state.range === "custom" ? state.range : "all";
  $("custom-range").hidden = $("range").value !== "custom";
  if (state.since) $("since").value = state.since;
  if (state.until) $("until").value = state.until;
}

// An identifier's every raw line is in Loki or Elasticsearch; cluster mode's keyword search reads examples only.
function showRawLogs(response) {
  const links = ["grafana", "kibana"].filter((name) => response.rawLogs && response.rawLogs[name]).map((name) => [name, response.rawLogs[name]]);
  const line = $("raw-logs");
  line.replaceChildren();
  if (!links.length) return;
  line.append(response.keywordScope === "signatures"
    ? "Matches here come from each signature's example; every raw line holding the identifier: "
    : "Every raw line holding the identifier: ");
  links.forEach(([name, href], index) => {
    const link = document.createElement("a");
    link.href = href;
    link.textContent = name === "grafana" ? "in Grafana" : "in Kibana";
    if (index) line.append(" · ");
    line.append(link);
  });
  line.hidden = false;
}

async function runSearch(state) {
  showError(null);
  const results = $("results");
  results.replaceChildren();
  $("raw-logs").hidden = true;
  if (!state.q && !state.similar) { $("search-status").textContent = ""; return; }
  $("search-status").textContent = "Searching…";
  $("search-button").disabled = true;
  const { since, until } = rangeOf(state.range, $("since"), $("until"));
  try {
    let response;
    if (state.similar) {
      const params = new URLSearchParams({ limit: "20" });
      if (state.service) params.set("service", state.service);
      if (state.level) params.set("level", state.level);
      response = await api(`/api/v1/similar/${encodeURIComponent(state.similar)}?${params}`);
      $("query").value = response.query;
    } else {
      const body = { query: state.q, limit: 20 };
      if (state.range !== "all") Object.assign(body, { since: new Date(since).toISOString(), until: new Date(until).toISOString() });
      if (state.service) body.service = state.service.split(",").map((s) => s.trim()).filter(Boolean);
      if (state.level) body.level = state.level;
      response = await api("/api/v1/search", { method: "POST", body: JSON.stringify(body) });
    }
    const groups = response.groups;
    $("search-status").textContent = groups.length
      ? `${groups.length} group${groups.length === 1 ? "" : "s"} in ${response.tookMilliseconds.toFixed(0)} ms` +
        (state.similar ? ` like event ${state.similar}` : "")
      : "Nothing like this yet. Widen the range or drop a filter.";
    showRawLogs(response);
    for (const group of groups) results.appendChild(renderGroup(group, response.query));
    // "All time" draws from the oldest result on, not from 1970.
    const start = state.range === "all" && groups.length ? Math.min(...groups.map((g) => millis(g.signature.firstSeen))) : since;
    drawSparklines(results, groups.map((g) => g.signature.id), start, until);
  } catch (error) {
    $("search-status").textContent = "";
    showError(error);
  } finally {
    $("search-button").disabled = false;
  }
}

async function drawSparklines(container, ids, since, until) {
  if (!ids.length) return;
  const params = new URLSearchParams({ since: new Date(since).toISOString(), until: new Date(until).toISOString(), buckets: "24",
                                       signature: ids.join(","), limit: String(ids.length) });
  try {
    const response = await api("/api/v1/signatures?" + params);
    const counts = new Map(response.signatures.map((p) => [p.signature.id, p.counts]));
    for (const node of container.querySelectorAll(".group")) {
      sparkline(node.querySelector(".spark"), counts.get(Number(node.dataset.signature)) || []);
    }
  } catch (error) {
    showError(error);
  }
}

// ---- Recurring issues -----------------------------------------------------------------------

const STATE_TEXT = { new: "new", rising: "rising", regressed: "regressed", steady: "" };

function issueLink(id, text) {
  const link = document.createElement("a");
  link.href = "/?" + new URLSearchParams({ view: "issue", id: String(id) });
  link.className = "issue-link";
  link.textContent = text;
  return link;
}

function stateBadge(element, state) {
  element.textContent = STATE_TEXT[state] || "";
  element.className = "state state-" + state;
  element.hidden = !STATE_TEXT[state];
}

function issueRange(params, range) {
  const { since, until } = rangeOf(range);
  params.set("until", new Date(until).toISOString());
  if (range !== "all") params.set("since", new Date(since).toISOString());
}

async function runIssues() {
  showError(null);
  const list = $("issues");
  list.replaceChildren();
  $("issues-status").textContent = "Loading…";
  const range = $("issues-range").value;
  const params = new URLSearchParams({ buckets: "24", limit: "50", sort: $("issues-sort").value });
  issueRange(params, range);
  if ($("issues-service").value) params.set("service", $("issues-service").value);
  if ($("issues-level").value) params.set("level", $("issues-level").value);
  if ($("issues-state").value) params.set("state", $("issues-state").value);
  try {
    const response = await api("/api/v1/issues?" + params);
    $("issues-status").textContent = response.issues.length
      ? `${response.issues.length} issues, by ${$("issues-sort").selectedOptions[0].text}` : "No issues in this range.";
    for (const summary of response.issues) {
      const issue = summary.issue;
      const node = $("group-template").content.firstElementChild.cloneNode(true);
      node.dataset.issue = issue.id;
      levelBadge(node.querySelector(".level"), issue.levels[0]);
      node.querySelector(".message").appendChild(issueLink(issue.id, issue.title));
      const state = document.createElement("span");
      stateBadge(state, summary.state);
      node.querySelector(".group-head").appendChild(state);
      node.querySelector(".count").textContent = `${summary.windowCount} event${summary.windowCount === 1 ? "" : "s"}`;
      node.querySelector(".services").textContent = issue.services.join(", ");
      node.querySelector(".first").textContent = when(issue.firstSeen);
      node.querySelector(".last").textContent = when(issue.lastSeen);
      sparkline(node.querySelector(".spark"), summary.counts);
      node.querySelector(".why").textContent = `${issue.signatureIDs.length} signature${issue.signatureIDs.length === 1 ? "" : "s"}` +
        (issue.services.length > 1 ? ` across ${issue.services.length} services` : "");
      if (summary.state !== "steady") node.classList.add("marked");
      node.querySelector(".events").remove();
      relatedMetricsLink(node.querySelector(".related-metrics"), issue.title, issue.services.length === 1 ? issue.services[0] : "");
      list.appendChild(node);
    }
  } catch (error) {
    $("issues-status").textContent = "";
    showError(error);
  }
}

async function runIssue() {
  showError(null);
  const id = new URLSearchParams(location.search).get("id");
  const members = $("issue-members");
  members.replaceChildren();
  $("issue-examples").replaceChildren();
  $("issue-title").textContent = "Issue " + id;
  const params = new URLSearchParams({ buckets: "48" });
  issueRange(params, "all");
  try {
    const response = await api(`/api/v1/issues/${encodeURIComponent(id)}?` + params);
    const detail = response.issue;
    const issue = detail.summary.issue;
    if (String(issue.id) !== id) history.replaceState(null, "", "/?" + new URLSearchParams({ view: "issue", id: String(issue.id) }));
    $("issue-title").textContent = issue.title;
    stateBadge($("issue-state"), detail.summary.state);
    $("issue-meta").textContent = `I${issue.id} · ${issue.count} events · ${issue.services.join(", ")} · first ${when(issue.firstSeen)} · last ${when(issue.lastSeen)}`;
    sparkline($("issue-spark"), detail.summary.counts);
    relatedMetricsLink($("issue-metrics"), issue.title, issue.services.length === 1 ? issue.services[0] : "");
    // Members by service: the same failure as each service words it.
    const byService = new Map();
    for (const signature of detail.signatures) {
      if (!byService.has(signature.service)) byService.set(signature.service, []);
      byService.get(signature.service).push(signature);
    }
    for (const [service, signatures] of byService) {
      const item = document.createElement("li");
      item.className = "group member";
      const head = document.createElement("h3");
      head.textContent = service;
      item.appendChild(head);
      for (const signature of signatures) {
        const row = document.createElement("div");
        row.className = "group-head";
        const level = document.createElement("span");
        levelBadge(level, signature.level);
        const message = document.createElement("code");
        message.className = "message";
        message.textContent = signature.message;
        const count = document.createElement("span");
        count.className = "meta";
        count.textContent = `${signature.count} event${signature.count === 1 ? "" : "s"}`;
        const similar = document.createElement("a");
        similar.href = "/?" + new URLSearchParams({ similar: String(signature.exampleEventID) });
        similar.textContent = "Find similar";
        row.append(level, message, count, similar);
        item.appendChild(row);
      }
      members.appendChild(item);
    }
    for (const event of detail.examples) $("issue-examples").appendChild(renderEvent(event, false));
  } catch (error) {
    showError(error);
  }
}

// ---- Alerts ---------------------------------------------------------------------------------

function alertLink(alert) {
  const link = document.createElement("a");
  link.href = "/?" + new URLSearchParams({ view: "alert", fingerprint: alert.fingerprint });
  link.className = "alert-link";
  link.textContent = alert.name || alert.fingerprint;
  return link;
}

function statusBadge(element, status) {
  element.textContent = status;
  element.className = "state state-" + (status === "firing" ? "new" : "steady");
}

async function runAlerts() {
  showError(null);
  const list = $("alerts");
  list.replaceChildren();
  $("alerts-status").textContent = "Loading…";
  try {
    const response = await api("/api/v1/alerts?limit=100");
    $("alerts-status").textContent = response.alerts.length
      ? `${response.alerts.length} alerts, the latest first` : "No alerts yet: point an Alertmanager webhook at /api/v1/alerts/alertmanager.";
    for (const alert of response.alerts) {
      const item = document.createElement("li");
      item.className = "group alert";
      const head = document.createElement("div");
      head.className = "group-head";
      const status = document.createElement("span");
      statusBadge(status, alert.status);
      head.append(status, alertLink(alert));
      const meta = document.createElement("p");
      meta.className = "meta";
      meta.textContent = [`started ${alert.startsAt.replace("T", " ")}`, alert.enrichment && alert.enrichment.service,
                          alert.annotations.summary].filter(Boolean).join(" · ");
      item.append(head, meta);
      if (alert.related.length) {
        const top = document.createElement("p");
        top.className = "why";
        top.append("Most telling: ");
        const issue = alert.related[0];
        top.append(issue.issueID != null ? issueLink(issue.issueID, issue.message) : issue.message);
        item.appendChild(top);
      }
      list.appendChild(item);
    }
  } catch (error) {
    $("alerts-status").textContent = "";
    showError(error);
  }
}

async function runAlert() {
  showError(null);
  const fingerprint = new URLSearchParams(location.search).get("fingerprint") || "";
  for (const id of ["alert-related", "alert-previous", "alert-labels", "alert-links"]) $(id).replaceChildren();
  $("alert-name").textContent = fingerprint;
  try {
    const alert = await api(`/api/v1/alerts/${encodeURIComponent(fingerprint)}`);
    $("alert-name").textContent = alert.name;
    statusBadge($("alert-status"), alert.status);
    const enrichment = alert.enrichment;
    $("alert-meta").textContent = [`started ${alert.startsAt.replace("T", " ")}`, alert.endsAt && `ended ${alert.endsAt.replace("T", " ")}`,
                                   `${alert.notifications} notification${alert.notifications === 1 ? "" : "s"}`,
                                   enrichment ? (enrichment.service ? `service ${enrichment.service}` : "no known service: searched by meaning") : "not enriched yet"]
      .filter(Boolean).join(" · ");
    $("alert-summary").textContent = [alert.annotations.summary, alert.annotations.description].filter(Boolean).join(" — ");
    for (const [key, value] of Object.entries(alert.labels)) {
      const term = document.createElement("dt");
      term.textContent = key;
      const definition = document.createElement("dd");
      definition.textContent = value;
      $("alert-labels").append(term, definition);
    }
    if (!enrichment) return;
    for (const [label, href] of [["Logs of the window in Grafana", enrichment.links.grafana], ["in Kibana", enrichment.links.kibana]]) {
      if (!href) continue;
      const link = document.createElement("a");
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.textContent = label;
      $("alert-links").append(link, " ");
    }
    for (const metric of enrichment.metrics) {
      const link = document.createElement("a");
      link.href = "/?" + new URLSearchParams({ view: "metrics", q: metric });
      link.textContent = metric;
      $("alert-links").append(link, " ");
    }
    for (const issue of alert.related) {
      const item = document.createElement("li");
      item.className = "group related";
      const head = document.createElement("div");
      head.className = "group-head";
      const message = document.createElement("code");
      message.className = "message";
      message.appendChild(issue.issueID != null ? issueLink(issue.issueID, issue.message) : document.createTextNode(issue.message));
      const state = document.createElement("span");
      stateBadge(state, issue.state);
      head.append(message, state);
      const meta = document.createElement("p");
      meta.className = "meta";
      meta.textContent = `${issue.count} event${issue.count === 1 ? "" : "s"} in the window · ${issue.services.join(", ")}` +
        (issue.similarity != null ? ` · similarity ${(issue.similarity * 100).toFixed(0)}%` : "");
      const events = document.createElement("ul");
      events.className = "event-list";
      for (const event of issue.events) events.appendChild(renderEvent(event, false));
      item.append(head, meta, events);
      $("alert-related").appendChild(item);
    }
    if (!alert.related.length) $("alert-related").textContent = "Nothing in the window.";
    for (const previous of enrichment.previous) {
      const item = document.createElement("li");
      item.append(`${when(previous.startsAt)} (${previous.status}) `);
      for (const id of previous.issueIDs.slice(0, 3)) item.append(issueLink(id, `I${id}`), " ");
      $("alert-previous").appendChild(item);
    }
    if (!enrichment.previous.length) $("alert-previous").textContent = "First time.";
  } catch (error) {
    showError(error);
  }
}

// ---- Metrics ---------------------------------------------------------------------------------

async function runMetrics() {
  showError(null);
  const list = $("metrics");
  list.replaceChildren();
  const params = new URLSearchParams(location.search);
  $("metrics-query").value = params.get("q") || "";
  $("metrics-job").value = params.get("job") || "";
  $("metrics-type").value = params.get("type") || "";
  const service = params.get("service");
  if (!params.get("q")) { $("metrics-status").textContent = "Describe what a metric measures, in your own words."; return; }
  $("metrics-status").textContent = "Searching…";
  const query = new URLSearchParams({ q: params.get("q"), limit: "20" });
  if (params.get("job")) query.set("job", params.get("job"));
  if (params.get("type")) query.set("type", params.get("type"));
  if (service) query.set("service", service);
  try {
    const response = await api("/api/v1/metrics/search?" + query);
    $("metrics-status").textContent = response.metrics.length
      ? `${response.metrics.length} metrics, best first` + (service ? `, those of job ${service} preferred` : "")
      : "No metrics indexed: start deja serve with --prometheus-url.";
    for (const hit of response.metrics) {
      const item = document.createElement("li");
      item.className = "group metric";
      const name = document.createElement("code");
      name.className = "metric-name";
      name.textContent = hit.metric;
      const type = document.createElement("span");
      type.className = "level";
      type.textContent = hit.type;
      const help = document.createElement("p");
      help.textContent = hit.help || "(no HELP text)";
      const promql = document.createElement("pre");
      promql.textContent = hit.promql;
      const meta = document.createElement("p");
      meta.className = "meta";
      meta.textContent = [hit.jobs.length ? "jobs: " + hit.jobs.join(", ") : "", hit.labels.length ? "labels: " + hit.labels.join(", ") : ""]
        .filter(Boolean).join(" · ");
      item.append(name, " ", type, help, promql, meta);
      for (const [label, href] of [["Graph in Prometheus", hit.links.prometheus], ["Explore in Grafana", hit.links.grafana]]) {
        if (!href) continue;
        const link = document.createElement("a");
        link.href = href;
        link.rel = "noopener";
        link.target = "_blank";
        link.textContent = label;
        item.append(link, " ");
      }
      list.appendChild(item);
    }
  } catch (error) {
    $("metrics-status").textContent = "";
    showError(error);
  }
}

// ---- Embedding backlog ------------------------------------------------------------------------

// Signatures stored but not embedded yet are found by keyword only, and join issues later: say so.
async function showBacklog() {
  try {
    const status = await api("/api/v1/status");
    const waiting = status.signaturesWaitingForEmbedding;
    $("backlog").hidden = waiting === 0;
    $("backlog").textContent = waiting ? `embedding ${waiting.toLocaleString("en")} of ${status.signatures.toLocaleString("en")} signatures…` : "";
  } catch (_) {
    $("backlog").hidden = true;
  }
}

// ---- Wiring ----------------------------------------------------------------------------------

function submitSearch() {
  const params = new URLSearchParams();
  if ($("query").value.trim()) params.set("q", $("query").value);
  if ($("service").value.trim()) params.set("service", $("service").value.trim());
  if ($("level").value) params.set("level", $("level").value);
  params.set("range", $("range").value);
  if ($("range").value === "custom") {
    if ($("since").value) params.set("since", $("since").value);
    if ($("until").value) params.set("until", $("until").value);
  }
  history.pushState(null, "", "/?" + params);
  route();
}

function route() {
  const state = searchState();
  const view = new URLSearchParams(location.search).get("view") || "search";
  for (const name of ["search", "issues", "issue", "alerts", "alert", "metrics"]) {
    $(name + "-view").hidden = view !== name;
    if ($("nav-" + name)) $("nav-" + name).setAttribute("aria-current", view === name ? "page" : "false");
  }
  if (view === "issues") {
    // A link may name the filters and order (/?view=issues&sort=growth&state=rising).
    const params = new URLSearchParams(location.search);
    for (const name of ["service", "level", "state", "range", "sort"]) {
      if (params.has(name)) $("issues-" + name).value = params.get(name);
    }
    runIssues();
    return;
  }
  if (view === "issue") { runIssue(); return; }
  if (view === "alerts") { runAlerts(); return; }
  if (view === "alert") { runAlert(); return; }
  if (view === "metrics") { runMetrics(); return; }
  fillForm(state);
  runSearch(state);
}

document.addEventListener("DOMContentLoaded", async () => {
  $("search-form").addEventListener("submit", (e) => { e.preventDefault(); submitSearch(); });
  $("query").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); submitSearch(); }
  });
  $("range").addEventListener("change", () => { $("custom-range").hidden = $("range").value !== "custom"; });
  $("issues-form").addEventListener("submit", (e) => { e.preventDefault(); runIssues(); });
  $("metrics-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const params = new URLSearchParams({ view: "metrics", q: $("metrics-query").value });
    if ($("metrics-job").value.trim()) params.set("job", $("metrics-job").value.trim());
    if ($("metrics-type").value) params.set("type", $("metrics-type").value);
    history.pushState(null, "", "/?" + params);
    route();
  });
  $("results").addEventListener("click", (e) => {
    const link = e.target.closest("a.similar");
    if (!link) return;
    e.preventDefault();
    history.pushState(null, "", link.getAttribute("href"));
    route();
  });
  $("token-button").addEventListener("click", () => {
    const token = prompt("Bearer token for this Deja (kept in this browser):", localStorage.getItem("deja-token") || "");
    if (token !== null) {
      localStorage.setItem("deja-token", token.trim());
      // The links' configuration needs a token too: read it again with the new one.
      api("/api/v1/ui-config").then((config) => { uiConfig = config; }, () => {}).finally(route);
    }
  });
  window.addEventListener("popstate", route);
  try { uiConfig = await api("/api/v1/ui-config"); } catch (_) { uiConfig = {}; }
  showBacklog();
  setInterval(showBacklog, 5000);
  route();
  $("query").focus();
});

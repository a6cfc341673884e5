/* The timeline page's behaviour: filters, search, URL-hash state, timeline, map and table.
 *
 * Embedded by events/timeline.py; no framework and no network. The data block #ev-data holds one
 * array per field, repeated strings replaced by indexes into sorted dictionaries (see
 * encode_timeline_data). Events are drawn with one trace per colour (WebGL when the browser has it),
 * so a filter change rebuilds a few arrays instead of thousands of traces. */
(function () {
  "use strict";

  const DAY_MS = 86400000;
  const PAGE_SIZE = 200;
  const HOVER_PEOPLE = 8;
  const MAX_WINDOWS = 5000; // period lines of inexact dates cost much to draw: only for a filtered view
  // tab10, then Kelly's colours of maximum contrast; the most frequent categories get the first ones
  const PALETTE = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
    "#17becf", "#F3C300", "#A1CAF1", "#C2B280", "#008856", "#F99379", "#604E97", "#B3446C", "#DCD300",
    "#882D17", "#8DB600", "#654522", "#E25822", "#2B3D26", "#E68FAC", "#0067A5", "#BE0032", "#F6A600",
    "#875692",
  ];
  const NONE_COLOR = "#9aa5b1";
  const KINDS = ["industry", "province", "type"];
  const LABEL = { province: "province", industry: "industry", type: "event type" };
  const NONE = { province: "(no province)", industry: "(no industry)", type: "(no type)" };
  // nothing may leave the release: no "share to cloud" button, and the map is embedded (never fetched)
  const PLOT_CONFIG = { displaylogo: false, responsive: true, showSendToCloud: false, plotlyServerURL: "",
                        topojsonURL: "./", modeBarButtonsToRemove: ["select2d", "lasso2d"] };

  const byId = (id) => document.getElementById(id);
  const data = JSON.parse(byId("ev-data").textContent);
  const dict = data.dict;
  const ev = data.events;
  const agg = data.aggregate;
  const count = ev.id.length;
  const DICT = { province: dict.province, industry: dict.industry, type: dict.event_type };
  const DAY_PRECISION = dict.precision.indexOf("day");
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  const traceType = webglWorks() ? "scattergl" : "scatter";
  installWorldMap();

  // Values derived once per event (and per aggregate row).
  const province = new Int32Array(count);
  const month = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    province[i] = ev.place[i] < 0 ? -1 : dict.place[ev.place[i]][1];
    month[i] = monthOf(ev.day[i]);
  }
  const aggRows = agg ? agg.count.length : 0;
  const aggMonth = new Int32Array(aggRows);
  for (let j = 0; j < aggRows; j++) aggMonth[j] = monthOf(agg.day[j]);

  const TOTALS = { industry: categoryTotals("industry"), province: categoryTotals("province"),
                   type: categoryTotals("type") };
  const colourRank = { industry: rankByTotal("industry"), type: rankByTotal("type") };
  let state = readHash();
  let visible = []; // event indexes passing the filters, in date order
  let aggVisible = []; // aggregate rows passing the filters
  let aggTotal = 0;
  let tableRows = [];
  const hoverCache = new Array(count);
  let haystacks = null;

  // ---------------------------------------------------------------------------------------------
  // small helpers

  function webglWorks() {
    try {
      const canvas = document.createElement("canvas");
      const gl = canvas.getContext("webgl") || canvas.getContext("experimental-webgl");
      return Boolean(window.WebGLRenderingContext && gl);
    } catch (e) {
      return false;
    }
  }

  /* Plotly's geo would fetch its world map from a CDN: hand it the embedded copy instead. */
  function installWorldMap() {
    const assets = window.PlotlyGeoAssets || (window.PlotlyGeoAssets = {});
    assets.topojson = Object.assign(assets.topojson || {}, JSON.parse(byId("ev-geo").textContent));
  }

  function monthOf(day) {
    const date = new Date(day * DAY_MS);
    return date.getUTCFullYear() * 12 + date.getUTCMonth();
  }

  const isoDay = (day) => new Date(day * DAY_MS).toISOString().slice(0, 10);
  const esc = (text) => String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const clip = (text, n) => (text.length > n ? text.slice(0, n - 1) + "…" : text);
  const number = (n) => n.toLocaleString("en");
  const plural = (n, word) => number(n) + " " + word + (n === 1 ? "" : "s");
  const fold = (text) => text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  const codeOrder = (a, b) => (a < 0) - (b < 0) || a - b; // dictionary order, "none" last

  function name(kind, code) {
    return code < 0 ? NONE[kind] : DICT[kind][code];
  }

  function placeName(p) {
    if (p < 0) return "";
    const entry = dict.place[p];
    const parts = [entry[0], entry[1] >= 0 ? dict.province[entry[1]] : null, entry[2]];
    return parts.filter((part, k) => part && parts.indexOf(part) === k).join(", ");
  }

  function sourceUrl(i) {
    const url = ev.source[i] >= 0 ? dict.source[ev.source[i]][1] : null;
    return url && /^https?:\/\//i.test(url) ? url : null;
  }

  function dateLabel(i) {
    const day = ev.day[i];
    const precision = dict.precision[ev.precision[i]];
    const iso = isoDay(day);
    if (precision === "day") return iso;
    if (precision === "month") return iso.slice(0, 7) + " (month)";
    if (precision === "year") return iso.slice(0, 4) + " (year)";
    return "≈ " + iso + " (approximate: " + isoDay(day + ev.lo[i]) + " – " + isoDay(day + ev.hi[i]) + ")";
  }

  function participantItems(i) {
    const flat = ev.participants[i];
    const items = [];
    for (let j = 0; j < flat.length; j += 3) {
      items.push(dict.name[flat[j]] + (flat[j + 2] >= 0 ? " (" + dict.role[flat[j + 2]] + ")" : ""));
    }
    return items;
  }

  // Lanes and colours: which category an event (or aggregate row) belongs to.
  function eventCode(kind, i) {
    if (kind === "province") return province[i];
    if (kind === "industry") return ev.industries[i].length ? ev.industries[i][0] : -1;
    return ev.type[i];
  }

  function aggCode(kind, j) {
    if (kind === "province") return agg.province[j];
    if (kind === "industry") return agg.combos[agg.industries[j]].length ? agg.combos[agg.industries[j]][0] : -1;
    return agg.type[j];
  }

  /* Category code -> rank by number of events (ties in dictionary order), for stable distinct colours. */
  function rankByTotal(kind) {
    const totals = TOTALS[kind];
    const codes = DICT[kind].map((_, code) => code);
    codes.sort((a, b) => (totals.get(b) || 0) - (totals.get(a) || 0) || a - b);
    const rank = new Array(codes.length);
    codes.forEach((code, k) => { rank[code] = k; });
    return rank;
  }

  function colorOf(kind, code) {
    return code < 0 ? NONE_COLOR : PALETTE[colourRank[kind][code] % PALETTE.length];
  }

  // ---------------------------------------------------------------------------------------------
  // state <-> URL hash (names, not indexes, so a link survives a new release)

  function emptyState() {
    return { industry: [], province: [], type: [], q: "", place: -1, lane: "province", color: "industry",
             sort: "date", desc: true, page: 0 };
  }

  function readHash() {
    const params = new URLSearchParams(location.hash.replace(/^#/, ""));
    const s = emptyState();
    for (const kind of KINDS) {
      for (const label of params.getAll(kind)) {
        const code = label === NONE[kind] ? -1 : DICT[kind].indexOf(label);
        if ((code >= 0 || label === NONE[kind]) && !s[kind].includes(code)) s[kind].push(code);
      }
    }
    s.q = params.get("q") || "";
    if (params.has("place")) {
      const wanted = params.get("place");
      s.place = dict.place.findIndex((entry, p) => placeName(p) === wanted);
    }
    if (LABEL[params.get("lane")]) s.lane = params.get("lane");
    if (params.get("color") === "type") s.color = "type";
    const sort = (params.get("sort") || "").replace(/^-/, "");
    if (["date", "title", "place", "participants"].includes(sort)) {
      s.sort = sort;
      s.desc = params.get("sort").startsWith("-");
    }
    return s;
  }

  function hashOf(s) {
    const params = new URLSearchParams();
    for (const kind of KINDS) for (const code of s[kind]) params.append(kind, name(kind, code));
    if (s.q) params.set("q", s.q);
    if (s.place >= 0) params.set("place", placeName(s.place));
    if (s.lane !== "province") params.set("lane", s.lane);
    if (s.color !== "industry") params.set("color", s.color);
    if (s.sort !== "date" || !s.desc) params.set("sort", (s.desc ? "-" : "") + s.sort);
    return params.toString();
  }

  function writeHash() {
    const hash = hashOf(state);
    if (hash === location.hash.replace(/^#/, "")) return;
    history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
  }

  // ---------------------------------------------------------------------------------------------
  // filtering

  function flags(kind, codes) {
    if (!codes.length) return null;
    const out = new Uint8Array(DICT[kind].length + 1); // slot 0 is "none"
    for (const code of codes) out[code + 1] = 1;
    return out;
  }

  function haystack(i) {
    if (!haystacks) haystacks = new Array(count);
    if (haystacks[i] === undefined) {
      const parts = [ev.title[i]];
      for (const n of ev.persons[i]) parts.push(dict.name[n]);
      for (const n of ev.organizations[i]) parts.push(dict.name[n]);
      const flat = ev.participants[i];
      for (let j = 0; j < flat.length; j += 3) parts.push(dict.name[flat[j]]);
      for (const n of ev.latin[i]) parts.push(dict.latin[n], dict.latin[n].replace(/[\s'’-]+/g, ""));
      haystacks[i] = fold(parts.join("\n"));
    }
    return haystacks[i];
  }

  function anyFlagged(codes, wanted) {
    if (!codes.length) return wanted[0] === 1;
    for (const code of codes) if (wanted[code + 1]) return true;
    return false;
  }

  function applyFilters() {
    const type = flags("type", state.type);
    const prov = flags("province", state.province);
    const industry = flags("industry", state.industry);
    const tokens = fold(state.q).split(/\s+/).filter(Boolean);
    visible = [];
    for (let i = 0; i < count; i++) {
      if (type && !type[ev.type[i] + 1]) continue;
      if (prov && !prov[province[i] + 1]) continue;
      if (industry && !anyFlagged(ev.industries[i], industry)) continue;
      if (state.place >= 0 && ev.place[i] !== state.place) continue;
      if (tokens.length && !tokens.every((t) => haystack(i).includes(t))) continue;
      visible.push(i);
    }
    aggVisible = [];
    aggTotal = 0;
    if (!agg || tokens.length || state.place >= 0) return; // older events carry no names or places
    for (let j = 0; j < aggRows; j++) {
      if (type && !type[agg.type[j] + 1]) continue;
      if (prov && !prov[agg.province[j] + 1]) continue;
      if (industry && !anyFlagged(agg.combos[agg.industries[j]], industry)) continue;
      aggVisible.push(j);
      aggTotal += agg.count[j];
    }
  }

  // ---------------------------------------------------------------------------------------------
  // the timeline with its monthly bars (one figure, one shared date axis)

  function hoverText(i) {
    if (hoverCache[i] === undefined) {
      const lines = [
        "<b>" + esc(clip(ev.title[i], 90)) + "</b>",
        esc(dateLabel(i)) + " · " + esc(dict.event_type[ev.type[i]]),
        esc(placeName(ev.place[i]) || "place unknown"),
      ];
      const people = participantItems(i).map((item) => clip(item, 60));
      for (let k = 0; k < Math.min(people.length, HOVER_PEOPLE); k += 2) {
        lines.push((k ? "" : "Participants: ") + esc(people.slice(k, Math.min(k + 2, HOVER_PEOPLE)).join(", ")));
      }
      if (people.length > HOVER_PEOPLE) lines.push("… and " + (people.length - HOVER_PEOPLE) + " more");
      const industries = ev.industries[i].map((c) => dict.industry[c]);
      if (industries.length) lines.push("Industries: " + esc(industries.join(", ")));
      const source = ev.source[i] >= 0 ? dict.source[ev.source[i]] : null;
      if (source && (source[0] || source[2])) lines.push("Source: " + esc(clip(source[0] || source[2], 80)));
      if (sourceUrl(i)) lines.push("<i>click to open the source</i>");
      hoverCache[i] = lines.join("<br>");
    }
    return hoverCache[i];
  }

  function timelineFigure() {
    const lanes = new Set();
    const groups = new Map();
    let inexact = 0;
    for (const i of visible) inexact += ev.precision[i] !== DAY_PRECISION ? 1 : 0;
    const drawWindows = inexact <= MAX_WINDOWS;
    for (const i of visible) {
      const lane = eventCode(state.lane, i);
      const colour = eventCode(state.color, i);
      lanes.add(lane);
      let g = groups.get(colour);
      if (!g) groups.set(colour, (g = { x: [], y: [], size: [], symbol: [], text: [], idx: [], wx: [], wy: [] }));
      const exact = ev.precision[i] === DAY_PRECISION;
      const laneName = name(state.lane, lane);
      g.x.push(ev.day[i] * DAY_MS);
      g.y.push(laneName);
      g.size.push(Math.min(22, 7 + 3 * Math.sqrt(ev.participants[i].length / 3)));
      g.symbol.push(exact ? "circle" : "circle-open");
      if (!exact && drawWindows) {
        g.wx.push((ev.day[i] + ev.lo[i]) * DAY_MS, (ev.day[i] + ev.hi[i] + 1) * DAY_MS, null);
        g.wy.push(laneName, laneName, null);
      }
      g.text.push(hoverText(i));
      g.idx.push(i);
    }
    // "none" is drawn first, under the others, but listed last in the legend
    const order = [...groups.keys()].sort(codeOrder);
    const traces = [...order.filter((c) => c < 0), ...order.filter((c) => c >= 0)].flatMap((code) => {
      const g = groups.get(code);
      const legendrank = 1000 + order.indexOf(code);
      const colour = colorOf(state.color, code);
      const key = state.color + "-" + (code < 0 ? "none" : code); // uids end up in CSS selectors: keep them plain
      const trace = {
        type: traceType, mode: "markers", meta: "events", uid: "ev-" + key,
        name: name(state.color, code), x: g.x, y: g.y, customdata: g.idx, hovertext: g.text, hoverinfo: "text",
        legendgroup: key, showlegend: false,
        marker: { color: colour, size: g.size, symbol: g.symbol, opacity: 0.85, line: { color: colour, width: 1.5 } },
      };
      // a legend entry of its own, so that hollow first markers do not make the legend look inexact
      const legend = {
        type: "scatter", mode: "markers", meta: "legend", uid: "legend-" + key, name: trace.name,
        legendrank: legendrank, legendgroup: trace.legendgroup, x: [null], y: [null],
        marker: { color: colour, size: 10 },
      };
      if (!g.wx.length) return [legend, trace];
      // the period an inexact date stands for, as a bar through the hollow marker (WebGL error bars
      // do not work on date axes, so the bars are line segments separated by gaps)
      const windows = {
        type: traceType, mode: "lines", meta: "windows", uid: "windows-" + key,
        name: trace.name, legendgroup: trace.legendgroup, showlegend: false, hoverinfo: "skip",
        x: g.wx, y: g.wy, connectgaps: false, opacity: 0.4, line: { color: colour, width: 2 },
      };
      return [legend, windows, trace];
      return trace;
    });
    if (inexact) {
      const label = drawWindows ? "inexact date (line: its period)"
        : "inexact date (periods drawn for up to " + number(MAX_WINDOWS) + ")";
      traces.push({ type: "scatter", mode: "markers", meta: "legend", uid: "inexact", name: label, legendrank: 2000,
                    x: [null], y: [null],
                    marker: { color: NONE_COLOR, symbol: "circle-open", size: 10, line: { width: 2 } } });
    }
    if (aggVisible.length) traces.push(aggregateTrace(lanes));
    const bars = monthlyBars();
    traces.push(bars);

    const laneNames = [...lanes].sort(codeOrder).map((code) => name(state.lane, code));
    const plotHeight = Math.max(240, 26 * laneNames.length + 40);
    const barHeight = 120;
    const gap = 40;
    const inner = plotHeight + gap + barHeight;
    const layout = {
      height: inner + 150,
      margin: { l: 10, r: 10, t: 40, b: 10 },
      hovermode: "closest",
      hoverlabel: { bgcolor: "#ffffff", align: "left", font: { color: "#1f2933", size: 12 } },
      uirevision: "timeline",
      legend: { title: { text: LABEL[state.color] }, itemsizing: "constant" },
      xaxis: {
        type: "date", anchor: "y2", automargin: true,
        rangeselector: { x: 0, y: 1, yanchor: "bottom", buttons: [
          { count: 1, label: "1m", step: "month", stepmode: "backward" },
          { count: 6, label: "6m", step: "month", stepmode: "backward" },
          { count: 1, label: "1y", step: "year", stepmode: "backward" },
          { step: "all", label: "all" },
        ] },
        rangeslider: { visible: true, thickness: 0.08 },
      },
      yaxis: { domain: [(barHeight + gap) / inner, 1], type: "category", categoryorder: "array",
               categoryarray: laneNames, autorange: "reversed", automargin: true, title: { text: LABEL[state.lane] } },
      yaxis2: { domain: [0, barHeight / inner], rangemode: "tozero", automargin: true, title: { text: "per month" },
                tickformat: ",d", dtick: Math.max(...bars.y, 0) <= 5 ? 1 : undefined },
      annotations: visible.length || aggTotal ? [] : [{
        text: count || agg ? "No events match the filters" : "This release has no events",
        xref: "paper", yref: "paper", x: 0.5, y: 0.7, showarrow: false, font: { size: 16, color: "#616e7c" },
      }],
    };
    return { data: traces, layout: layout };
  }

  /* The older events as one square per lane and week (or month), sized by how many it stands for. */
  function aggregateTrace(lanes) {
    const bins = new Map();
    for (const j of aggVisible) {
      const lane = aggCode(state.lane, j);
      const key = agg.day[j] * 4096 + lane + 1;
      bins.set(key, (bins.get(key) || 0) + agg.count[j]);
    }
    const x = [], y = [], size = [], text = [];
    const unit = agg.bucket === "week" ? "week of " : "month of ";
    const most = Math.max(1, ...bins.values());
    for (const key of [...bins.keys()].sort((a, b) => a - b)) {
      const day = Math.floor(key / 4096);
      const lane = (key % 4096) - 1;
      const n = bins.get(key);
      lanes.add(lane);
      x.push(day * DAY_MS);
      y.push(name(state.lane, lane));
      size.push(4 + 12 * Math.sqrt(n / most));
      text.push(plural(n, "older event") + ", " + unit + isoDay(day) +
                "<br>" + esc(name(state.lane, lane)));
    }
    return { type: traceType, mode: "markers", meta: "aggregate", uid: "aggregate", legendrank: 2001,
             name: "older events (count per " + agg.bucket + ")", x: x, y: y, hovertext: text, hoverinfo: "text",
             marker: { symbol: "square", color: "rgba(97,110,124,0.35)", size: size } };
  }

  function monthlyBars() {
    const perMonth = new Map();
    for (const i of visible) perMonth.set(month[i], (perMonth.get(month[i]) || 0) + 1);
    for (const j of aggVisible) perMonth.set(aggMonth[j], (perMonth.get(aggMonth[j]) || 0) + agg.count[j]);
    const months = [...perMonth.keys()].sort((a, b) => a - b);
    return {
      type: "bar", meta: "bars", uid: "bars", name: "events per month", showlegend: false, yaxis: "y2",
      x: months.map((m) => Date.UTC(Math.floor(m / 12), m % 12, 15)),
      y: months.map((m) => perMonth.get(m)),
      width: months.map(() => 26 * DAY_MS),
      customdata: months.map((m) => Math.floor(m / 12) + "-" + String((m % 12) + 1).padStart(2, "0")),
      hovertemplate: "%{customdata}: %{y} events<extra></extra>",
      marker: { color: "#7b93ab" },
    };
  }

  // ---------------------------------------------------------------------------------------------
  // the map of places

  function mapFigure() {
    const perPlace = new Map();
    for (const i of visible) {
      const p = ev.place[i];
      if (p >= 0 && dict.place[p][3] !== null && dict.place[p][4] !== null) perPlace.set(p, (perPlace.get(p) || 0) + 1);
    }
    const places = [...perPlace.keys()].sort((a, b) => a - b);
    const lat = places.map((p) => dict.place[p][3]);
    const lon = places.map((p) => dict.place[p][4]);
    const trace = {
      type: "scattergeo", mode: "markers", meta: "places", lat: lat, lon: lon, customdata: places,
      hovertext: places.map((p) => esc(placeName(p)) + ": " + plural(perPlace.get(p), "event")),
      hoverinfo: "text",
      marker: { size: places.map((p) => Math.min(30, 6 + 3 * Math.sqrt(perPlace.get(p)))), color: "#c44e52",
                opacity: 0.75, line: { color: "#ffffff", width: 1 } },
    };
    const geo = {
      scope: "world", resolution: 110, projection: { type: "mercator" }, bgcolor: "#e3edf5",
      showland: true, landcolor: "#f1f2ec", showcountries: true, countrycolor: "#9aa5b1", countrywidth: 0.6,
      // only the layers the embedded map has (land, countries)
      showcoastlines: false, showocean: false, showlakes: false, showrivers: false, showsubunits: false,
      showframe: false,
    };
    const height = 400;
    const region = mapRegion(lon, lat, byId("ev-map").clientWidth || 500, height);
    geo.lonaxis = { range: region.lon };
    geo.lataxis = { range: region.lat };
    const layout = { height: height, margin: { l: 0, r: 0, t: 0, b: 0 }, geo: geo, showlegend: false };
    return { data: [trace], layout: layout };
  }

  /* The longitudes and latitudes to show: the places with some room, widened to the panel's shape
     (in Mercator units) so that the map fills it; the whole world when there are no places. */
  function mapRegion(lon, lat, width, height) {
    if (!lon.length) return { lon: [-180, 180], lat: [-58, 80] };
    const toY = (deg) => Math.log(Math.tan(Math.PI / 4 + (deg * Math.PI) / 360));
    const toLat = (y) => ((2 * Math.atan(Math.exp(y)) - Math.PI / 2) * 180) / Math.PI;
    const lonRange = span(lon, 14, -180, 180);
    const latRange = span(lat, 9, -80, 84);
    let y0 = toY(latRange[0]);
    let y1 = toY(latRange[1]);
    const xSpan = ((lonRange[1] - lonRange[0]) * Math.PI) / 180;
    const want = height / width;
    if ((y1 - y0) / xSpan < want) {
      const extra = (want * xSpan - (y1 - y0)) / 2;
      y0 -= extra;
      y1 += extra;
    } else {
      const extra = (((y1 - y0) / want - xSpan) / 2) * (180 / Math.PI);
      lonRange[0] -= extra;
      lonRange[1] += extra;
    }
    return {
      lon: [Math.max(-180, lonRange[0]), Math.min(180, lonRange[1])],
      lat: [Math.max(-80, toLat(y0)), Math.min(84, toLat(y1))],
    };
  }

  /* An axis range around the values with some room, the whole world when there are none. */
  function span(values, minimum, low, high) {
    if (!values.length) return [low, high];
    let lo = Math.min(...values);
    let hi = Math.max(...values);
    const pad = Math.max((minimum - (hi - lo)) / 2, (hi - lo) * 0.15);
    lo = Math.max(low, lo - pad);
    hi = Math.min(high, hi + pad);
    return [lo, hi];
  }

  // ---------------------------------------------------------------------------------------------
  // the table of visible events

  function sortRows() {
    const byDate = (a, b) => ev.day[a] - ev.day[b] || (ev.id[a] < ev.id[b] ? -1 : ev.id[a] > ev.id[b] ? 1 : 0);
    const compare = {
      date: byDate,
      title: (a, b) => collator.compare(ev.title[a], ev.title[b]) || byDate(a, b),
      place: (a, b) => collator.compare(placeName(ev.place[a]), placeName(ev.place[b])) || byDate(a, b),
      participants: (a, b) => ev.participants[a].length - ev.participants[b].length || byDate(a, b),
    }[state.sort];
    tableRows = visible.slice(); // already in date order
    if (state.sort !== "date") tableRows.sort(compare);
    if (state.desc) tableRows.reverse();
  }

  function cell(text, href) {
    const td = document.createElement("td");
    if (href) {
      const a = document.createElement("a");
      a.href = href;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.textContent = text;
      td.appendChild(a);
    } else {
      td.textContent = text;
    }
    return td;
  }

  function renderTable() {
    const pages = Math.max(1, Math.ceil(tableRows.length / PAGE_SIZE));
    state.page = Math.min(state.page, pages - 1);
    const start = state.page * PAGE_SIZE;
    const rows = tableRows.slice(start, start + PAGE_SIZE).map((i) => {
      const tr = document.createElement("tr");
      tr.dataset.event = ev.id[i];
      const precision = dict.precision[ev.precision[i]];
      const iso = isoDay(ev.day[i]);
      tr.append(
        cell({ day: iso, month: iso.slice(0, 7), year: iso.slice(0, 4) }[precision] || "≈ " + iso),
        cell(ev.title[i], sourceUrl(i)),
        cell(placeName(ev.place[i])),
        cell(participantItems(i).join("; ")),
      );
      return tr;
    });
    byId("ev-table").tBodies[0].replaceChildren(...rows);
    byId("ev-page").textContent = tableRows.length
      ? number(start + 1) + "–" + number(start + rows.length) + " of " + number(tableRows.length)
      : "no events";
    byId("ev-prev").disabled = state.page === 0;
    byId("ev-next").disabled = state.page >= pages - 1;
    for (const th of byId("ev-table").tHead.rows[0].cells) {
      const key = th.querySelector("button").dataset.sort;
      if (key === state.sort) th.setAttribute("aria-sort", state.desc ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // controls

  /* How many events each category of a kind has, the older (aggregated) events included. */
  function categoryTotals(kind) {
    const totals = new Map();
    const add = (code, n) => totals.set(code, (totals.get(code) || 0) + n);
    for (let i = 0; i < count; i++) {
      if (kind === "industry") {
        if (!ev.industries[i].length) add(-1, 1);
        for (const code of ev.industries[i]) add(code, 1);
      } else add(kind === "province" ? province[i] : ev.type[i], 1);
    }
    for (let j = 0; j < aggRows; j++) {
      const combo = agg.combos[agg.industries[j]];
      if (kind === "industry") {
        if (!combo.length) add(-1, agg.count[j]);
        for (const code of combo) add(code, agg.count[j]);
      } else add(kind === "province" ? agg.province[j] : agg.type[j], agg.count[j]);
    }
    return totals;
  }

  function buildFilters() {
    for (const kind of KINDS) {
      const totals = TOTALS[kind];
      const box = byId("ev-filter-" + kind).querySelector(".ev-options");
      for (const code of [...totals.keys()].sort(codeOrder)) {
        const label = document.createElement("label");
        const input = document.createElement("input");
        input.type = "checkbox";
        input.name = kind;
        input.value = name(kind, code);
        input.dataset.code = String(code);
        const n = document.createElement("span");
        n.className = "ev-n";
        n.textContent = " (" + number(totals.get(code)) + ")";
        label.append(input, " " + name(kind, code), n);
        box.appendChild(label);
      }
      box.addEventListener("change", () => {
        state[kind] = [...box.querySelectorAll("input:checked")].map((input) => Number(input.dataset.code));
        state.page = 0;
        update();
      });
    }
  }

  function syncControls() {
    for (const kind of KINDS) {
      const chosen = new Set(state[kind]);
      const details = byId("ev-filter-" + kind);
      for (const input of details.querySelectorAll("input")) input.checked = chosen.has(Number(input.dataset.code));
      details.querySelector("summary").textContent = LABEL[kind][0].toUpperCase() + LABEL[kind].slice(1) +
        (chosen.size ? " (" + chosen.size + ")" : "");
      details.toggleAttribute("data-active", chosen.size > 0);
    }
    const search = byId("ev-search");
    if (search.value.trim() !== state.q) search.value = state.q;
    byId("ev-lane").value = state.lane;
    byId("ev-color").value = state.color;
    const chip = byId("ev-place");
    chip.hidden = state.place < 0;
    chip.replaceChildren();
    if (state.place >= 0) {
      const clear = document.createElement("button");
      clear.type = "button";
      clear.textContent = "×";
      clear.title = "show all places";
      clear.addEventListener("click", () => setState({ place: -1 }));
      chip.append("Place: " + placeName(state.place), clear);
    }
  }

  function renderCount() {
    const shown = visible.length + aggTotal;
    const out = byId("ev-count");
    out.textContent = number(shown) + " of " + plural(data.total, "event");
    out.dataset.visible = String(shown);
    out.dataset.points = String(visible.length);
    const note = byId("ev-aggregate-note");
    note.hidden = !agg;
    if (agg) {
      note.textContent = "The " + number(count) + " most recent events are drawn as points; the " +
        number(data.total - count) + " older ones as grey squares counting events per " + agg.bucket +
        ". Search and the place filter apply to the points only.";
    }
  }

  function setState(changes) {
    Object.assign(state, { page: 0 }, changes);
    return update();
  }

  let updates = 0;
  let drawn = null; // what the plots show, so that a change that keeps it (more letters typed) skips drawing

  function sameArray(a, b) {
    return a.length === b.length && a.every((x, k) => x === b[k]);
  }

  function update() {
    applyFilters();
    sortRows();
    syncControls();
    renderCount();
    renderTable();
    writeHash();
    const view = { lane: state.lane, color: state.color, visible: visible, aggVisible: aggVisible };
    const unchanged = drawn && drawn.lane === view.lane && drawn.color === view.color &&
      sameArray(drawn.visible, view.visible) && sameArray(drawn.aggVisible, view.aggVisible);
    drawn = view;
    let drawing = Promise.resolve();
    if (!unchanged) {
      const timeline = timelineFigure();
      const map = mapFigure();
      drawing = Promise.all([
        Plotly.react("ev-timeline", timeline.data, timeline.layout, PLOT_CONFIG),
        Plotly.react("ev-map", map.data, map.layout, PLOT_CONFIG),
      ]);
    }
    return drawing.then(() => {
      updates += 1;
      document.body.dataset.updates = String(updates);
    });
  }

  function wireControls() {
    let typing = 0;
    byId("ev-search").addEventListener("input", (e) => {
      clearTimeout(typing);
      typing = setTimeout(() => setState({ q: e.target.value.trim() }), 150);
    });
    byId("ev-lane").addEventListener("change", (e) => setState({ lane: e.target.value }));
    byId("ev-color").addEventListener("change", (e) => setState({ color: e.target.value }));
    const cleared = { industry: [], province: [], type: [], q: "", place: -1 };
    byId("ev-reset").addEventListener("click", () => setState(cleared));
    byId("ev-prev").addEventListener("click", () => { state.page -= 1; renderTable(); });
    byId("ev-next").addEventListener("click", () => { state.page += 1; renderTable(); });
    for (const button of byId("ev-table").querySelectorAll("th button")) {
      button.addEventListener("click", () => {
        const key = button.dataset.sort;
        // newest and busiest first; words from A
        setState({ sort: key, desc: key === state.sort ? !state.desc : key === "date" || key === "participants" });
      });
    }
    document.addEventListener("click", (e) => {
      for (const details of document.querySelectorAll(".ev-filter[open]")) {
        if (!details.contains(e.target)) details.open = false; // close the open filter on a click elsewhere
      }
    });
    window.addEventListener("hashchange", () => {
      if (location.hash.replace(/^#/, "") === hashOf(state)) return;
      state = readHash();
      update();
    });
    const timeline = byId("ev-timeline");
    timeline.on("plotly_click", (e) => {
      const point = e.points[0];
      const url = point && point.data.meta === "events" ? sourceUrl(point.customdata) : null;
      if (url) window.open(url, "_blank", "noopener");
    });
    byId("ev-map").on("plotly_click", (e) => {
      const point = e.points[0];
      if (point && point.customdata !== undefined) setState({ place: point.customdata });
    });
  }

  buildFilters();
  update().then(() => {
    wireControls();
    // marked after the next frame, so that the time includes drawing the WebGL points
    requestAnimationFrame(() => setTimeout(() => {
      document.body.dataset.renderMs = String(Math.round(performance.now()));
      document.body.dataset.ready = "true";
    }, 0));
  });
})();

// Finds the flagged spot of one finding on the rendered page, outlines it and scrolls it
// into view; returns its box in viewport coordinates (govcrawl.evidence.shots crops the
// screenshot around it).  Runs through Playwright's evaluate, also when the page's own
// scripts are off.  Everything it writes into the page goes in as text (textContent),
// never as markup.
//
// args: {mode: "text" | "element" | "attr" | "banner",
//        text, occurrence, target, head, value, span, label}
(args) => {
  const ID = "__govcrawl_evidence";
  document.querySelectorAll("[data-govcrawl-evidence]").forEach((e) => e.remove());
  const body = document.body || document.documentElement;
  const SKIP = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "HEAD", "TITLE", "svg", "SVG"]);

  function compact(s) { return (s || "").replace(/\s+/g, ""); }

  function visibleRect(r) {
    return r && r.width > 1 && r.height > 1 && r.right > -window.scrollX &&
      r.bottom > -window.scrollY && r.left < document.documentElement.scrollWidth;
  }

  function rectOf(x) {
    const r = x.getBoundingClientRect();
    return {x: r.left, y: r.top, w: r.width, h: r.height};
  }

  // -- text: every text node of the body, whitespace left out, mapped back to its node
  function textMatches(needle) {
    const chars = [];
    const nodes = [];
    const offs = [];
    // no filter callback: with the page's scripts off, Chromium refuses to call one
    const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    const skipped = new Map();
    const inSkipped = (e) => {
      if (!e) return false;
      if (!skipped.has(e)) skipped.set(e, SKIP.has(e.tagName) || inSkipped(e.parentElement));
      return skipped.get(e);
    };
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (inSkipped(n.parentElement)) continue;
      const v = n.nodeValue;
      for (let i = 0; i < v.length; i++) {
        if (!/\s/.test(v[i])) { chars.push(v[i]); nodes.push(n); offs.push(i); }
      }
    }
    const hay = chars.join("");
    const out = [];
    if (!needle) return out;
    for (let at = hay.indexOf(needle); at >= 0 && out.length < 500; at = hay.indexOf(needle, at + 1)) {
      const r = document.createRange();
      r.setStart(nodes[at], offs[at]);
      const last = at + needle.length - 1;
      r.setEnd(nodes[last], offs[last] + 1);
      out.push(r);
    }
    return out;
  }

  // -- make a hidden element visible where it stands (hidden links are the evidence)
  function reveal(el) {
    const set = (e, p, v) => e.style.setProperty(p, v, "important");
    for (let e = el; e && e !== document.documentElement; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === "none") set(e, "display", "block");
      if (cs.visibility !== "visible") set(e, "visibility", "visible");
      if (parseFloat(cs.opacity) < 0.2) set(e, "opacity", "1");
      if (parseFloat(cs.fontSize) < 6) set(e, "font-size", "14px");
      if (Math.abs(parseFloat(cs.textIndent)) > 200) set(e, "text-indent", "0");
      if (cs.position === "absolute" || cs.position === "fixed") {
        const r = e.getBoundingClientRect();
        if (r.right < 0 || r.bottom < -window.scrollY || r.left > window.innerWidth * 3 ||
            r.width < 2 || r.height < 2) set(e, "position", "static");
      }
      if (cs.overflow !== "visible" && (e.offsetHeight < 4 || e.offsetWidth < 4)) {
        set(e, "overflow", "visible");
        set(e, "height", "auto");
        set(e, "width", "auto");
      }
      if (cs.clip && cs.clip !== "auto") set(e, "clip", "auto");
      if (cs.clipPath && cs.clipPath !== "none") set(e, "clip-path", "none");
      if (cs.transform && cs.transform !== "none") set(e, "transform", "none");
    }
    set(el, "color", "#c00");
    set(el, "background", "#fff");
  }

  function sameUrl(a, b) {
    const n = (u) => (u || "").split("#")[0].replace(/\/$/, "");
    return n(a) === n(b);
  }

  let target = null;   // a Range or an Element
  let revealed = false;

  if (args.mode === "text") {
    const ms = textMatches(compact(args.text));
    const vis = ms.filter((r) => visibleRect(r.getBoundingClientRect()));
    if (vis.length) {
      target = vis[Math.min(args.occurrence || 0, vis.length - 1)];
    } else if (ms.length) {
      const holder = ms[0].startContainer.parentElement;
      reveal(holder);
      revealed = true;
      target = ms[0];
    }
  } else if (args.mode === "element") {
    const els = Array.from(document.querySelectorAll("a[href], area[href], img[src], iframe[src], embed[src], source[src]"));
    const hits = els.filter((e) => sameUrl(e.href || e.src, args.target));
    const vis = hits.filter((e) => visibleRect(e.getBoundingClientRect()));
    if (vis.length) target = vis[0];
    else if (hits.length) { reveal(hits[0]); revealed = true; target = hits[0]; }
    if (target && target.tagName === "A" && !compact(target.textContent)) {
      // an anchor around an image: the image is what a visitor sees
      const img = target.querySelector("img");
      if (img) target = img;
    }
  } else if (args.mode === "attr") {
    const want = compact(args.text);
    const els = Array.from(document.querySelectorAll("[alt], [title]")).filter(
      (e) => compact(e.getAttribute("alt")).includes(want) || compact(e.getAttribute("title")).includes(want));
    const vis = els.filter((e) => visibleRect(e.getBoundingClientRect()));
    target = vis[0] || els[0] || null;
    if (target && !vis.length) { reveal(target); revealed = true; }
  }

  if (target && !visibleRect(target.getBoundingClientRect())) target = null;

  let located = !!target;
  if (!target) {
    // title, meta tags, or a spot we could not find: a banner on top of the page says
    // what the finding is about, with the flagged part marked
    const b = document.createElement("div");
    b.id = ID;
    b.setAttribute("data-govcrawl-evidence", "1");
    b.style.cssText = "position:relative;display:block;margin:0;z-index:2147483647;" +
      "background:#fff8e1;border-bottom:3px solid #d00;color:#111;padding:12px 18px;" +
      "font:16px/1.6 'WenQuanYi Micro Hei','Noto Sans CJK SC',sans-serif;text-align:left";
    const head = document.createElement("div");
    head.style.cssText = "font-weight:bold;color:#a00;margin-bottom:4px";
    head.textContent = args.head || "";
    b.appendChild(head);
    const line = document.createElement("div");
    line.style.cssText = "word-break:break-all";
    const value = args.value || "";
    const span = args.span || "";
    const at = span ? value.indexOf(span) : -1;
    if (at >= 0) {
      line.appendChild(document.createTextNode(value.slice(0, at)));
      const m = document.createElement("mark");
      m.style.cssText = "background:#ffd6d6;outline:3px solid #d00;color:#000";
      m.textContent = span;
      line.appendChild(m);
      line.appendChild(document.createTextNode(value.slice(at + span.length)));
    } else {
      line.textContent = value;
    }
    b.appendChild(line);
    body.insertBefore(b, body.firstChild);  // above the page, pushing it down
    window.scrollTo(0, 0);
    located = args.mode === "banner";
    target = b;
  }

  // the outline: a box around the spot and a label above it
  const r0 = target.getBoundingClientRect();
  const sx = window.scrollX, sy = window.scrollY;
  if (target.id !== ID) {
    const box = document.createElement("div");
    box.setAttribute("data-govcrawl-evidence", "1");
    box.style.cssText = "position:absolute;pointer-events:none;z-index:2147483646;" +
      "border:3px solid #e00;box-shadow:0 0 0 2px #fff;border-radius:2px;" +
      `left:${r0.left + sx - 5}px;top:${r0.top + sy - 5}px;` +
      `width:${r0.width + 4}px;height:${r0.height + 4}px`;
    document.documentElement.appendChild(box);
    if (args.label) {
      const tag = document.createElement("div");
      tag.setAttribute("data-govcrawl-evidence", "1");
      tag.style.cssText = "position:absolute;z-index:2147483647;background:#e00;color:#fff;" +
        "font:13px/1.5 'WenQuanYi Micro Hei','Noto Sans CJK SC',sans-serif;padding:1px 6px;" +
        "border-radius:2px;white-space:nowrap;max-width:600px;overflow:hidden;" +
        `left:${Math.max(0, r0.left + sx - 5)}px;top:${Math.max(0, r0.top + sy - 29)}px`;
      tag.textContent = args.label;
      document.documentElement.appendChild(tag);
    }
    window.scrollTo(0, Math.max(0, r0.top + sy - window.innerHeight / 3));
  }
  let r = target.getBoundingClientRect();
  if (target.id === ID) {  // the banner spans the page: crop to its text
    let right = 0;
    const tw = document.createTreeWalker(target, NodeFilter.SHOW_TEXT);
    for (let n = tw.nextNode(); n; n = tw.nextNode()) {
      const rr = document.createRange();
      rr.selectNodeContents(n);
      right = Math.max(right, rr.getBoundingClientRect().right);
    }
    r = {left: 0, top: r.top, width: Math.min(r.width, right + 18), height: r.height};
    return {located, revealed, x: 0, y: r.top, w: r.width, h: r.height,
            vw: window.innerWidth, vh: window.innerHeight};
  }
  return {located, revealed, x: r.left - 8, y: r.top - 32, w: r.width + 16, h: r.height + 40,
          vw: window.innerWidth, vh: window.innerHeight};
}

// The parents are each other's witnesses: every visit, this browser checks that the record it
// saw last time is a prefix of the record the server shows now (an RFC 9162 consistency proof,
// verified here, not on the server), then remembers the newer checkpoint.
(function () {
  "use strict";
  const script = document.currentScript;
  const family = script.dataset.family;
  const storageKey = "coparent-record:" + family;

  function fromBase64(text) {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  }
  function toBase64(bytes) {
    return btoa(String.fromCharCode.apply(null, Array.from(bytes)));
  }
  function equal(a, b) {
    return a.length === b.length && a.every((value, i) => value === b[i]);
  }
  async function nodeHash(left, right) {
    const data = new Uint8Array(65);
    data[0] = 1;
    data.set(left, 1);
    data.set(right, 33);
    return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  }

  // RFC 9162 section 2.1.4.2, step by step.
  async function verifyConsistency(first, second, firstHash, secondHash, path) {
    if (first === second) return path.length === 0 && equal(firstHash, secondHash);
    if (first === 0) return path.length === 0;
    if (first > second || path.length === 0) return false;
    path = path.slice();
    if ((first & (first - 1)) === 0) path.unshift(firstHash);
    let fn = first - 1;
    let sn = second - 1;
    while (fn & 1) { fn >>= 1; sn >>= 1; }
    let fr = path[0];
    let sr = path[0];
    for (const c of path.slice(1)) {
      if (sn === 0) return false;
      if ((fn & 1) || fn === sn) {
        fr = await nodeHash(c, fr);
        sr = await nodeHash(c, sr);
        while (!(fn & 1) && fn !== 0) { fn >>= 1; sn >>= 1; }
      } else {
        sr = await nodeHash(sr, c);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn === 0 && equal(fr, firstHash) && equal(sr, secondHash);
  }

  // Only a proof that does not verify is tampering. A server error, a rate limit, a signed-out
  // session or no network says nothing about the record: say so plainly and try again later,
  // checking from the same remembered checkpoint, so nothing is skipped. Any other refusal of a
  // proof (400, 404, 422) means the server cannot prove the record grew from what this device
  // saw: a failed check.
  const UNAVAILABLE_TEXT = "Couldn't check the record just now; will try again.";
  const ERROR_TEXT = "Couldn't check the record on this device.";
  const FIRST_RETRY_MS = 5000;
  const LAST_RETRY_MS = 10 * 60 * 1000;
  let retryMs = FIRST_RETRY_MS;

  function Unavailable(waitMs) {
    this.waitMs = waitMs || 0;
  }

  function Refused(status) {
    this.status = status;
  }

  function isUnavailable(status) {
    return status >= 500 || status === 429 || status === 401 || status === 403;
  }

  async function getJSON(url) {
    let response;
    try {
      // Names the page this check runs for: a professional's access log shows the check under
      // that page view instead of as a visit of its own.
      const headers = script.dataset.page ? { "X-Coparent-Page": script.dataset.page } : {};
      response = await fetch(url, { credentials: "same-origin", headers: headers });
    } catch (error) {
      throw new Unavailable(0); // offline, or the server could not be reached
    }
    if (!response.ok) {
      if (!isUnavailable(response.status)) throw new Refused(response.status);
      const seconds = parseInt(response.headers.get("Retry-After") || "", 10);
      throw new Unavailable(Number.isFinite(seconds) ? seconds * 1000 : 0);
    }
    try {
      return await response.json();
    } catch (error) {
      throw new Unavailable(0);
    }
  }

  function setStatus(text) {
    const status = document.getElementById("record-witness-status");
    if (status) status.textContent = text;
  }

  // RFC 9162 section 2.1.3.2.
  async function verifyInclusion(index, size, hash, path, root) {
    if (index >= size) return false;
    let fn = index;
    let sn = size - 1;
    for (const p of path) {
      if (sn === 0) return false;
      if ((fn & 1) || fn === sn) {
        hash = await nodeHash(p, hash);
        while (!(fn & 1) && fn !== 0) { fn >>= 1; sn >>= 1; }
      } else {
        hash = await nodeHash(hash, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn === 0 && equal(hash, root);
  }

  // A restored backup loses entries this device may have seen; the server then puts a
  // records.rollback statement on the record quoting the checkpoint it had signed. It explains a
  // failed check only if it is in the current tree and lost entries this device saw, and the
  // device's checkpoint is the quoted one or an earlier one (docs/record-format.md, section 7).
  async function explainedRollback(saved, current, currentRoot) {
    const index = (current.rollbacks || []).filter((i) => i < saved.size).pop();
    if (index === undefined) return null;
    const api = script.dataset.consistencyUrl.replace(/consistency$/, "");
    const get = (url) => getJSON(api + url);
    let row, proof;
    try {
      [row = {}] = await get("entries?limit=1&after=" + (index - 1));
      proof = await get("inclusion?index=" + index + "&size=" + current.size);
    } catch (error) {
      if (error instanceof Refused) return null; // the statement cannot be shown or proven
      throw error;
    }
    let leaf, entry, path;
    try {
      leaf = fromBase64(row.leaf);
      path = proof.proof.map(fromBase64);
      entry = JSON.parse(new TextDecoder().decode(leaf)) || {};
    } catch (error) {
      return null; // not even a statement
    }
    const data = new Uint8Array(leaf.length + 1);
    data.set(leaf, 1);
    const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
    if (!(await verifyInclusion(index, current.size, hash, path, currentRoot))) return null;
    const fields = entry.fields || {};
    const [, size, root] = String(fields.checkpoint).split("\n");
    const ok = entry.kind === "records.rollback" && entry.index === index &&
      fields.lost_from === index && fields.lost_to === Number(size) - 1 &&
      saved.size <= Number(size) && (saved.size < Number(size) || saved.root === root);
    return ok ? fields : null;
  }

  // An unavailable server while looking for the statement is not a verdict: it propagates, as
  // any other network error does. Only a statement that is absent, refused or does not check
  // out warns.
  async function explainOrWarn(saved, current, currentRoot) {
    const rollback = await explainedRollback(saved, current, currentRoot);
    if (!rollback) return warn();
    const text = (script.dataset.rollbackText ||
      "Entries {from}-{to} were lost restoring {backup}. The server has put this on the record, signed.")
      .split("{from}").join(rollback.lost_from).split("{to}").join(rollback.lost_to)
      .split("{backup}").join(rollback.backup);
    const banner = document.getElementById("record-warning");
    if (banner) { banner.textContent = text; banner.dataset.kind = "rollback"; banner.hidden = false; }
    const status = document.getElementById("record-witness-status");
    if (status) status.textContent = text;
    document.documentElement.dataset.recordRollback = String(rollback.lost_from);
    localStorage.setItem(storageKey, JSON.stringify({ size: current.size, root: toBase64(currentRoot) }));
  }

  function warn() {
    const banner = document.getElementById("record-warning");
    if (banner) banner.hidden = false;
    setStatus(banner ? banner.textContent.trim() : "");
    document.documentElement.dataset.recordCheck = "changed";
  }

  function unavailable(waitMs) {
    const status = document.getElementById("record-witness-status");
    setStatus((status && status.dataset.unavailableText) || UNAVAILABLE_TEXT);
    document.documentElement.dataset.recordCheck = "unavailable";
    const delay = Math.min(Math.max(retryMs, waitMs), LAST_RETRY_MS);
    retryMs = Math.min(retryMs * 2, LAST_RETRY_MS);
    setTimeout(run, delay);
  }

  async function check() {
    if (!window.crypto || !crypto.subtle || !window.localStorage) return;
    const current = await getJSON(script.dataset.checkpointUrl);
    const saved = JSON.parse(localStorage.getItem(storageKey) || "null");
    const currentRoot = fromBase64(current.root);
    if (saved && saved.size > 0) {
      if (saved.size > current.size) return explainOrWarn(saved, current, currentRoot); // shorter than what we saw
      const url = script.dataset.consistencyUrl + "?old_size=" + saved.size + "&new_size=" + current.size;
      let proof;
      try {
        proof = await getJSON(url);
      } catch (error) {
        if (error instanceof Refused) return explainOrWarn(saved, current, currentRoot);
        throw error;
      }
      let ok = false;
      try {
        ok = equal(fromBase64(proof.new_root), currentRoot) &&
          (await verifyConsistency(saved.size, current.size, fromBase64(saved.root), currentRoot,
            proof.proof.map(fromBase64)));
      } catch (error) {
        ok = false; // an answer that is not even a proof does not verify either
      }
      if (!ok) return explainOrWarn(saved, current, currentRoot);
    }
    localStorage.setItem(storageKey, JSON.stringify({ size: current.size, root: toBase64(currentRoot) }));
    const status = document.getElementById("record-witness-status");
    if (status) status.textContent = status.dataset.okText || "Checked on this device: nothing in the record has changed since your last visit.";
    document.documentElement.dataset.recordCheck = "ok";
    document.documentElement.dataset.recordChecked = String(current.size);
  }

  // Anything else (the checkpoint itself refused, a bug, a browser without a needed feature)
  // is not a verdict on the record either: say plainly that this device could not check.
  function failed() {
    const status = document.getElementById("record-witness-status");
    setStatus((status && status.dataset.errorText) || ERROR_TEXT);
    document.documentElement.dataset.recordCheck = "error";
  }

  function run() {
    check().catch((error) => {
      if (error instanceof Unavailable) unavailable(error.waitMs);
      else failed();
    });
  }

  run();
})();

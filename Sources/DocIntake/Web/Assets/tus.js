// A small tus 1.0.0 client (https://tus.io/protocols/resumable-upload) for the application form:
// creation, PATCH in 8 MiB pieces, the offset asked again after a drop, termination. A clinic's
// line drops; the bytes the server already holds are never sent again. No third-party script can
// be loaded here.
"use strict";

window.DocIntakeTus = (function () {
  const endpoint = "/api/v1/uploads";
  const chunkSize = 8 * 1024 * 1024;
  // Waits between attempts after a drop, in seconds; the last one repeats while the page is open.
  const backoff = [1, 2, 4, 8, 15];
  // A PATCH whose bytes stop moving for this long is a half-open connection: give it up and ask.
  const stallMilliseconds = 30000;
  const storagePrefix = "docintake-upload:";

  // One request. Resolves with { status, header(name), json }; status 0 when the connection failed.
  function request(method, url, options) {
    options = options || {};
    return new Promise(function (resolve) {
      const xhr = new XMLHttpRequest();
      let stall = null;
      function armStall() {
        clearTimeout(stall);
        stall = setTimeout(function () { xhr.abort(); }, stallMilliseconds);
      }
      function done(status) {
        clearTimeout(stall);
        let json = null;
        try { json = JSON.parse(xhr.responseText); } catch (e) { json = null; }
        resolve({ status: status, json: json, header: function (name) { return status ? xhr.getResponseHeader(name) : null; } });
      }
      xhr.open(method, url);
      if (method !== "OPTIONS") xhr.setRequestHeader("Tus-Resumable", "1.0.0");
      xhr.setRequestHeader("Accept", "application/json, application/problem+json");
      Object.keys(options.headers || {}).forEach(function (name) { xhr.setRequestHeader(name, options.headers[name]); });
      if (options.body) {
        armStall();
        xhr.upload.onprogress = function (event) {
          armStall();
          if (options.progress) options.progress(event.loaded);
        };
        xhr.upload.onload = function () { clearTimeout(stall); };
      }
      if (options.signal) options.signal.abort = function () { xhr.abort(); };
      xhr.onload = function () { done(xhr.status); };
      xhr.onerror = xhr.onabort = xhr.ontimeout = function () { done(0); };
      xhr.send(options.body || null);
    });
  }

  // Whether this browser and this server speak tus 1.0.0 (asked once per page).
  let availability = null;
  function available() {
    if (!availability) {
      const browser = typeof XMLHttpRequest === "function" && typeof Blob === "function" && typeof Blob.prototype.slice === "function"
        && typeof window.localStorage !== "undefined";
      availability = !browser ? Promise.resolve(false) : request("OPTIONS", endpoint).then(function (answer) {
        const versions = (answer.header("Tus-Version") || "").split(",").map(function (v) { return v.trim(); });
        return answer.status >= 200 && answer.status < 300 && versions.indexOf("1.0.0") >= 0;
      });
    }
    return availability;
  }

  function base64(text) {
    const bytes = new TextEncoder().encode(text);
    let binary = "";
    bytes.forEach(function (byte) { binary += String.fromCharCode(byte); });
    return btoa(binary);
  }

  // The upload URL is a secret (whoever holds it may use the upload): kept only until the
  // application is accepted, under a key that names the file, never its content or the form.
  function storageKey(slot, file) { return storagePrefix + JSON.stringify([slot, file.name, file.size, file.lastModified]); }
  function kept(key) {
    try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; }
  }
  function remembered(key) { const entry = kept(key); return entry && entry.url; }
  function remember(key, url, expires) {
    try { localStorage.setItem(key, JSON.stringify({ url: url, expires: expires })); } catch (e) { /* private mode: no resume after a reload */ }
  }
  function forget(key) { try { localStorage.removeItem(key); } catch (e) { /* nothing kept */ } }
  // An upload never used (the applicant went away) expires on the server; its URL goes from here
  // too, at the next visit.
  function forgetExpired() {
    try {
      Object.keys(localStorage).forEach(function (key) {
        if (key.indexOf(storagePrefix) !== 0) return;
        const entry = kept(key);
        if (!entry || !(Date.parse(entry.expires) > Date.now())) forget(key);
      });
    } catch (e) { /* no storage */ }
  }
  forgetExpired();

  // The server's words for a refusal, for the document's field.
  function refusalText(answer) {
    const json = answer.json || {};
    if (Array.isArray(json.errors) && json.errors.length && json.errors[0].message) return json.errors[0].message;
    if (json.detail) return json.detail;
    return "アップロードできませんでした（HTTP " + answer.status + "）。ファイルを選び直してください。";
  }

  // Worth another attempt: a drop, a server that is busy or restarting, a lock held by a stalled
  // request, or a PATCH that lost a race for the offset. Anything else is the server's last word.
  function retryable(answer) {
    const code = answer.json && answer.json.code;
    return answer.status === 0 || answer.status >= 500 || answer.status === 423 || answer.status === 408
      || code === "offset_mismatch" || code === "upload_taken_over";
  }

  function Refused(answer) {
    this.message = refusalText(answer);
    this.status = answer.status;
    this.code = answer.json && answer.json.code;
  }

  // One file for one slot. `events`: progress(sent, total), waiting(seconds, status), and
  // resumed(offset, total, afterReload) when it continues from the server's offset.
  // `promise` resolves with the upload id once the server accepted the whole file, or rejects with
  // a Refused carrying the server's message.
  function Upload(slot, file, events) {
    this.slot = slot;
    this.file = file;
    this.key = storageKey(slot, file);
    this.url = null;
    this.cancelled = false;
    this.signal = {};
    this.events = events;
    this.promise = this.run();
  }

  Upload.prototype.run = async function () {
    const size = this.file.size;
    let offset = await this.resume();
    if (offset === null) offset = await this.create();
    for (let attempt = 0; ; ) {
      this.stopIfCancelled();
      if (offset >= size) {
        if (await this.accepted()) break;
        continue;
      }
      const end = Math.min(offset + chunkSize, size);
      const start = offset;
      this.events.progress(start, size);
      const answer = await request("PATCH", this.url, {
        headers: { "Upload-Offset": String(start), "Content-Type": "application/offset+octet-stream" },
        body: this.file.slice(start, end), signal: this.signal,
        progress: (loaded) => this.events.progress(start + loaded, size),
      });
      if (answer.status === 204) {
        offset = Number(answer.header("Upload-Offset"));
        attempt = 0;
        continue;
      }
      if (this.cancelled) continue;
      if (!retryable(answer)) { forget(this.key); throw new Refused(answer); }
      offset = await this.offsetAfterDrop(answer, attempt++);
      this.events.resumed(offset, size, false);
    }
    this.events.progress(size, size);
    return this.url.split("/").pop();
  };

  // After a failed PATCH: wait, then ask where the upload stands, as often as it takes. GET
  // carries HEAD's Upload-Offset and the verdict too: a refusal whose answer was lost with the
  // connection is read here rather than sent against again.
  Upload.prototype.offsetAfterDrop = async function (answer, attempt) {
    for (;;) {
      const retryAfter = Number(answer.header && answer.header("Retry-After"));
      const seconds = retryAfter > 0 ? retryAfter : backoff[Math.min(attempt, backoff.length - 1)];
      this.events.waiting(seconds, answer.status);
      await sleep(seconds);
      this.stopIfCancelled();
      answer = await request("GET", this.url);
      const state = answer.json && answer.json.state;
      if (answer.status === 200 && state === "refused") throw this.refusal(answer.json);
      if (answer.status === 200) return Number(answer.header("Upload-Offset"));
      if (!retryable(answer)) { forget(this.key); throw new Refused(answer); }
      attempt++;
    }
  };

  Upload.prototype.refusal = function (upload) {
    forget(this.key);
    return new Refused({ status: 422, json: { detail: (upload.refusal || {}).message } });
  };

  // The upload this file started before a reload, where the server holds it; null to start afresh.
  Upload.prototype.resume = async function () {
    const url = remembered(this.key);
    if (!url) return null;
    for (let attempt = 0; ; attempt++) {
      this.stopIfCancelled();
      const answer = await request("GET", url);
      const state = answer.json && answer.json.state;
      if (answer.status === 200 && (state === "receiving" || state === "accepted") && answer.json.length === this.file.size) {
        this.url = url;
        this.events.resumed(answer.json.offset, this.file.size, true);
        return answer.json.offset;
      }
      if (answer.status !== 0 && answer.status < 500) { forget(this.key); return null; }
      this.events.waiting(backoff[Math.min(attempt, backoff.length - 1)], answer.status);
      await sleep(backoff[Math.min(attempt, backoff.length - 1)]);
    }
  };

  Upload.prototype.create = async function () {
    for (let attempt = 0; ; attempt++) {
      this.stopIfCancelled();
      const answer = await request("POST", endpoint, {
        headers: {
          "Upload-Length": String(this.file.size),
          "Upload-Metadata": "slot " + base64(this.slot) + ",filename " + base64(this.file.name),
        },
      });
      if (answer.status === 201 && answer.header("Location")) {
        this.url = answer.header("Location");
        if (this.cancelled) request("DELETE", this.url);
        this.stopIfCancelled();
        remember(this.key, this.url, answer.header("Upload-Expires"));
        return 0;
      }
      if (!retryable(answer)) throw new Refused(answer);
      const seconds = Number(answer.header("Retry-After")) || backoff[Math.min(attempt, backoff.length - 1)];
      this.events.waiting(seconds, answer.status);
      await sleep(seconds);
    }
  };

  // All bytes are in: did the final checks pass? An upload whose checks could not run (clamd
  // away) gets an empty PATCH, which runs them again.
  Upload.prototype.accepted = async function () {
    const answer = await request("GET", this.url);
    const state = answer.json && answer.json.state;
    if (state === "accepted") return true;
    if (state === "refused") throw this.refusal(answer.json);
    if (answer.status !== 200 || state !== "receiving") {
      if (!retryable(answer)) { forget(this.key); throw new Refused(answer); }
      await sleep(backoff[0]);
      return false;
    }
    const check = await request("PATCH", this.url, {
      headers: { "Upload-Offset": String(this.file.size), "Content-Type": "application/offset+octet-stream" },
    });
    if (check.status === 204) return true;
    if (!retryable(check)) { forget(this.key); throw new Refused(check); }
    this.events.waiting(backoff[1], check.status);
    await sleep(backoff[1]);
    return false;
  };

  Upload.prototype.stopIfCancelled = function () {
    if (this.cancelled) throw new Refused({ status: 0, json: { code: "cancelled", detail: "中止しました。" } });
  };

  // Another file was chosen: stop sending and ask the server to drop what it holds.
  Upload.prototype.abandon = function () {
    this.cancelled = true;
    if (this.signal.abort) this.signal.abort();
    forget(this.key);
    if (this.url) request("DELETE", this.url);
  };

  // The application took the upload: its URL is no longer needed, nor to be kept.
  Upload.prototype.used = function () { forget(this.key); };

  // Waits `seconds`, or less when the browser says it is back online.
  function sleep(seconds) {
    return new Promise(function (resolve) {
      const timer = setTimeout(finish, seconds * 1000);
      function finish() { clearTimeout(timer); window.removeEventListener("online", finish); resolve(); }
      window.addEventListener("online", finish);
    });
  }

  return { available: available, Upload: Upload };
})();

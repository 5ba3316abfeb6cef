// Shared by the application form and the status page. No framework: the pages must work
// offline, under a CSP that forbids inline script, on any current browser.
"use strict";

window.DocIntake = (function () {
  // The server normalises half-width fields with NFKC then trims; the early checks do the same
  // so that ０１２３ is not refused here and accepted there.
  function normalise(value) {
    return (value || "").normalize("NFKC").trim();
  }

  function grouped(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function sizeText(bytes) {
    if (bytes >= 1024 * 1024) return (bytes / (1024 * 1024)).toFixed(1) + "MB・" + grouped(bytes) + " バイト";
    if (bytes >= 1024) return (bytes / 1024).toFixed(1) + "KB・" + grouped(bytes) + " バイト";
    return grouped(bytes) + " バイト";
  }

  // The portal's names for the codes the API sends, and the fields a returned application may
  // correct: rendered by the server (WebAssets.vocabularyJSON) from the one place it declares them.
  const vocabulary = JSON.parse(document.getElementById("main").dataset.vocabulary);
  const statusNames = vocabulary.statuses;

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function addRow(list, label, value) {
    list.appendChild(element("dt", label));
    list.appendChild(element("dd", value === "" || value === null || value === undefined ? "（未入力）" : value));
  }

  // Shows `message` under the field: its `<name>-error` element is already in every input's
  // aria-describedby, so a screen reader reads it with the field.
  function showFieldError(name, message) {
    const box = document.getElementById(name + "-error");
    if (!box) return false;
    box.textContent = message;
    box.hidden = false;
    document.querySelectorAll('[name="' + CSS.escape(name) + '"]').forEach(function (input) {
      input.setAttribute("aria-invalid", "true");
    });
    const row = document.getElementById(name + "-row") || box.closest(".row");
    if (row) row.classList.add("has-error");
    return true;
  }

  function clearErrors(scope) {
    scope.querySelectorAll(".error").forEach(function (box) { box.hidden = true; box.textContent = ""; });
    scope.querySelectorAll("[aria-invalid]").forEach(function (input) { input.removeAttribute("aria-invalid"); });
    scope.querySelectorAll(".has-error").forEach(function (row) { row.classList.remove("has-error"); });
  }

  // The Scanner's prefix stage (DocumentScanner.prefixPatterns), rendered into the page by the
  // server, applied to a chosen file's first bytes: a photo or a program renamed .pdf is named
  // before it crosses the clinic's line. Resolves with the server's message, or null when the
  // file may be sent (the server still judges the whole content).
  function sniffPrefix(file) {
    const main = document.getElementById("main");
    const rule = main && main.dataset.prefixRule ? JSON.parse(main.dataset.prefixRule) : null;
    if (!rule || !file || file.size === 0) return Promise.resolve(null);
    const length = Math.max.apply(null, rule.patterns.map(function (pattern) { return pattern.length; }));
    return file.slice(0, length).arrayBuffer().then(function (buffer) {
      const head = new Uint8Array(buffer);
      let deepest = 0;
      let partial = false;
      for (const pattern of rule.patterns) {
        let index = 0;
        while (index < pattern.length && index < head.length && matches(pattern[index], head[index])) index++;
        if (index === pattern.length) return null;
        if (index === head.length) partial = true;
        else deepest = Math.max(deepest, index);
      }
      if (partial) return null;
      return rule.messages[deepest >= rule.damaged_depth ? "corrupt" : "type_not_allowed"];
    }, function () { return null; });
  }
  function matches(token, byte) { return token === "digit" ? byte >= 0x30 && byte <= 0x39 : byte === parseInt(token, 16); }

  // Shows `loaded` of `total` bytes on a { bar, text } pair, `suffix` after the figures. The
  // visible text follows every call; a screen reader hears every quarter only.
  function progressReporter(progress) {
    const announcement = document.getElementById("upload-announcement");
    let lastAnnounced = -1;
    return function (loaded, total, suffix) {
      const percent = Math.floor((loaded * 100) / total);
      progress.bar.max = total;
      progress.bar.value = loaded;
      progress.text.textContent = grouped(loaded) + " / " + grouped(total) + " バイト送信済み（" + percent + "%）" + (suffix || "");
      if (announcement && (percent === 100 || percent - lastAnnounced >= 25)) {
        lastAnnounced = percent;
        announcement.textContent = "送信 " + percent + "%";
      }
    };
  }

  // What a page says while its resumable upload waits `seconds` before trying again: the line
  // dropped (status 0), or the server is busy.
  function uploadWaitingText(seconds, status) {
    return status === 0
      ? "接続が切れました。再接続を待っています…（" + seconds + "秒後に再開を試みます。送信済みの部分は保存されています）"
      : "サーバーが混み合っています。" + seconds + "秒後に再開を試みます…";
  }

  // A refusal's message as shown at a document's field: it names the slot first.
  function slotMessage(slot, message) {
    const label = vocabulary.slots[slot];
    return message.indexOf(label) === 0 ? message : label + ": " + message;
  }

  // Sends `body` with XMLHttpRequest, the one browser API that reports upload progress.
  // Resolves with { status, json } for any HTTP answer; status 0 means the connection failed.
  function send(options) {
    return new Promise(function (resolve) {
      const request = new XMLHttpRequest();
      request.open(options.method, options.url);
      request.setRequestHeader("Accept", "application/json, application/problem+json");
      if (options.token) request.setRequestHeader("Authorization", "Bearer " + options.token);
      if (options.contentType) request.setRequestHeader("Content-Type", options.contentType);
      if (options.progress) {
        const bar = options.progress.bar;
        const text = options.progress.text;
        const report = progressReporter(options.progress);
        let total = 0;
        request.upload.onprogress = function (event) {
          if (!event.lengthComputable) return;
          total = event.total;
          report(event.loaded, event.total);
        };
        request.upload.onload = function () {
          bar.value = bar.max;
          if (total) report(total, total, "。サーバーで内容を確認しています…");
          else text.textContent = "送信済み（100%）。サーバーで内容を確認しています…";
        };
        request.addEventListener("load", function () {
          if (total) report(total, total, request.status < 300 ? "。受け付けられました。" : "。受け付けられませんでした。");
        });
      }
      request.onload = function () {
        let json = null;
        try { json = JSON.parse(request.responseText); } catch (e) { json = null; }
        resolve({ status: request.status, json: json });
      };
      request.onerror = function () { resolve({ status: 0, json: null }); };
      request.send(options.body || null);
    });
  }

  // The server's words when it sent a problem+json, else a message for a lost connection.
  function problemText(result) {
    if (result.json && result.json.detail) return result.json.detail;
    if (result.status === 0) {
      return "通信が切断されました。入力内容は保持されています。ファイルの大きさと通信環境を確認し、もう一度送信してください。";
    }
    return "エラーが発生しました（HTTP " + result.status + "）。時間をおいて再度お試しください。";
  }

  function tokenKey(id) { return "docintake-token:" + id; }

  return {
    normalise: normalise, grouped: grouped, sizeText: sizeText, vocabulary: vocabulary, statusNames: statusNames, element: element,
    addRow: addRow, showFieldError: showFieldError, clearErrors: clearErrors, send: send, progressReporter: progressReporter,
    uploadWaitingText: uploadWaitingText, slotMessage: slotMessage, problemText: problemText, sniffPrefix: sniffPrefix,
    tokenKey: tokenKey,
  };
})();

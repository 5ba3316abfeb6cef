// The applicant's status page: reads the application with the access token (kept in
// sessionStorage, never in the URL) and, while it is returned (差戻し), replaces documents,
// corrects fields and resubmits it.
"use strict";

(function () {
  const D = window.DocIntake;
  const main = document.getElementById("main");
  const maxFileSize = Number(main.dataset.maxFileSize);
  const maxFileSizeText = main.dataset.maxFileSizeText;
  const rawId = location.pathname.replace(/^\/applications\//, "").replace(/\/$/, "");
  // A malformed escape must not stop the page: the server answers "not found" for such an id.
  let id = rawId;
  try { id = decodeURIComponent(rawId); } catch (e) { /* keep rawId */ }
  const apiURL = "/api/v1/applications/" + encodeURIComponent(id);
  const tokenInput = document.getElementById("token");
  const message = document.getElementById("status-message");
  const slots = D.vocabulary.slots;
  const names = {
    institution_kind: D.vocabulary.institution_kinds,
    application_kind: D.vocabulary.application_kinds,
    certificate_fee_payment: D.vocabulary.certificate_fee_payments,
    prefecture_code: JSON.parse(main.dataset.prefectures),
    line_type: JSON.parse(main.dataset.lineTypes),
  };
  const labels = [
    ["institution_kind", "医療機関等の種別"], ["prefecture_code", "都道府県"], ["institution_code", "医療機関等コード"],
    ["institution_name", "医療機関等名"], ["application_kind", "申請区分"], ["line_type", "電気通信回線種別"],
    ["customer_id", "お客さまID"], ["planned_start_month", "利用開始予定年月"], ["planned_test_month", "テスト開始予定年月"],
    ["certificate_fee_payment", "電子証明書発行料の支払方法"], ["contact_email", "連絡先メールアドレス"],
  ];
  const explanations = {
    submitted: "申請を受け付けました。審査（職域診療所の場合）または登録をお待ちください。審査には1週間程度かかる場合があります。",
    under_review: "審査担当者が申請内容と添付書類を確認しています。",
    approved: "審査が完了しました。マスタアカウント情報を連絡先メールアドレスへお送りします。",
    returned: "申請が差し戻されました。理由を確認し、書類を差し替えて再申請してください。",
    rejected: "申請は却下されました。理由をご確認ください。",
    withdrawn: "差戻し後、一定期間再申請がなかったため、申請を取り下げとしました。",
  };
  // The fields a returned application may correct, as the server decides them (FormField.correctable).
  const correctable = D.vocabulary.correctable;
  const slotOrder = Object.keys(slots);
  let token = "";
  let current = null;

  function when(iso) {
    if (!iso) return "";
    const date = new Date(iso);
    return isNaN(date) ? iso : date.toLocaleString("ja-JP", { timeZone: "Asia/Tokyo" });
  }

  function say(text, kind) {
    message.textContent = text;
    message.className = "banner" + (kind ? " banner-" + kind : "");
    message.hidden = !text;
  }

  async function load() {
    const result = await D.send({ method: "GET", url: apiURL, token: token });
    if (result.status !== 200 || !result.json) {
      document.getElementById("application").hidden = true;
      D.showFieldError("token", D.problemText(result));
      tokenInput.focus();
      return false;
    }
    D.clearErrors(document.getElementById("token-form"));
    try { sessionStorage.setItem(D.tokenKey(id), token); } catch (e) { /* kept in memory only */ }
    render(result.json);
    return true;
  }

  function render(view) {
    document.getElementById("receipt-number").textContent = view.receipt_number;
    document.getElementById("status-name").textContent = D.statusNames[view.status] || view.status;
    document.getElementById("status-explanation").textContent = explanations[view.status] || "";
    current = view;
    const returns = (view.history || []).filter(function (entry) { return entry.event === "returned" || entry.event === "rejected"; });
    const reason = document.getElementById("return-reason");
    const last = returns[returns.length - 1];
    reason.hidden = !(last && last.reason && (view.status === "returned" || view.status === "rejected"));
    reason.textContent = last && last.reason ? "理由: " + last.reason : "";

    const documents = document.getElementById("documents");
    documents.textContent = "";
    // In slot order, whichever was replaced last.
    const currentDocuments = (view.documents || []).filter(function (d) { return !d.superseded_at; }).sort(function (a, b) {
      return slotOrder.indexOf(a.slot) - slotOrder.indexOf(b.slot);
    });
    currentDocuments.forEach(function (d) {
      const row = D.element("tr");
      const name = d.quarantined_at ? d.filename + "（隔離中：差し替えが必要です）" : d.filename;
      [slots[d.slot] || d.slot, name, D.sizeText(d.size), when(d.uploaded_at)].forEach(function (text) {
        row.appendChild(D.element("td", text));
      });
      if (d.quarantined_at) row.className = "quarantined";
      documents.appendChild(row);
    });
    // A rescan with newer signatures found malware in a stored document: ask for a new file.
    const quarantined = currentDocuments.filter(function (d) { return d.quarantined_at; });
    const quarantine = document.getElementById("quarantine-notice");
    quarantine.hidden = !quarantined.length;
    quarantine.textContent = quarantined.length
      ? quarantined.map(function (d) { return "「" + (slots[d.slot] || d.slot) + "」"; }).join("と")
        + "から、最新のウイルス定義による再検査でウイルスが検出されました。この書類は隔離され、審査には使われません。"
        + "お使いのパソコンをウイルス対策ソフトで確認したうえで、元の書類からファイルを作り直し、下の「書類の差し替え」で差し替えてから再申請してください。"
      : "";
    document.getElementById("documents-table").hidden = !documents.children.length;

    const fields = document.getElementById("fields");
    fields.textContent = "";
    labels.forEach(function (pair) {
      let raw = view.fields[pair[0]];
      if (pair[0] === "customer_id" && raw) raw = view.fields.customer_id_type + " " + raw;
      let named = names[pair[0]] && names[pair[0]][raw];
      if (named && (pair[0] === "prefecture_code" || pair[0] === "line_type")) named = raw + " " + named;
      D.addRow(fields, pair[1], pair[0] === "planned_test_month" && !raw ? "未定" : named || raw || "");
    });

    const history = document.getElementById("history");
    history.textContent = "";
    (view.history || []).forEach(function (entry) {
      const row = D.element("tr");
      [when(entry.at), entry.label, entry.reason || entry.note || ""].forEach(function (text) {
        row.appendChild(D.element("td", text));
      });
      history.appendChild(row);
    });

    const replaceable = view.fields.institution_kind === "workplace_clinic"
      && (view.status === "returned" || (view.status === "submitted" && view.fields.application_kind === "change"));
    document.getElementById("replace").hidden = !replaceable;
    document.getElementById("resubmit").hidden = view.status !== "returned";
    document.getElementById("resubmit-confirm").hidden = true;
    document.getElementById("correct").hidden = view.status !== "returned";
    if (view.status === "returned") fillCorrections(view.fields);
    document.getElementById("application").hidden = false;
  }

  // Refilled only when the stored fields change, so that a re-render (after a replacement) keeps
  // what the applicant typed and has not saved yet.
  let filledFrom = null;
  function fillCorrections(fields) {
    const stored = JSON.stringify(fields);
    if (stored === filledFrom) return;
    filledFrom = stored;
    correctable.forEach(function (name) { document.getElementById(name).value = fields[name] || ""; });
    document.getElementById("customer_id_confirmation").value = fields.customer_id || "";
  }

  // The corrections typed but not saved: each field whose value differs from the stored one.
  function pendingCorrections() {
    const changes = {};
    if (!current) return changes;
    correctable.forEach(function (name) {
      const typed = document.getElementById(name).value;
      if (typed.trim() !== (current.fields[name] || "")) changes[name] = typed;
    });
    if ("customer_id" in changes) changes.customer_id_confirmation = document.getElementById("customer_id_confirmation").value;
    return changes;
  }

  async function saveCorrections() {
    const form = document.getElementById("correct-form");
    const note = document.getElementById("correct-note");
    D.clearErrors(form);
    note.hidden = true;
    const changes = pendingCorrections();
    if (!Object.keys(changes).length) {
      note.textContent = "変更された項目はありません。";
      note.hidden = false;
      return true;
    }
    const result = await D.send({
      method: "PATCH", url: apiURL, token: token, body: JSON.stringify(changes), contentType: "application/json",
    });
    if (result.status === 200 && result.json) {
      render(result.json);
      note.textContent = "申請内容を修正しました。";
      note.hidden = false;
      return true;
    }
    const errors = (result.json && result.json.errors) || [];
    let first = null;
    errors.forEach(function (e) {
      if (D.showFieldError(e.field, e.message) && !first) first = document.getElementById(e.field);
    });
    say(D.problemText(result), "error");
    if (first) first.focus();
    return false;
  }

  // Whether the applicant replaced or corrected anything since the last return.
  function changedSinceReturn() {
    const history = (current && current.history) || [];
    let changed = false;
    history.forEach(function (entry) {
      if (entry.event === "returned") changed = false;
      if (entry.event === "document_replaced" || entry.event === "fields_corrected") changed = true;
    });
    return changed;
  }

  // 再申請する: first sends what was chosen or typed and not yet sent, and stops at the first
  // refusal; a resubmission that changes nothing asks for confirmation first.
  async function resubmit(confirmedUnchanged) {
    say("");
    document.getElementById("resubmit-confirm").hidden = true;
    for (const slot of slotOrder) {
      const chosen = document.getElementById(slot).files[0];
      if (chosen && !(await replace(slot))) {
        say(slots[slot] + "を差し替えられなかったため、再申請していません。メッセージを確認してください。", "error");
        return;
      }
    }
    if (Object.keys(pendingCorrections()).length && !(await saveCorrections())) {
      say("申請内容を修正できなかったため、再申請していません。各項目のメッセージを確認してください。", "error");
      return;
    }
    if (!confirmedUnchanged && !changedSinceReturn()) {
      askToConfirmUnchanged();
      return;
    }
    const result = await D.send({
      method: "POST", url: apiURL + "/resubmit", token: token, contentType: "application/json",
      body: JSON.stringify({ confirm_unchanged: !!confirmedUnchanged }),
    });
    if (result.status === 200 && result.json) {
      render(result.json);
      say("再申請しました。審査結果をお待ちください。", "success");
    } else if (result.status === 409 && result.json && result.json.code === "nothing_changed") {
      askToConfirmUnchanged();
      return;
    } else {
      say(D.problemText(result), "error");
    }
    message.focus();
  }

  function askToConfirmUnchanged() {
    const box = document.getElementById("resubmit-confirm");
    box.hidden = false;
    document.getElementById("resubmit-unchanged-button").focus();
  }

  async function replace(slot) {
    const inputElement = document.getElementById(slot);
    const chosen = inputElement.files[0];
    D.clearErrors(document.getElementById(slot + "-row"));
    if (!chosen) { D.showFieldError(slot, slots[slot] + "のファイルを選択してください。"); inputElement.focus(); return false; }
    if (chosen.size === 0) { D.showFieldError(slot, slots[slot] + ": ファイルが空です（0バイト）。"); inputElement.focus(); return false; }
    if (chosen.size > maxFileSize) {
      D.showFieldError(slot, slots[slot] + "のファイルが上限（" + maxFileSizeText + "）を超えています。");
      inputElement.focus();
      return false;
    }
    const progress = { bar: document.getElementById("upload-progress"), text: document.getElementById("upload-text") };
    progress.bar.max = 100;
    progress.bar.value = 0;
    document.getElementById("upload").hidden = false;
    const buttons = document.querySelectorAll("#replace button, #resubmit button");
    buttons.forEach(function (b) { b.disabled = true; });
    const sent = await uploadResumably(slot, chosen, progress);
    const data = new FormData();
    if (sent.id) data.append(slot + "_upload", sent.id);
    else data.append(slot, chosen, chosen.name);
    const result = sent.refusal
      ? { status: sent.refusal.status, json: { errors: [{ field: slot, message: sent.refusal.message }] } }
      : await D.send({ method: "PUT", url: apiURL + "/documents/" + slot, token: token, body: data, progress: sent.id ? null : progress });
    buttons.forEach(function (b) { b.disabled = false; });
    if (result.status === 200 && result.json) {
      if (sent.upload) {
        sent.upload.used();
        D.progressReporter(progress)(chosen.size, chosen.size, "。受け付けられました。");
      }
      inputElement.value = "";
      const note = document.getElementById(slot + "-note");
      note.textContent = "差し替えました: " + result.json.filename + "（" + D.sizeText(result.json.size) + "）";
      note.hidden = false;
      await load();
      return true;
    }
    const errors = (result.json && result.json.errors) || [];
    const mine = errors.filter(function (e) { return e.field === slot; });
    D.showFieldError(slot, mine.length ? mine.map(function (e) { return e.message; }).join(" ") : D.problemText(result));
    inputElement.focus();
    return false;
  }

  // As on the form: where the server speaks tus, the file goes first as a resumable upload (a
  // dropped line costs only the bytes in flight, and the page waits and resumes by itself), and
  // the replacement names it. Resolves with { id, upload } once the server accepted the file,
  // { refusal } when it refused it, or {} when the file is to go whole in the replacement itself
  // (no tus here, or a server behind a balancer that cannot continue it).
  async function uploadResumably(slot, file, progress) {
    if (!window.DocIntakeTus || !(await window.DocIntakeTus.available())) return {};
    main.dataset.uploadMode = "tus";
    const report = D.progressReporter(progress);
    const box = document.getElementById("upload");
    delete box.dataset.resumedFrom;
    const upload = new window.DocIntakeTus.Upload(slot, file, {
      progress: function (sent, total) { report(sent, total, sent === total ? "。サーバーで内容を確認しています…" : ""); },
      waiting: function (seconds, status) { progress.text.textContent = D.uploadWaitingText(seconds, status); },
      resumed: function (offset, total) {
        // Where it continued, for whoever checks the page (the tests do).
        box.dataset.resumedFrom = String(offset);
        report(offset, total, "。接続が戻りました。続きから送信します…");
      },
    });
    try {
      return { id: await upload.promise, upload: upload };
    } catch (refusal) {
      if (refusal.code === "upload_not_resumable_here") return {};
      return { refusal: { status: refusal.status, message: D.slotMessage(slot, refusal.message) } };
    }
  }

  document.getElementById("token-form").addEventListener("submit", function (event) {
    event.preventDefault();
    token = tokenInput.value.trim();
    say("");
    if (!token) { D.showFieldError("token", "アクセストークンを入力してください。"); tokenInput.focus(); return; }
    load().then(function (ok) { if (ok) document.getElementById("application-title").focus(); });
  });
  document.querySelectorAll(".replace-button").forEach(function (button) {
    button.addEventListener("click", function () { replace(button.dataset.slot); });
  });
  document.getElementById("resubmit-button").addEventListener("click", function () { resubmit(false); });
  document.getElementById("resubmit-unchanged-button").addEventListener("click", function () { resubmit(true); });
  document.getElementById("resubmit-cancel-button").addEventListener("click", function () {
    document.getElementById("resubmit-confirm").hidden = true;
    document.getElementById("resubmit-button").focus();
  });
  document.getElementById("correct-form").addEventListener("submit", function (event) {
    event.preventDefault();
    saveCorrections();
  });

  document.getElementById("resend-form").addEventListener("submit", function (event) {
    event.preventDefault();
    requestAccessLink();
  });

  // 「アクセス用のリンクを再送する」: the server answers the same whether or not the pair matched.
  async function requestAccessLink() {
    const box = document.getElementById("resend-message");
    const receipt = document.getElementById("resend-receipt").value.trim();
    const email = document.getElementById("resend-email").value.trim();
    box.hidden = false;
    if (!receipt || !email) {
      box.textContent = "受付番号と連絡先メールアドレスを入力してください。";
      document.getElementById(receipt ? "resend-email" : "resend-receipt").focus();
      return;
    }
    const result = await D.send({
      method: "POST", url: "/api/v1/access-links", contentType: "application/json",
      body: JSON.stringify({ receipt_number: receipt, contact_email: email }),
    });
    box.textContent = result.json && result.json.detail ? result.json.detail : D.problemText(result);
  }

  // A link from the access-link notice carries the token in the fragment, which the browser
  // never sends; it moves into sessionStorage and out of the address bar and history at once.
  const fragment = /^#token=([^&]+)$/.exec(location.hash);
  if (fragment) {
    try { sessionStorage.setItem(D.tokenKey(id), decodeURIComponent(fragment[1])); } catch (e) { token = decodeURIComponent(fragment[1]); }
    history.replaceState(null, "", location.pathname);
  }

  let saved = token || null;
  try { saved = sessionStorage.getItem(D.tokenKey(id)) || saved; } catch (e) { /* keep the fragment's token */ }
  if (saved) {
    token = saved;
    tokenInput.value = saved;
    load();
  }
})();

// The application form: 入力 → 入力項目確認 → 送信 → 受付. The checks here mirror the server's
// (ApplicationForm.validate) so that most mistakes show before anything is sent, but the
// server's answer is what counts: its errors are shown field by field, in its own words.
"use strict";

(function () {
  const D = window.DocIntake;
  const main = document.getElementById("main");
  const form = document.getElementById("application-form");
  const maxFileSize = Number(main.dataset.maxFileSize);
  const maxFileSizeText = main.dataset.maxFileSizeText;
  const lineTypeRequiringCustomerId = main.dataset.lineTypeRequiringCustomerId;
  const screens = {
    input: document.getElementById("screen-input"),
    confirm: document.getElementById("screen-confirm"),
    done: document.getElementById("screen-done"),
  };
  const slots = D.vocabulary.slots;
  const textFields = [
    "prefecture_code", "institution_code", "institution_name", "customer_id_type", "customer_id", "customer_id_confirmation",
    "planned_start_month", "planned_test_month", "secret_number", "secret_number_confirmation", "contact_email",
  ];
  const radioFields = ["institution_kind", "application_kind", "line_type", "certificate_fee_payment"];
  const checkboxFields = ["terms_agreed", "flets_v6_confirmed"];
  // Shown on the confirmation screen and the receipt, in the form's order.
  const order = [
    "institution_kind", "prefecture_code", "institution_code", "institution_name", "application_kind", "terms_agreed",
    "line_type", "customer_id", "flets_v6_confirmed", "planned_start_month", "planned_test_month", "secret_number",
    "certificate_fee_payment", "contact_email",
  ];
  const labels = {
    institution_kind: "医療機関等の種別", prefecture_code: "都道府県", institution_code: "医療機関等コード",
    institution_name: "医療機関等名", application_kind: "申請区分", terms_agreed: "利用規約への同意",
    line_type: "電気通信回線種別", customer_id_type: "お客さまID（種別）", customer_id: "お客さまID",
    customer_id_confirmation: "確認用お客さまID", flets_v6_confirmed: "フレッツ・v6オプション契約の確認",
    secret_number_confirmation: "秘密の番号（確認用）",
    planned_start_month: "利用開始予定年月", planned_test_month: "テスト開始予定年月", secret_number: "秘密の番号",
    certificate_fee_payment: "電子証明書発行料の支払方法", contact_email: "連絡先メールアドレス",
  };
  // The server's messages (FormMessages.swift), word for word.
  const messages = {
    required: "入力してください。",
    select: "選択してください。",
    format: "入力形式が正しくありません。",
    tooLong: "100文字以内で入力してください。",
    mismatch: "確認用の入力が一致しません。同じ値を入力してください。",
    mustAgree: "利用規約に同意してください。",
    mustConfirm: "フレッツ・v6オプションの契約を確認してください。",
    customerIdFormat: "お客さまIDは「CAF」「COP」を除いた半角数字10桁で入力してください。",
    yearMonthFormat: "「YYYY-MM」（例: 2026-04）の形式で入力してください。",
    secretNumberFormat: "秘密の番号は半角数字4桁で入力してください。",
    invoiceOnly: "職域診療所は「払込請求書による振込み」のみ選択できます。",
    documentRequired: function (slot) { return slots[slot] + "を1ファイル添付してください（PDF・PNG・Excel、" + maxFileSizeText + "まで）。"; },
    fileTooLarge: function (slot) {
      return slots[slot] + "のファイルが上限（" + maxFileSizeText + "）を超えています。" + maxFileSizeText + "以下のファイルにしてください。";
    },
    fileEmpty: function (slot) { return slots[slot] + ": ファイルが空です（0バイト）。内容のあるファイルを添付してください。"; },
  };

  function input(name) { return form.elements.namedItem(name); }
  function radio(name) {
    const checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked ? checked.value : "";
  }
  function value(name) {
    if (radioFields.indexOf(name) >= 0) return radio(name);
    if (checkboxFields.indexOf(name) >= 0) return input(name).checked ? "on" : "";
    return input(name).value;
  }
  function file(slot) { return input(slot).files[0] || null; }
  function isWorkplaceClinic() { return radio("institution_kind") === "workplace_clinic"; }
  function digits(text, count) { return new RegExp("^[0-9]{" + count + "}$").test(text); }
  // 2027/3 and 2027年3月 mean 2027-03, as the server reads them (FormValue.yearMonth).
  function yearMonth(text) {
    const match = /^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*月?$/.exec(text);
    return match ? match[1] + "-" + (match[2].length === 1 ? "0" : "") + match[2] : text;
  }
  function isYearMonth(text) {
    const match = /^([0-9]{4})-([0-9]{2})$/.exec(text);
    return !!match && Number(match[1]) >= 2000 && Number(match[2]) >= 1 && Number(match[2]) <= 12;
  }
  function isEmailAddress(text) {
    const parts = text.split("@");
    if (text.length > 254 || parts.length !== 2 || !parts[0] || parts[1].indexOf(".") < 0) return false;
    return /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]+$/.test(parts[0]) && /^[A-Za-z0-9.-]+$/.test(parts[1])
      && parts[1][0] !== "." && parts[1][parts[1].length - 1] !== "." && parts[1].indexOf("..") < 0;
  }

  // Which fields apply depends on the kind of institution, the application kind and the line.
  function refresh() {
    const workplace = isWorkplaceClinic();
    document.getElementById("documents-block").hidden = !workplace;
    const deduct = form.querySelector('input[name="certificate_fee_payment"][value="deduct_from_fees"]');
    deduct.disabled = workplace;
    if (workplace && deduct.checked) deduct.checked = false;
    document.getElementById("deduct_from_fees-choice").classList.toggle("disabled", workplace);
    setBadge("institution_code-badge", !workplace);
    const documentsRequired = radio("application_kind") !== "change";
    Object.keys(slots).forEach(function (slot) { setBadge(slot + "-badge", documentsRequired); });
    setBadge("customer_id-badge", radio("line_type") === lineTypeRequiringCustomerId || radio("line_type") === "");
  }
  function setBadge(id, required) {
    const badge = document.getElementById(id);
    badge.textContent = required ? "必須" : "任意";
    badge.className = "badge " + (required ? "badge-required" : "badge-optional");
  }

  // Early hints for a chosen file. The extension is only a hint: the server judges the content
  // (a PNG named .pdf is accepted, an executable named .pdf is not).
  // The prefix stage's verdict on each chosen file, kept with the file it was made for.
  const sniffed = {};
  function describeFile(slot) {
    const note = document.getElementById(slot + "-note");
    const chosen = file(slot);
    delete sniffed[slot];
    keepOrAbandonUpload(slot, chosen);
    const box = document.getElementById(slot + "-error");
    if (box && box.dataset.sniffed) { box.hidden = true; box.textContent = ""; delete box.dataset.sniffed; input(slot).removeAttribute("aria-invalid"); }
    if (!chosen) { note.hidden = true; note.textContent = ""; return; }
    input(slot).dataset.prefixCheck = "pending";
    D.sniffPrefix(chosen).then(function (message) {
      if (file(slot) !== chosen) return;
      input(slot).dataset.prefixCheck = message ? "refused" : "passed";
      if (!message) { startUpload(slot); return; }
      sniffed[slot] = { file: chosen, message: slots[slot] + ": " + message };
      D.showFieldError(slot, sniffed[slot].message);
      document.getElementById(slot + "-error").dataset.sniffed = "true";
    });
    let text = "選択中: " + chosen.name + "（" + D.sizeText(chosen.size) + "）";
    if (!/\.(pdf|png|xls|xlsx)$/i.test(chosen.name)) {
      text += "。拡張子がPDF・PNG・Excelではありません。ファイルの内容で判定するため、送信後にエラーとなる場合があります。";
    }
    note.textContent = text;
    note.hidden = false;
  }

  // Each chosen file goes to the server by tus (tus.js) at once, in the background, so that a
  // dropped line costs only the bytes in flight; 送信 then names the upload. Where the browser or
  // the server cannot do it, the file travels in the form's multipart request as before.
  const uploads = {};
  let tusAvailable = false;
  window.DocIntakeTus.available().then(function (yes) {
    tusAvailable = yes;
    main.dataset.uploadMode = yes ? "tus" : "multipart";
    if (yes) Object.keys(slots).forEach(startUpload);
  });
  function sameFile(a, b) { return !!a && !!b && a.name === b.name && a.size === b.size && a.lastModified === b.lastModified; }

  // Another file (or none) chosen: the previous upload is stopped and dropped on the server.
  function keepOrAbandonUpload(slot, chosen) {
    const entry = uploads[slot];
    if (!entry) return;
    if (sameFile(entry.file, chosen) && entry.state !== "failed") {
      entry.file = chosen;
      return;
    }
    entry.upload.abandon();
    delete uploads[slot];
    showUploadState(slot, null);
  }

  function startUpload(slot) {
    const chosen = file(slot);
    if (!tusAvailable || !chosen || uploads[slot] || input(slot).dataset.prefixCheck !== "passed") return;
    if (chosen.size === 0 || chosen.size > maxFileSize) return; // validate() says why; nothing to send
    const entry = { file: chosen, state: "sending", id: null, message: null, announced: -1 };
    uploads[slot] = entry;
    showUploadState(slot, entry, "送信を開始します…");
    entry.upload = new window.DocIntakeTus.Upload(slot, chosen, {
      progress: function (sent, total) {
        if (uploads[slot] !== entry) return;
        entry.state = "sending";
        showUploadProgress(slot, entry, sent, total);
      },
      waiting: function (seconds, status) {
        if (uploads[slot] !== entry) return;
        entry.state = "waiting";
        entry.announced = -1;
        showUploadState(slot, entry, D.uploadWaitingText(seconds, status));
      },
      resumed: function (offset, total, afterReload) {
        if (uploads[slot] !== entry) return;
        entry.state = "sending";
        entry.announced = -1;
        const percent = Math.floor((offset * 100) / total);
        showUploadState(slot, entry, afterReload ? "前回の続き（" + percent + "%）から再開します…" : "接続が戻りました。" + percent + "% から再開します…");
        // Where it continued, for whoever checks the page (the tests do).
        document.getElementById(slot + "-upload").dataset.resumedFrom = String(offset);
      },
    });
    entry.settled = entry.upload.promise.then(function (id) {
      if (uploads[slot] !== entry) return;
      entry.state = "done";
      entry.id = id;
      showUploadState(slot, entry, "アップロード完了（" + D.sizeText(chosen.size) + "）");
    }, function (refusal) {
      if (uploads[slot] !== entry) return;
      // Behind a balancer, a server that does not hold the bytes so far cannot continue them.
      if (refusal.code === "upload_not_resumable_here") {
        entry.state = "multipart";
        showUploadState(slot, entry, "このファイルは「送信」のときにフォームと一緒に送ります。");
        return;
      }
      entry.state = "failed";
      entry.message = D.slotMessage(slot, refusal.message);
      showUploadState(slot, entry, "アップロードできませんでした。");
      D.showFieldError(slot, entry.message);
      document.getElementById(slot + "-error").dataset.sniffed = "true";
    });
  }

  function showUploadProgress(slot, entry, sent, total) {
    const bar = document.getElementById(slot + "-progress");
    bar.max = total;
    bar.value = sent;
    // The bar follows every byte; the spoken status only every tenth, so as not to drown the page.
    const percent = Math.floor((sent * 100) / total);
    if (entry.announced < 0 || percent - entry.announced >= 10 || (percent === 100 && entry.announced !== 100)) {
      entry.announced = percent - (percent % 10);
      showUploadState(slot, entry, "送信中 " + percent + "%");
    }
  }

  function showUploadState(slot, entry, message) {
    const box = document.getElementById(slot + "-upload");
    box.hidden = !entry;
    if (!entry) delete box.dataset.resumedFrom;
    box.dataset.state = entry ? entry.state : "";
    document.getElementById(slot + "-upload-status").textContent = entry ? message : "";
    if (!entry) document.getElementById(slot + "-progress").value = 0;
  }

  function validate() {
    const errors = [];
    function add(field, message) { errors.push({ field: field, message: message }); }
    const workplace = isWorkplaceClinic();
    if (!radio("institution_kind")) add("institution_kind", messages.select);
    if (!D.normalise(value("prefecture_code"))) add("prefecture_code", messages.select);
    const code = D.normalise(value("institution_code"));
    if (code && !digits(code, 7)) add("institution_code", messages.format);
    if (!code && radio("institution_kind") && !workplace) add("institution_code", messages.required);
    const name = value("institution_name").trim();
    if (!name) add("institution_name", messages.required);
    else if (Array.from(name).length > 100) add("institution_name", messages.tooLong);
    else if (/[\p{Cc}\p{Cf}]/u.test(name)) add("institution_name", messages.format);
    if (!radio("application_kind")) add("application_kind", messages.select);
    if (!input("terms_agreed").checked) add("terms_agreed", messages.mustAgree);
    if (!radio("line_type")) add("line_type", messages.select);
    const customerId = D.normalise(value("customer_id"));
    if (customerId) {
      if (!digits(customerId, 10)) add("customer_id", messages.customerIdFormat);
      if (D.normalise(value("customer_id_confirmation")) !== customerId) add("customer_id_confirmation", messages.mismatch);
    } else if (radio("line_type") === lineTypeRequiringCustomerId) {
      add("customer_id", messages.required);
    }
    if (!input("flets_v6_confirmed").checked) add("flets_v6_confirmed", messages.mustConfirm);
    const start = yearMonth(D.normalise(value("planned_start_month")));
    if (!start) add("planned_start_month", messages.required);
    else if (!isYearMonth(start)) add("planned_start_month", messages.yearMonthFormat);
    const test = yearMonth(D.normalise(value("planned_test_month")));
    if (test && !isYearMonth(test)) add("planned_test_month", messages.yearMonthFormat);
    const secret = D.normalise(value("secret_number"));
    if (!secret) add("secret_number", messages.required);
    else {
      if (!digits(secret, 4)) add("secret_number", messages.secretNumberFormat);
      if (D.normalise(value("secret_number_confirmation")) !== secret) add("secret_number_confirmation", messages.mismatch);
    }
    const payment = radio("certificate_fee_payment");
    if (!payment) add("certificate_fee_payment", messages.select);
    else if (workplace && payment === "deduct_from_fees") add("certificate_fee_payment", messages.invoiceOnly);
    const email = D.normalise(value("contact_email"));
    if (!email) add("contact_email", messages.required);
    else if (!isEmailAddress(email)) add("contact_email", messages.format);
    if (workplace) {
      Object.keys(slots).forEach(function (slot) {
        const chosen = file(slot);
        if (!chosen) { if (radio("application_kind") !== "change") add(slot, messages.documentRequired(slot)); }
        else if (chosen.size === 0) add(slot, messages.fileEmpty(slot));
        else if (chosen.size > maxFileSize) add(slot, messages.fileTooLarge(slot));
        else if (sniffed[slot] && sniffed[slot].file === chosen) add(slot, sniffed[slot].message);
        else if (uploads[slot] && uploads[slot].state === "failed") add(slot, uploads[slot].message);
      });
    }
    return errors;
  }

  // Every error next to its field, and a summary on top linking to each one.
  function showErrors(summaryText, errors) {
    D.clearErrors(form);
    const summary = document.getElementById("form-summary");
    const list = document.getElementById("form-summary-list");
    list.textContent = "";
    document.getElementById("form-summary-text").textContent = summaryText;
    errors.forEach(function (error) {
      const placed = D.showFieldError(error.field, error.message);
      const item = D.element("li");
      const target = document.getElementById(error.field) || form.querySelector('[name="' + CSS.escape(error.field) + '"]');
      if (placed && target) {
        const label = labels[error.field] || slots[error.field] || "";
        // Document messages already start with the document's name.
        const link = D.element("a", label && error.message.indexOf(label) !== 0 ? label + ": " + error.message : error.message);
        link.href = "#" + (target.id || "");
        link.addEventListener("click", function (event) { event.preventDefault(); target.focus(); });
        item.appendChild(link);
      } else {
        item.textContent = error.message;
      }
      list.appendChild(item);
    });
    summary.hidden = false;
    show("input");
    summary.focus();
  }

  function show(name) {
    Object.keys(screens).forEach(function (key) { screens[key].hidden = key !== name; });
    ["input", "confirm", "done"].forEach(function (key) {
      const step = document.getElementById("step-" + key);
      if (key === name) step.setAttribute("aria-current", "step"); else step.removeAttribute("aria-current");
    });
    document.title = "オンライン資格確認利用申請 | " + { input: "入力", confirm: "入力項目確認", done: "受付完了" }[name];
    window.scrollTo(0, 0);
  }

  // How a value reads on screen: the label of the chosen option, not its code.
  function display(field, raw) {
    if (raw === undefined || raw === null || raw === "") return "";
    if (field === "secret_number") return "●●●●（表示しません）";
    if (field === "terms_agreed") return "同意する";
    if (field === "flets_v6_confirmed") return "確認済み";
    const option = form.querySelector('[name="' + field + '"][value="' + CSS.escape(raw) + '"]');
    if (option) return (option.closest("label") || option).textContent.trim();
    if (field === "prefecture_code") {
      const choice = Array.from(input("prefecture_code").options).find(function (o) { return o.value === raw; });
      return choice ? choice.textContent : raw;
    }
    return raw;
  }

  function confirmScreen() {
    const list = document.getElementById("confirm-list");
    list.textContent = "";
    order.forEach(function (field) {
      let raw = field === "terms_agreed" || field === "flets_v6_confirmed" ? value(field) : D.normalise(value(field));
      if (field === "institution_name") raw = value(field).trim();
      if (field === "planned_start_month" || field === "planned_test_month") raw = yearMonth(raw);
      if (field === "customer_id" && raw) raw = D.normalise(value("customer_id_type")).toUpperCase() + " " + raw;
      if (field === "planned_test_month" && !raw) { D.addRow(list, labels[field], "未定"); return; }
      D.addRow(list, labels[field], display(field, raw));
    });
    if (isWorkplaceClinic()) {
      Object.keys(slots).forEach(function (slot) {
        const chosen = file(slot);
        const entry = uploads[slot];
        const state = !entry || entry.state === "multipart" ? "" : entry.state === "done" ? "。アップロード完了" : "。アップロード中";
        D.addRow(list, slots[slot], chosen ? chosen.name + "（" + D.sizeText(chosen.size) + "）" + state : "");
      });
    }
    document.getElementById("upload").hidden = true;
    show("confirm");
    document.getElementById("confirm-title").focus();
  }

  // The request carries only what applies: a file input left empty (or hidden for a
  // non-workplace applicant) must not become an empty file part.
  function formData() {
    const data = new FormData();
    radioFields.concat(textFields).forEach(function (field) {
      const raw = value(field);
      if (raw !== "") data.append(field, raw);
    });
    checkboxFields.forEach(function (field) { if (input(field).checked) data.append(field, "on"); });
    if (!D.normalise(value("customer_id"))) data.delete("customer_id_type");
    if (isWorkplaceClinic()) {
      Object.keys(slots).forEach(function (slot) {
        const chosen = file(slot);
        const entry = uploads[slot];
        // One or the other: a slot with both a file and an upload is refused.
        if (entry && entry.state === "done") data.append(slot + "_upload", entry.id);
        else if (chosen) data.append(slot, chosen, chosen.name);
      });
    }
    return data;
  }

  async function submit() {
    const sendButton = document.getElementById("send-button");
    const backButton = document.getElementById("back-button");
    sendButton.disabled = true;
    backButton.disabled = true;
    const progress = { bar: document.getElementById("upload-progress"), text: document.getElementById("upload-text") };
    progress.bar.max = 100;
    progress.bar.value = 0;
    document.getElementById("upload").hidden = false;
    const pending = isWorkplaceClinic() ? Object.keys(uploads).filter(function (slot) { return uploads[slot].settled && !uploads[slot].id; }) : [];
    if (pending.length) {
      progress.text.textContent = "ファイルのアップロードが終わるのを待っています。終わると自動で送信します…";
      backButton.disabled = false;
      await Promise.all(pending.map(function (slot) { return uploads[slot].settled; }));
      if (screens.confirm.hidden) return; // 戻る was pressed meanwhile
      backButton.disabled = true;
      const failed = validate();
      if (failed.length) {
        sendButton.disabled = false;
        backButton.disabled = false;
        showErrors("ファイルをアップロードできませんでした。該当する項目のメッセージを確認してください。", failed);
        return;
      }
    }
    progress.text.textContent = "送信を開始しました…";
    const result = await D.send({ method: "POST", url: "/api/v1/applications", body: formData(), progress: progress });
    sendButton.disabled = false;
    backButton.disabled = false;
    if (result.status === 201 && result.json) {
      Object.keys(uploads).forEach(function (slot) { if (uploads[slot].id) uploads[slot].upload.used(); });
      await receipt(result.json);
      return;
    }
    const errors = result.json && Array.isArray(result.json.errors)
      ? result.json.errors.map(function (e) { return { field: e.field, message: e.message }; })
      : [];
    // An upload the server would not take (expired, used): say so at its file, and send the file again.
    errors.forEach(function (error) {
      const slot = error.field && error.field.replace(/_upload$/, "");
      if (slot === error.field || !uploads[slot]) return;
      error.field = slot;
      uploads[slot].upload.abandon();
      delete uploads[slot];
      startUpload(slot);
    });
    // A document's refusal repeats its one message as `detail`: say it once, next to the file.
    const detail = D.problemText(result);
    const repeated = errors.length === 1 && errors[0].message === detail;
    showErrors(repeated ? "送信内容を受け付けられませんでした。該当する項目のメッセージを確認してください。" : detail, errors);
  }

  async function receipt(answer) {
    try { sessionStorage.setItem(D.tokenKey(answer.id), answer.access_token); } catch (e) { /* private mode: the token is shown anyway */ }
    document.getElementById("receipt-number").textContent = answer.receipt_number;
    document.getElementById("access-token").textContent = answer.access_token;
    const link = document.getElementById("status-link");
    link.href = "/applications/" + encodeURIComponent(answer.id);
    link.textContent = location.origin + link.getAttribute("href");
    const warnings = document.getElementById("done-warnings");
    warnings.textContent = "";
    (answer.warnings || []).forEach(function (w) { warnings.appendChild(D.element("p", w.message)); });
    warnings.hidden = !(answer.warnings || []).length;

    const steps = document.getElementById("next-steps");
    steps.textContent = "";
    const workplace = isWorkplaceClinic();
    steps.appendChild(D.element("li", "受付のご案内を連絡先メールアドレスへお送りします。"));
    if (workplace) {
      steps.appendChild(D.element("li", "職域診療所の申請は、添付書類の審査を行います。審査には1週間程度かかる場合があります。"));
      steps.appendChild(D.element("li", "審査完了後、マスタアカウント情報と運用開始日登録のご案内をお送りします。"));
      steps.appendChild(D.element("li", "書類の差し替えが必要な場合（差戻し）は、メールでお知らせします。状況確認ページから書類を差し替えて再申請してください。"));
    } else {
      steps.appendChild(D.element("li", "受付内容を確認のうえマスタアカウントを登録し、マスタアカウント情報をお送りします。"));
    }

    // The echoed items are what the server stored (normalised), read back with the new token.
    const list = document.getElementById("receipt-list");
    list.textContent = "";
    const view = await D.send({ method: "GET", url: "/api/v1/applications/" + encodeURIComponent(answer.id), token: answer.access_token });
    const fields = view.status === 200 && view.json ? view.json.fields : null;
    order.forEach(function (field) {
      if (field === "terms_agreed" || field === "flets_v6_confirmed" || field === "secret_number") return;
      let raw = fields ? fields[field] : D.normalise(value(field));
      if (field === "customer_id" && raw) raw = (fields ? fields.customer_id_type : value("customer_id_type")) + " " + raw;
      if (field === "planned_test_month" && !raw) { D.addRow(list, labels[field], "未定"); return; }
      D.addRow(list, labels[field], display(field, raw || ""));
    });
    (answer.documents || []).forEach(function (stored) {
      D.addRow(list, slots[stored.slot] || stored.slot, stored.filename + "（" + D.sizeText(stored.size) + "）");
    });
    // Sent and stored as a hash: the page has no reason to hold the secret number any longer.
    input("secret_number").value = "";
    input("secret_number_confirmation").value = "";
    show("done");
    document.getElementById("done-title").focus();
  }

  form.addEventListener("change", function (event) {
    refresh();
    if (event.target.type === "file") describeFile(event.target.name);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const errors = validate();
    if (errors.length) {
      showErrors("入力内容に誤りがあります。各項目のメッセージを確認してください。", errors);
      return;
    }
    D.clearErrors(form);
    document.getElementById("form-summary").hidden = true;
    confirmScreen();
  });
  document.getElementById("back-button").addEventListener("click", function () {
    document.getElementById("send-button").disabled = false;
    show("input");
    document.getElementById("confirm-button").focus();
  });
  document.getElementById("send-button").addEventListener("click", submit);
  refresh();
  Object.keys(slots).forEach(describeFile);
})();

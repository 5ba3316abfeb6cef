// The applicant's status page: reads the application with the access token (kept in
// sessionStorage, never in the URL) and, while it is returned (差戻し), replaces documents and
// resubmits it.
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
  const slots = { opening_notification: "開設届の写し", opening_permit: "開設許可書の写し" };
  const names = {
    institution_kind: { medical: "医科", dental: "歯科", pharmacy: "調剤（薬局）", home_nursing: "訪問看護", workplace_clinic: "職域診療所" },
    application_kind: { new: "新規", change: "変更" },
    certificate_fee_payment: { deduct_from_fees: "診療報酬支払額から控除", invoice: "払込請求書による振込み" },
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
  const actions = {
    submit: "申請", claim: "審査開始", approve: "審査完了", return: "差戻し", reject: "却下",
    replace_document: "書類の差し替え", resubmit: "再申請", withdraw: "取下げ",
  };
  let token = "";

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
    const returns = (view.history || []).filter(function (entry) { return entry.action === "return" || entry.action === "reject"; });
    const reason = document.getElementById("return-reason");
    const last = returns[returns.length - 1];
    reason.hidden = !(last && last.reason && (view.status === "returned" || view.status === "rejected"));
    reason.textContent = last && last.reason ? "理由: " + last.reason : "";

    const documents = document.getElementById("documents");
    documents.textContent = "";
    (view.documents || []).filter(function (d) { return !d.superseded_at; }).forEach(function (d) {
      const row = D.element("tr");
      [slots[d.slot] || d.slot, d.filename, D.sizeText(d.size), when(d.uploaded_at)].forEach(function (text) {
        row.appendChild(D.element("td", text));
      });
      documents.appendChild(row);
    });
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
      [when(entry.at), actions[entry.action] || entry.action, entry.reason || ""].forEach(function (text) {
        row.appendChild(D.element("td", text));
      });
      history.appendChild(row);
    });

    const replaceable = view.fields.institution_kind === "workplace_clinic"
      && (view.status === "returned" || (view.status === "submitted" && view.fields.application_kind === "change"));
    document.getElementById("replace").hidden = !replaceable;
    document.getElementById("resubmit-button").hidden = view.status !== "returned";
    document.getElementById("application").hidden = false;
  }

  async function replace(slot) {
    const inputElement = document.getElementById(slot);
    const chosen = inputElement.files[0];
    D.clearErrors(document.getElementById(slot + "-row"));
    if (!chosen) { D.showFieldError(slot, slots[slot] + "のファイルを選択してください。"); inputElement.focus(); return; }
    if (chosen.size === 0) { D.showFieldError(slot, slots[slot] + ": ファイルが空です（0バイト）。"); return; }
    if (chosen.size > maxFileSize) {
      D.showFieldError(slot, slots[slot] + "のファイルが上限（" + maxFileSizeText + "）を超えています。");
      return;
    }
    const data = new FormData();
    data.append(slot, chosen, chosen.name);
    const progress = { bar: document.getElementById("upload-progress"), text: document.getElementById("upload-text") };
    progress.bar.max = 100;
    progress.bar.value = 0;
    document.getElementById("upload").hidden = false;
    const buttons = document.querySelectorAll("#replace button");
    buttons.forEach(function (b) { b.disabled = true; });
    const result = await D.send({ method: "PUT", url: apiURL + "/documents/" + slot, token: token, body: data, progress: progress });
    buttons.forEach(function (b) { b.disabled = false; });
    if (result.status === 200 && result.json) {
      inputElement.value = "";
      const note = document.getElementById(slot + "-note");
      note.textContent = "差し替えました: " + result.json.filename + "（" + D.sizeText(result.json.size) + "）";
      note.hidden = false;
      await load();
      return;
    }
    const errors = (result.json && result.json.errors) || [];
    const mine = errors.filter(function (e) { return e.field === slot; });
    D.showFieldError(slot, mine.length ? mine.map(function (e) { return e.message; }).join(" ") : D.problemText(result));
    inputElement.focus();
  }

  async function resubmit() {
    const result = await D.send({ method: "POST", url: apiURL + "/resubmit", token: token });
    if (result.status === 200 && result.json) {
      render(result.json);
      say("再申請しました。審査結果をお待ちください。", "success");
    } else {
      say(D.problemText(result), "error");
    }
    message.focus();
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
  document.getElementById("resubmit-button").addEventListener("click", resubmit);

  let saved = null;
  try { saved = sessionStorage.getItem(D.tokenKey(id)); } catch (e) { saved = null; }
  if (saved) {
    token = saved;
    tokenInput.value = saved;
    load();
  }
})();

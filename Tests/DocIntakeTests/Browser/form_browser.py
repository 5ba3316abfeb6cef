#!/usr/bin/env python3
"""Drives the applicant web form in headless Chromium against a running DocIntake server:
the client-side checks, the confirmation screen, a real submission and its receipt, the
server's document errors shown next to their fields with everything typed kept, upload
progress reaching 100%, and the status page of a returned application (replace + resubmit).
Every request to the resumable upload API is blocked (DevTools), as where a proxy or an old
server lacks it: the form must fall back to sending its files in the multipart request.
(tus_browser.py drives the resumable uploads.)

usage: form_browser.py BASE_URL FIXTURES_DIR REVIEWER_TOKEN SCREENSHOT_DIR MAX_FILE_SIZE
(MAX_FILE_SIZE: the server's --max-file-size, which the page must have learnt)
Prints a JSON summary; exits 1 when any check failed."""
import json
import os
import re
import sys
import time

import requests
from browser_support import Page, chromium
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

base, fixtures, reviewer_token, shots = sys.argv[1:5]
max_file_size = int(sys.argv[5])
driver = chromium(blocked_urls=["*/api/v1/uploads*"])
wait = WebDriverWait(driver, 30)
page = Page(driver)
failures, passed, measured = page.failures, page.passed, page.measured
check, by_id, visible, choose, type_into, accessible = page.check, page.by_id, page.visible, page.choose, page.type_into, page.accessible


def screenshot(name):
    # The whole page, not just the window: the form is long.
    driver.execute_script("window.scrollTo(0, 0)")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1200, max(1000, height))
    driver.save_screenshot(os.path.join(shots, name + ".png"))
    driver.set_window_size(1200, 1000)


def text(element_id):
    return by_id(element_id).text.strip()


def attach(slot, path):
    by_id(slot).send_keys(path)


def fill(notification="notice-libreoffice-ja.pdf", permit="開設許可書の写し.png"):
    choose("institution_kind", "workplace_clinic")
    driver.find_element(By.CSS_SELECTOR, '#prefecture_code option[value="13"]').click()
    type_into("institution_name", "株式会社テスト 健康管理室診療所")
    choose("application_kind", "new")
    by_id("terms_agreed").click()
    choose("line_type", "1")
    # Full-width digits, as people type them: the page and the server both normalise them.
    type_into("customer_id", "１２３４５６７８９０")
    type_into("customer_id_confirmation", "1234567890")
    by_id("flets_v6_confirmed").click()
    # As people write it: the page and the server read it as 2027-04.
    type_into("planned_start_month", "2027年4月")
    type_into("secret_number", "4821")
    type_into("secret_number_confirmation", "4821")
    choose("certificate_fee_payment", "invoice")
    type_into("contact_email", "clinic@example.jp")
    if notification:
        attach("opening_notification", os.path.join(fixtures, notification))
    if permit:
        attach("opening_permit", os.path.join(fixtures, permit))


def confirm_and_send():
    by_id("confirm-button").click()
    wait.until(lambda d: visible("screen-confirm"))
    by_id("send-button").click()
    wait.until(lambda d: visible("screen-done") or visible("form-summary"))


def files_selected(slot):
    return driver.execute_script("return document.getElementById(arguments[0]).files.length", slot)


def browser_errors():
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def step(name, function):
    page.step(name, function, screenshot)


application = {}


def client_side_checks():
    driver.get(base + "/")
    wait.until(lambda d: by_id("main").get_attribute("data-upload-mode"))
    check(by_id("main").get_attribute("data-upload-mode") == "multipart", "without the upload API the form falls back to multipart")
    accessible("入力")
    unlabelled = driver.execute_script(
        "return Array.from(document.querySelectorAll('input, select')).filter(e => !e.labels || !e.labels.length).map(e => e.name)")
    check(unlabelled == [], f"every input has a label (unlabelled: {unlabelled})")
    check(not visible("documents-block"), "the document inputs are hidden until 職域診療所 is chosen")
    # Keyboard only: tab to the confirmation button and press Enter on an empty form.
    by_id("contact_email").click()
    for _ in range(10):
        if driver.switch_to.active_element.get_attribute("id") == "confirm-button":
            break
        driver.switch_to.active_element.send_keys(Keys.TAB)
    check(driver.switch_to.active_element.get_attribute("id") == "confirm-button", "the confirmation button is reachable with Tab")
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait.until(lambda d: visible("form-summary"))
    check(driver.switch_to.active_element.get_attribute("id") == "form-summary", "the error summary takes the focus")
    check(text("institution_kind-error") == "選択してください。", "a missing kind (a radio group) says 選択してください")
    check(text("prefecture_code-error") == "選択してください。", "a missing prefecture (a select) says 選択してください")
    check(text("terms_agreed-error") == "利用規約に同意してください。", "the terms must be agreed")
    check(by_id("institution_name").get_attribute("aria-invalid") == "true", "an invalid input is marked aria-invalid")
    accessible("入力（エラー表示）")
    described = by_id("institution_name").get_attribute("aria-describedby").split()
    check("institution_name-error" in described, "the error is tied to its input with aria-describedby")
    screenshot("01-input-errors")

    fill()
    check(visible("documents-block"), "the document inputs appear for a 職域診療所")
    check(not by_id("opening_notification").get_attribute("accept") is None, "the file inputs carry an accept hint")
    deduct = driver.find_element(By.CSS_SELECTOR, 'input[name="certificate_fee_payment"][value="deduct_from_fees"]')
    check(not deduct.is_enabled(), "診療報酬支払額から控除 cannot be chosen by a 職域診療所")
    type_into("secret_number_confirmation", "4822")
    type_into("customer_id_confirmation", "1234567899")
    type_into("planned_test_month", "2027-13")
    by_id("confirm-button").click()
    wait.until(lambda d: text("secret_number_confirmation-error") != "")
    summary = text("form-summary-list")
    check("確認用お客さまID: 確認用の入力が一致しません" in summary and "秘密の番号（確認用）: 確認用の入力が一致しません" in summary,
          f"the error summary names each field ({summary})")
    type_into("customer_id_confirmation", "1234567890")
    check(text("secret_number_confirmation-error") == "確認用の入力が一致しません。同じ値を入力してください。",
          "a mismatching secret number confirmation is caught in the page")
    check("YYYY-MM" in text("planned_test_month-error"), "a month that does not exist is caught in the page")
    check(not visible("screen-confirm"), "an invalid form does not reach the confirmation screen")
    type_into("secret_number_confirmation", "4821")
    type_into("planned_test_month", "")

    # The page knows the server's cap: one byte over it is refused before anything is sent.
    check(int(by_id("main").get_attribute("data-max-file-size")) == max_file_size, "the page carries the server's cap")
    too_big = os.path.join(shots, "one-byte-over.pdf")
    with open(too_big, "wb") as out:
        out.truncate(max_file_size + 1)
    attach("opening_permit", too_big)
    by_id("confirm-button").click()
    wait.until(lambda d: text("opening_permit-error") != "")
    check("上限" in text("opening_permit-error") and not visible("screen-confirm"), "a file over the cap is caught in the page")
    os.remove(too_big)
    attach("opening_permit", os.path.join(fixtures, "開設許可書の写し.png"))


def confirmation_and_receipt():
    by_id("confirm-button").click()
    wait.until(lambda d: visible("screen-confirm"))
    summary = text("confirm-list")
    check("株式会社テスト 健康管理室診療所" in summary and "13 東京都" in summary, "the confirmation screen shows the items")
    check("●●●●" in summary and "4821" not in summary, "the secret number is masked on the confirmation screen")
    check("未定" in summary, "an empty テスト開始予定年月 reads 未定")
    check("2027-04" in summary, "2027年4月 is read as 2027-04")
    check("notice-libreoffice-ja.pdf" in summary and "開設許可書の写し.png" in summary, "the chosen files are listed")
    screenshot("02-confirm")
    accessible("入力項目確認")
    by_id("send-button").click()
    wait.until(lambda d: visible("screen-done") or visible("form-summary"))
    check(visible("screen-done"), f"a valid application reaches the receipt (summary: {text('form-summary') if visible('form-summary') else ''})")
    number = text("receipt-number")
    token = text("access-token")
    check(re.fullmatch(r"\S{6,}", number) is not None, f"the receipt shows a 受付番号 ({number})")
    check(len(token) >= 20, "the receipt shows the access token")
    receipt = text("receipt-list")
    check("CAF 1234567890" in receipt, "the receipt echoes the stored, normalised お客さまID")
    check("4821" not in driver.page_source, "the secret number is nowhere in the page after sending")
    check("1週間" in text("next-steps"), "the receipt says the review can take about a week")
    link = by_id("status-link").get_attribute("href")
    check("/applications/" in link, "the receipt links the status page")
    application.update(id=link.rsplit("/", 1)[1], token=token, receipt=number)
    view = requests.get(f"{base}/api/v1/applications/{application['id']}", headers={"Authorization": f"Bearer {token}"}).json()
    check(view.get("receipt_number") == number and len(view.get("documents", [])) == 2, "the server holds the application and both files")
    screenshot("03-receipt")
    accessible("受付完了")


def keyboard_only():
    """The whole form by keyboard alone: Tab from the top, type into text fields, arrow keys in
    radio groups, Space on checkboxes, typing to choose in selects, Enter on the buttons. (A file
    input is reached with Tab; WebDriver then hands it the path, as the file dialog would.)"""
    driver.get(base + "/")
    wanted = {
        "institution_kind": "workplace_clinic", "prefecture_code": "13", "institution_name": "キーボード診療所",
        "application_kind": "new", "terms_agreed": True, "line_type": "1", "customer_id_type": "CAF",
        "customer_id": "1234567890", "customer_id_confirmation": "1234567890", "flets_v6_confirmed": True,
        "planned_start_month": "2027-05", "secret_number": "1357", "secret_number_confirmation": "1357",
        "certificate_fee_payment": "invoice", "contact_email": "keyboard@example.jp",
        "opening_notification": os.path.join(fixtures, "tiny-reportlab.pdf"),
        "opening_permit": os.path.join(fixtures, "scan-pillow.png"),
    }
    done = set()

    def press(*keys):
        # Keys to whatever has the focus, as a keyboard sends them (not to a chosen element).
        ActionChains(driver).send_keys(*keys).perform()

    press(Keys.TAB)
    for _ in range(120):
        active = driver.switch_to.active_element
        name, kind = active.get_attribute("name"), active.get_attribute("type")
        if active.get_attribute("id") == "confirm-button":
            break
        if name in wanted and name not in done:
            want = wanted[name]
            if kind == "radio":
                for _ in range(8):
                    active = driver.switch_to.active_element
                    if active.get_attribute("value") == want:
                        if not active.is_selected():
                            press(Keys.SPACE)
                        break
                    press(Keys.ARROW_RIGHT)
            elif kind == "checkbox":
                if not active.is_selected():
                    press(Keys.SPACE)
            elif kind == "file":
                active.send_keys(want)  # what the file dialog, opened with Enter, would hand over
            elif active.tag_name == "select":
                label = driver.execute_script(
                    "return Array.from(arguments[0].options).find(o => o.value === arguments[1]).textContent", active, want)
                press(label.split(" ")[0])  # typeahead on the label's start
            else:
                press(want)
            done.add(name)
        press(Keys.TAB)
    missing = sorted(set(wanted) - done)
    check(not missing, f"every field is reached and filled with the keyboard (not reached: {missing})")
    check(driver.switch_to.active_element.get_attribute("id") == "confirm-button", "Tab reaches 入力内容を確認する")
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    wait.until(lambda d: visible("screen-confirm") or visible("form-summary"))
    check(visible("screen-confirm"), f"the keyboard-filled form passes (summary: {text('form-summary') if visible('form-summary') else ''})")
    for _ in range(10):
        if driver.switch_to.active_element.get_attribute("id") == "send-button":
            break
        ActionChains(driver).send_keys(Keys.TAB).perform()
    check(driver.switch_to.active_element.get_attribute("id") == "send-button", "Tab reaches 送信する on the confirmation screen")
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    wait.until(lambda d: visible("screen-done") or visible("form-summary"))
    check(visible("screen-done"), "an application is completed by keyboard alone")


def first_bytes_checked_in_the_page():
    driver.get(base + "/")
    # An executable named .pdf passes the extension hint, but not the Scanner's prefix rule,
    # which the page applies to the file's first bytes before anything is sent.
    fill(notification="invoice.pdf")
    wait.until(lambda d: by_id("opening_notification").get_attribute("data-prefix-check") == "refused")
    error = text("opening_notification-error")
    check(error.startswith("開設届の写し") and "PDF・PNG・Excel" in error, f"the page names a disguised file at once ({error})")
    check(text("opening_permit-error") == "", "a real PNG is not flagged")
    by_id("confirm-button").click()
    check(visible("form-summary") and not visible("screen-confirm"), "a disguised file stops the form before the confirmation screen")
    screenshot("04-page-sniffed-type")
    # A PNG named .pdf is a PNG by its content: the page must not refuse what the server accepts.
    attach("opening_notification", os.path.join(fixtures, "really-a-png.pdf"))
    wait.until(lambda d: by_id("opening_notification").get_attribute("data-prefix-check") == "passed")
    check(text("opening_notification-error") == "" and by_id("opening_notification").get_attribute("aria-invalid") is None,
          "a file of an allowed type clears the page's flag")


def server_errors_next_to_fields():
    driver.get(base + "/")
    # A PDF cut in half has the right first bytes; only the server, reading it all, can refuse it.
    fill(notification="truncated-half.pdf")
    confirm_and_send()
    check(visible("form-summary") and visible("screen-input"), "a refused document brings the input screen back")
    error = text("opening_notification-error")
    check(error.startswith("開設届の写し") and re.search(r"[ぁ-んァ-ン一-龥]", error) is not None,
          f"the server's Japanese message sits next to 開設届の写し ({error})")
    check(text("opening_permit-error") == "", "the other document shows no error")
    check(by_id("institution_name").get_attribute("value") == "株式会社テスト 健康管理室診療所", "typed values are kept")
    check(by_id("secret_number").get_attribute("value") == "4821", "the secret number stays typed")
    check(files_selected("opening_notification") == 1 and files_selected("opening_permit") == 1, "files stay selected")
    screenshot("04-server-error-truncated")

    attach("opening_notification", os.path.join(fixtures, "tiny-reportlab.pdf"))
    attach("opening_permit", os.path.join(fixtures, "macro-libreoffice.xlsm"))
    check("拡張子" in text("opening_permit-note"), "an unexpected extension gets an early hint, not a refusal")
    confirm_and_send()
    error = text("opening_permit-error")
    check(error.startswith("開設許可書の写し") and "マクロ" in error, f"a macro workbook is refused next to 開設許可書の写し ({error})")
    check(text("opening_notification-error") == "", "the fixed document no longer shows an error")
    screenshot("05-server-error-macro")


def progress_reaches_100():
    big = os.path.join(shots, "large-scan.pdf")
    with open(big, "wb") as out:
        payload = os.urandom(8 * 1024 * 1024)
        out.write(b"%PDF-1.4\n1 0 obj\n<< /Length " + str(len(payload)).encode() + b" >>\nstream\n" + payload
                  + b"\nendstream\nendobj\ntrailer\n<< >>\n%%EOF\n")
    driver.get(base + "/")
    fill(notification=None)
    attach("opening_notification", big)
    by_id("confirm-button").click()
    wait.until(lambda d: visible("screen-confirm"))
    # A slow uplink, so that the upload takes long enough to be watched.
    driver.set_network_conditions(offline=False, latency=5, download_throughput=64 * 1024 * 1024,
                                  upload_throughput=4 * 1024 * 1024)
    by_id("send-button").click()
    samples, mid_shot = [], False
    deadline = time.time() + 60
    while time.time() < deadline:
        value, maximum, done = driver.execute_script(
            "const p = document.getElementById('upload-progress');"
            "return [p.value, p.max, !document.getElementById('screen-done').hidden]")
        samples.append((value, maximum))
        if not mid_shot and 0 < value < maximum and maximum > 100:
            screenshot("06-upload-progress")
            mid_shot = True
        if done:
            break
        time.sleep(0.02)
    driver.delete_network_conditions()
    partial = [s for s in samples if s[1] > 100 and 0 < s[0] < s[1]]
    measured["progress_samples"] = len(samples)
    measured["progress_partial_samples"] = len(partial)
    measured["upload_bytes"] = samples[-1][1] if samples else 0
    check(visible("screen-done"), "the large upload is accepted")
    check(len(partial) >= 2, f"the bar moved through intermediate values ({len(partial)} samples between 0 and total)")
    check(samples and samples[-1][1] >= os.path.getsize(big), "the bar's total is the request's byte count")
    check(driver.execute_script("const p = document.getElementById('upload-progress'); return p.value === p.max"),
          "the bar reaches its total")
    progress_text = text("upload-text") if visible("upload") else driver.execute_script("return document.getElementById('upload-text').textContent")
    check("100%" in progress_text, f"the progress text says 100% ({progress_text})")


def returned_application():
    review = f"{base}/api/v1/review/applications/{application['id']}"
    headers = {"Authorization": f"Bearer {reviewer_token}"}
    check(requests.post(review + "/claim", headers=headers).status_code == 200, "the reviewer claims the application")
    decided = requests.post(review + "/decision", headers=headers, json={"decision": "return", "reason": "開設許可書の写しが不鮮明です。"})
    check(decided.status_code == 200, f"the reviewer returns it ({decided.status_code})")

    driver.get(base + "/")
    driver.execute_script("sessionStorage.clear()")
    driver.get(f"{base}/applications/{application['id']}")
    check(not visible("application"), "without a token the status page shows nothing")
    accessible("申請状況の確認（トークン入力）")
    type_into("token", "not-the-token")
    by_id("token-button").click()
    wait.until(lambda d: text("token-error") != "")
    check("見つかりません" in text("token-error"), "a wrong token gets the server's message")
    # The access-link notice's link carries the token in the fragment: it opens the application
    # and leaves the address bar at once.
    driver.get(base + "/")  # from another page: a hash change alone would not load the page again
    driver.get(f"{base}/applications/{application['id']}#token={application['token']}")
    wait.until(lambda d: visible("application"))
    check(driver.execute_script("return location.hash") == "", "the link's token leaves the address bar")
    driver.execute_script("sessionStorage.clear()")
    driver.get(f"{base}/applications/{application['id']}")
    type_into("token", application["token"])
    by_id("token-button").click()
    wait.until(lambda d: visible("application"))
    check(text("status-name") == "差戻し", "the status page shows 差戻し")
    check("不鮮明" in text("return-reason"), "the reviewer's reason is shown")
    check(visible("replace") and visible("resubmit-button"), "a returned application offers replace and resubmit")
    check("2: 払込請求書による振込み" in text("fields"), "the status page shows codes as the receipt does")
    screenshot("07-status-returned")
    accessible("申請状況の確認（差戻し）")

    # Nothing replaced or corrected yet: 再申請する asks first, and 戻る leaves it returned.
    by_id("resubmit-button").click()
    wait.until(lambda d: visible("resubmit-confirm"))
    check(driver.switch_to.active_element.get_attribute("id") == "resubmit-unchanged-button",
          "an unchanged resubmission asks for confirmation, focus on its button")
    by_id("resubmit-cancel-button").click()
    check(not visible("resubmit-confirm") and text("status-name") == "差戻し", "戻る leaves the application returned")

    attach("opening_permit", os.path.join(fixtures, "invoice.pdf"))
    driver.find_element(By.CSS_SELECTOR, '.replace-button[data-slot="opening_permit"]').click()
    wait.until(lambda d: text("opening_permit-error") != "")
    check(text("opening_permit-error").startswith("開設許可書の写し"), "a refused replacement shows the server's message next to its slot")
    # A refused file chosen and 再申請する pressed: it stops with the message, nothing resubmitted.
    by_id("resubmit-button").click()
    wait.until(lambda d: "再申請していません" in text("status-message"))
    check(text("status-name") == "差戻し", "a refused replacement stops the resubmission with a clear message")

    # Field corrections through the page: the form's messages, then a saved correction.
    check(visible("correct"), "a returned application offers 申請内容の修正")
    check(by_id("institution_name").get_attribute("value") == "株式会社テスト 健康管理室診療所", "the form holds the stored values")
    type_into("customer_id", "12345")
    type_into("customer_id_confirmation", "12345")
    by_id("correct-button").click()
    wait.until(lambda d: text("customer_id-error") != "")
    check("10桁" in text("customer_id-error"), f"an invalid correction gets the form's message ({text('customer_id-error')})")
    type_into("customer_id", "1234567890")
    type_into("customer_id_confirmation", "1234567890")
    type_into("institution_name", "株式会社テスト 健康管理室診療所（修正）")
    by_id("correct-button").click()
    wait.until(lambda d: "修正しました" in text("correct-note") or text("institution_name-error") != "")
    check("（修正）" in text("fields"), "the corrected name is shown")
    check("申請内容の修正" in text("history") and "医療機関等名" in text("history"), "the history records 申請内容の修正")

    # Documents keep their slot order after a replacement (開設届の写し first, whichever is newer).
    attach("opening_notification", os.path.join(fixtures, "tiny-reportlab.pdf"))
    driver.find_element(By.CSS_SELECTOR, '.replace-button[data-slot="opening_notification"]').click()
    wait.until(lambda d: "差し替えました" in text("opening_notification-note") or text("opening_notification-error") != "")
    rows = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "#documents tr")]
    check(len(rows) == 2 and rows[0].startswith("開設届の写し") and rows[1].startswith("開設許可書の写し"),
          f"documents keep their slot order after a replacement ({rows})")

    # A file chosen but 差し替える not pressed: 再申請する sends it first.
    attach("opening_permit", os.path.join(fixtures, "scan-pillow.png"))
    by_id("resubmit-button").click()
    wait.until(lambda d: text("status-name") == "受付" or text("opening_permit-error") != "")
    check("再申請しました" in text("status-message"), "the resubmission is confirmed")
    check("scan-pillow.png" in text("documents"), "the file chosen without 差し替える was sent with the resubmission")
    check(not visible("replace") and not visible("correct"), "a resubmitted application offers no more replacing or correcting")
    history = text("history")
    check(all(label in history for label in ("受付", "審査開始", "差戻し", "書類の差し替え", "再申請")), f"the history reads in Japanese ({history})")
    check(not re.search(r"reviewer|browser-check|download|claim|resubmit", history), "the history shows nothing internal")
    screenshot("08-status-resubmitted")
    accessible("申請状況の確認（再申請後）")
    view = requests.get(f"{base}/api/v1/applications/{application['id']}", headers={"Authorization": f"Bearer {application['token']}"}).json()
    events = [entry["event"] for entry in view.get("history", [])]
    check(view.get("status") == "submitted" and events[-2:] == ["document_replaced", "resubmitted"], f"the server recorded it ({events})")

try:
    step("client_side_checks", client_side_checks)
    step("confirmation_and_receipt", confirmation_and_receipt)
    step("keyboard_only", keyboard_only)
    step("first_bytes_checked_in_the_page", first_bytes_checked_in_the_page)
    step("server_errors_next_to_fields", server_errors_next_to_fields)
    step("progress_reaches_100", progress_reaches_100)
    if application:
        step("returned_application", returned_application)
    else:
        failures.append("returned_application: skipped, no application was submitted")
    icon = requests.get(base + "/favicon.ico")
    check(icon.status_code == 200 and icon.headers.get("content-type") == "image/svg+xml", "the site has a favicon")
    # The blocked upload API is Chromium's console line, not the page's error.
    severe = [m for m in browser_errors() if "the server responded with a status of 4" not in m and "ERR_BLOCKED_BY_CLIENT" not in m]
    check(severe == [], f"no script errors or CSP violations in the console ({severe})")
finally:
    driver.quit()

print(json.dumps({"passed": len(passed), "failures": failures, "screenshots": shots, "measured": measured}, ensure_ascii=False))
sys.exit(1 if failures else 0)

#!/usr/bin/env python3
"""The form's resumable uploads (tus.js) in headless Chromium against a running DocIntake server:
(a) a 24 MiB file sent over a throttled line that is cut mid-upload (DevTools offline), which waits,
resumes from the server's offset once back online and is used by 送信; (b) a reload mid-upload,
after which the same file resumes; 送信 pressed while a file is still uploading, which waits;
(c) a disguised file refused at its first PATCH, with the server's message at its field; (d) on the
status page of a returned application, a replacement sent by tus over a line that is cut. Bytes
re-sent are measured on the server (docintake_upload_bytes_received_total), never taken from
the page.

usage: tus_browser.py BASE_URL METRICS_URL FIXTURES_DIR SCREENSHOT_DIR REVIEWER_TOKEN
Prints a JSON summary; exits 1 when any check failed."""
import hashlib
import json
import os
import re
import sys
import time

import requests
from browser_support import Page, chromium
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

base, metrics_url, fixtures, shots, reviewer_token = sys.argv[1:6]
# The application (a) sends: (d) has it returned and replaces a document.
application = {}
MiB = 1024 * 1024
# A clinic's uplink, slowed so that a cut lands mid-upload: 2 MiB/s.
SLOW_LINE = dict(latency=5, download_throughput=64 * MiB, upload_throughput=2 * MiB)


driver = chromium()
wait = WebDriverWait(driver, 60)
page = Page(driver)
failures, passed, measured = page.failures, page.passed, page.measured
check, by_id, visible, choose, type_into, accessible = page.check, page.by_id, page.visible, page.choose, page.type_into, page.accessible


def text(element_id):
    return driver.execute_script("return document.getElementById(arguments[0]).textContent.trim()", element_id)


def state(slot):
    return driver.execute_script("return document.getElementById(arguments[0] + '-upload').dataset.state || ''", slot)


def sent(slot):
    return driver.execute_script("return document.getElementById(arguments[0] + '-progress').value", slot)


def resumed(slot):
    """Where the page last continued the slot's upload from the server's offset (None: it never did)."""
    value = driver.execute_script("return document.getElementById(arguments[0] + '-upload').dataset.resumedFrom", slot)
    return int(value) if value is not None else None


def screenshot(name):
    driver.save_screenshot(os.path.join(shots, name + ".png"))


def bytes_received():
    """What the servers' upload routes have read so far, from their own counters (METRICS_URL may
    name several, comma-separated: the servers behind a balancer)."""
    total = 0
    for url in metrics_url.split(","):
        found = re.findall(r"^docintake_upload_bytes_received_total(?:\{[^}]*\})? (\S+)$", requests.get(url).text, re.M)
        total += sum(int(float(value)) for value in found)
    return total


def stored_uploads():
    """Everything the page keeps in localStorage, as [key, upload URL or the raw value]."""
    pairs = driver.execute_script("return Object.keys(localStorage).map(k => [k, localStorage.getItem(k)])")
    return [[key, json.loads(value).get("url") if value.startswith("{") else value] for key, value in pairs]


def server_offset(url):
    return requests.get(base + url).json()["offset"]


def settled_offset(url, timeout=30):
    """The server's offset once the request a reload cut off has stored what arrived: behind the
    balancer that includes its segment's PUT to the bucket, so right after the cut it may still
    read 0 (seen once in CI). Settled: above 0 and the same over half a second."""
    deadline = time.time() + timeout
    last = server_offset(url)
    while time.time() < deadline:
        time.sleep(0.5)
        now = server_offset(url)
        if now == last and now > 0:
            return now
        last = now
    return last


def pdf_file(name, size):
    """A PDF of `size` bytes whose stream is random, so that its hash is the file's alone."""
    path = os.path.join(shots, name)
    head = b"%PDF-1.4\n1 0 obj\n<< /Length " + str(size).encode() + b" >>\nstream\n"
    tail = b"\nendstream\nendobj\ntrailer\n<< >>\n%%EOF\n"
    with open(path, "wb") as out:
        out.write(head + os.urandom(size - len(head) - len(tail)) + tail)
    return path


def open_form():
    try:
        driver.delete_network_conditions()
    except Exception:  # none were set
        pass
    driver.get(base + "/")
    wait.until(lambda d: by_id("main").get_attribute("data-upload-mode"))
    check(by_id("main").get_attribute("data-upload-mode") == "tus", "the page finds tus 1.0.0 on the server")
    choose("institution_kind", "workplace_clinic")


def fill_the_rest():
    driver.find_element(By.CSS_SELECTOR, '#prefecture_code option[value="13"]').click()
    type_into("institution_name", "再開テスト診療所")
    choose("application_kind", "new")
    by_id("terms_agreed").click()
    choose("line_type", "2")
    by_id("flets_v6_confirmed").click()
    type_into("planned_start_month", "2027-04")
    type_into("secret_number", "4821")
    type_into("secret_number_confirmation", "4821")
    choose("certificate_fee_payment", "invoice")
    type_into("contact_email", "clinic@example.jp")


def cut_and_resume():
    """(a) The line drops mid-upload; the page waits, resumes from the server's offset, and 送信 uses the upload."""
    # Three PATCHes: Chromium's offline emulation fails the requests that start while it is on
    # and lets one already under way finish, so the cut must come before the last one starts.
    big = pdf_file("cut-scan.pdf", 24 * MiB)
    size = os.path.getsize(big)
    open_form()
    driver.set_network_conditions(offline=False, **SLOW_LINE)
    before = bytes_received()
    by_id("opening_notification").send_keys(big)
    wait.until(lambda d: sent("opening_notification") > MiB)
    check(visible("opening_notification-upload"), "the chosen file's progress bar shows")
    check(re.match(r"送信中 \d+%", text("opening_notification-upload-status")) is not None,
          f"the status says 送信中 n% ({text('opening_notification-upload-status')})")
    driver.set_network_conditions(offline=True, **SLOW_LINE)
    wait.until(lambda d: state("opening_notification") in ("waiting", "done", "failed"))
    status = text("opening_notification-upload-status")
    check(status.startswith("接続が切れました。再接続を待っています"), f"the page says it is waiting for the line ({status})")
    screenshot("tus-01-waiting")
    accessible("入力（再接続待ち）")
    time.sleep(3)  # offline a while: the page's own retries fail meanwhile
    urls = [url for key, url in stored_uploads() if key.startswith("docintake-upload:")]
    check(len(urls) == 1 and re.fullmatch(r"/api/v1/uploads/[A-Za-z0-9_-]{43}", urls[0] or "") is not None,
          f"the upload URL is kept for a resume ({urls})")
    offset_at_cut = settled_offset(urls[0]) if urls else 0
    measured["cut_offset"] = offset_at_cut
    check(0 < offset_at_cut < size, f"the server holds part of the file at the cut ({offset_at_cut} of {size})")
    check(state("opening_notification") == "waiting", "the page still waits while offline")
    measured["cut_page_progress"] = sent("opening_notification")
    driver.set_network_conditions(offline=False, **SLOW_LINE)
    wait.until(lambda d: state("opening_notification") in ("done", "failed"))
    check(text("opening_notification-upload-status").startswith("アップロード完了"),
          f"the upload completes after the line returns ({text('opening_notification-upload-status')})")
    resumed_from = resumed("opening_notification")
    check(resumed_from == offset_at_cut, f"the page continued from the server's offset ({resumed_from}, server {offset_at_cut})")
    received = bytes_received() - before
    measured["cut_bytes_received"] = received
    check(size <= received < size + offset_at_cut,
          f"only what the server lacked was sent again ({received} bytes received for a {size}-byte file cut at {offset_at_cut})")
    screenshot("tus-02-done")
    driver.delete_network_conditions()

    fill_the_rest()
    by_id("opening_permit").send_keys(os.path.join(fixtures, "開設許可書の写し.png"))
    wait.until(lambda d: state("opening_permit") == "done")
    by_id("confirm-button").click()
    wait.until(lambda d: visible("screen-confirm"))
    check("アップロード完了" in text("confirm-list"), "the confirmation screen says the files are uploaded")
    before_send = bytes_received()
    by_id("send-button").click()
    wait.until(lambda d: visible("screen-done") or visible("form-summary"))
    check(visible("screen-done"), f"送信 gets 受付 ({text('form-summary') if visible('form-summary') else ''})")
    measured["send_bytes_received"] = bytes_received() - before_send
    check(measured["send_bytes_received"] < 64 * 1024, f"送信 names the uploads instead of sending the files again ({measured})")
    link = by_id("status-link").get_attribute("href")
    application.update(id=link.rsplit("/", 1)[1], token=text("access-token"))
    view = requests.get(f"{base}/api/v1/applications/{application['id']}",
                        headers={"Authorization": f"Bearer {application['token']}"}).json()
    stored = {document["slot"]: document for document in view.get("documents", [])}
    with open(big, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    check(stored.get("opening_notification", {}).get("sha256") == digest, "the stored document's SHA-256 is the file's")
    check(stored.get("opening_notification", {}).get("filename") == "cut-scan.pdf", "the stored document keeps its name")
    check(stored_uploads() == [], f"nothing is left in localStorage once the application is accepted ({stored_uploads()})")
    os.remove(big)


def reload_and_resume():
    """(b) A reload mid-upload: choosing the same file again continues where the server stands."""
    big = pdf_file("reload-scan.pdf", 10 * MiB)
    size = os.path.getsize(big)
    open_form()
    driver.set_network_conditions(offline=False, **SLOW_LINE)
    before = bytes_received()
    by_id("opening_permit").send_keys(big)
    wait.until(lambda d: sent("opening_permit") > 3 * MiB)
    type_into("secret_number", "4821")
    driver.refresh()
    wait.until(lambda d: by_id("main").get_attribute("data-upload-mode"))
    kept = stored_uploads()
    check(len(kept) == 1 and kept[0][1].startswith("/api/v1/uploads/"), f"only the upload URL is kept across the reload ({kept})")
    raw = driver.execute_script("return JSON.stringify(localStorage)")
    check("4821" not in raw and "再開テスト" not in raw, "the secret number and the form's values are never kept in localStorage")
    offset_at_reload = settled_offset(kept[0][1]) if kept else 0
    measured["reload_offset"] = offset_at_reload
    check(offset_at_reload > 0, f"the server kept the bytes sent before the reload ({offset_at_reload})")
    choose("institution_kind", "workplace_clinic")
    by_id("opening_permit").send_keys(big)
    wait.until(lambda d: state("opening_permit") in ("done", "failed"))
    resumed_from = resumed("opening_permit")
    check(resumed_from == offset_at_reload, f"the page continued from the server's offset ({resumed_from}, server {offset_at_reload})")
    check(state("opening_permit") == "done", f"the resumed upload completes ({text('opening_permit-upload-status')})")
    received = bytes_received() - before
    measured["reload_bytes_received"] = received
    check(size <= received < size + offset_at_reload,
          f"the resume did not start from 0 ({received} bytes received for a {size}-byte file, {offset_at_reload} before the reload)")
    driver.delete_network_conditions()
    # Another file chosen: the finished upload is abandoned on the server and forgotten here.
    url = stored_uploads()[0][1] if stored_uploads() else ""
    by_id("opening_permit").send_keys(os.path.join(fixtures, "開設許可書の写し.png"))
    wait.until(lambda d: state("opening_permit") == "done")
    check(bool(url), "the finished upload's URL was kept until another file was chosen")
    deadline = time.time() + 10
    while url and requests.get(base + url).status_code != 404 and time.time() < deadline:
        time.sleep(0.2)
    check(bool(url) and requests.get(base + url).status_code == 404, "choosing another file deletes the previous upload")
    check(all(value != url for _, value in stored_uploads()), "and forgets its URL")
    # An upload URL whose upload has expired on the server is dropped at the next visit.
    driver.execute_script("""localStorage.setItem('docintake-upload:["opening_permit","old.pdf",1,1]',
        JSON.stringify({url: "/api/v1/uploads/" + "A".repeat(43), expires: new Date(Date.now() - 1000).toUTCString()}))""")
    driver.refresh()
    wait.until(lambda d: by_id("main").get_attribute("data-upload-mode"))
    check(all("old.pdf" not in key for key, _ in stored_uploads()), f"an expired upload's URL is forgotten ({stored_uploads()})")
    os.remove(big)


def send_while_uploading():
    """送信 pressed while a file is still on its way: the page says it waits, then sends by itself."""
    big = pdf_file("still-uploading.pdf", 10 * MiB)
    open_form()
    fill_the_rest()
    by_id("opening_permit").send_keys(os.path.join(fixtures, "開設許可書の写し.png"))
    wait.until(lambda d: state("opening_permit") == "done")
    driver.set_network_conditions(offline=False, **SLOW_LINE)
    by_id("opening_notification").send_keys(big)
    wait.until(lambda d: sent("opening_notification") > 0)
    by_id("confirm-button").click()
    wait.until(lambda d: visible("screen-confirm"))
    check("アップロード中" in text("confirm-list"), "the confirmation screen says a file is still uploading")
    by_id("send-button").click()
    waiting = text("upload-text")
    check("アップロードが終わるのを待っています" in waiting and by_id("send-button").get_attribute("disabled") is not None,
          f"送信 says it waits for the upload ({waiting})")
    accessible("入力項目確認（アップロード待ち）")
    wait.until(lambda d: visible("screen-done") or visible("form-summary"))
    check(visible("screen-done"), "the application is sent once the upload is done")
    driver.delete_network_conditions()
    link = by_id("status-link").get_attribute("href")
    view = requests.get(f"{base}/api/v1/applications/{link.rsplit('/', 1)[1]}",
                        headers={"Authorization": f"Bearer {text('access-token')}"}).json()
    with open(big, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    stored = {document["slot"]: document.get("sha256") for document in view.get("documents", [])}
    check(stored.get("opening_notification") == digest, "the document sent while 送信 waited is stored whole")
    os.remove(big)


def disguised_file_refused():
    """(c) A program named .pdf, which the page's own early check would catch, is sent anyway here
    (the check's rule is removed from the page) and refused by the server at its first PATCH."""
    disguised = os.path.join(shots, "disguised.pdf")
    with open(disguised, "wb") as out:
        out.write(b"\x7fELF\x02\x01\x01\x00" + bytes(8) + os.urandom(12 * MiB - 16))
    open_form()
    driver.execute_script("delete document.getElementById('main').dataset.prefixRule")
    before = bytes_received()
    by_id("opening_notification").send_keys(disguised)
    wait.until(lambda d: state("opening_notification") in ("done", "failed"))
    error = text("opening_notification-error")
    check(state("opening_notification") == "failed", "the disguised file's upload stops")
    check(error.startswith("開設届の写し") and re.search(r"PDF・PNG・Excel", error) is not None,
          f"the server's Japanese message is at the field ({error})")
    check(by_id("opening_notification").get_attribute("aria-invalid") == "true", "the field is marked invalid")
    received = bytes_received() - before
    measured["disguised_bytes_received"] = received
    check(received <= 8 * MiB, f"nothing after the first PATCH was sent ({received} bytes received of {12 * MiB})")
    kept = [key for key, _ in stored_uploads() if "disguised.pdf" in key]
    check(kept == [], f"a refused upload is not kept for a resume ({kept})")
    screenshot("tus-03-refused")
    accessible("入力（アップロード拒否）")
    fill_the_rest()
    by_id("confirm-button").click()
    check(visible("form-summary") and not visible("screen-confirm"), "a refused upload stops the form before the confirmation screen")
    os.remove(disguised)


def replacement_resumes():
    """(d) The reviewer returns (a)'s application; on its status page a new 開設許可書の写し is sent by
    tus, the line is cut during its first PATCH, and the replacement completes once it is back."""
    review = f"{base}/api/v1/review/applications/{application['id']}"
    headers = {"Authorization": f"Bearer {reviewer_token}"}
    check(requests.post(review + "/claim", headers=headers).status_code == 200, "the reviewer claims the application")
    decided = requests.post(review + "/decision", headers=headers, json={"decision": "return", "reason": "開設許可書の写しが不鮮明です。"})
    check(decided.status_code == 200, f"the reviewer returns it ({decided.status_code})")
    # Two PATCHes (8 + 2 MiB): the cut lands in the first, which Chromium lets finish, and fails the second.
    replacement = pdf_file("permit-rescan.pdf", 10 * MiB)
    size = os.path.getsize(replacement)
    driver.delete_network_conditions()
    driver.get(base + "/")
    driver.get(f"{base}/applications/{application['id']}#token={application['token']}")
    wait.until(lambda d: visible("replace"))
    driver.set_network_conditions(offline=False, **SLOW_LINE)
    before = bytes_received()
    by_id("opening_permit").send_keys(replacement)
    driver.find_element(By.CSS_SELECTOR, '.replace-button[data-slot="opening_permit"]').click()
    wait.until(lambda d: driver.execute_script("return document.getElementById('upload-progress').value") > MiB)
    check(by_id("main").get_attribute("data-upload-mode") == "tus", "the status page sends the replacement by tus")
    driver.set_network_conditions(offline=True, **SLOW_LINE)
    wait.until(lambda d: text("upload-text").startswith("接続が切れました") or text("opening_permit-note") or text("opening_permit-error"))
    check(text("upload-text").startswith("接続が切れました。再接続を待っています"), f"the page says it waits for the line ({text('upload-text')})")
    screenshot("tus-04-replacement-waiting")
    accessible("申請状況の確認（再接続待ち）")
    time.sleep(3)
    driver.set_network_conditions(offline=False, **SLOW_LINE)
    wait.until(lambda d: "差し替えました" in text("opening_permit-note") or text("opening_permit-error") != "")
    check("差し替えました: permit-rescan.pdf" in text("opening_permit-note"), f"the replacement is confirmed ({text('opening_permit-note')})")
    resumed_from = driver.execute_script("return document.getElementById('upload').dataset.resumedFrom")
    measured["replacement_resumed_from"] = int(resumed_from or 0)
    check(resumed_from is not None and 0 < int(resumed_from) < size, f"the replacement continued from the server's offset ({resumed_from})")
    received = bytes_received() - before
    check(size <= received < size + int(resumed_from or 0), f"only what the server lacked was sent again ({received} bytes for {size})")
    driver.delete_network_conditions()
    view = requests.get(f"{base}/api/v1/applications/{application['id']}", headers={"Authorization": f"Bearer {application['token']}"}).json()
    with open(replacement, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    current = {document["slot"]: document for document in view.get("documents", [])}
    check(current.get("opening_permit", {}).get("sha256") == digest, "the replacement is stored whole, as the current 開設許可書の写し")
    check(view.get("history", [{}])[-1].get("event") == "document_replaced", "the server recorded the replacement")
    check(stored_uploads() == [], f"the used upload is not kept in localStorage ({stored_uploads()})")
    os.remove(replacement)


def step(name, function):
    page.step(name, function, screenshot)


try:
    step("cut_and_resume", cut_and_resume)
    step("reload_and_resume", reload_and_resume)
    step("send_while_uploading", send_while_uploading)
    step("disguised_file_refused", disguised_file_refused)
    step("replacement_resumes", replacement_resumes)
    severe = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    # Failed requests while offline, the refusal and the abandoned upload's 404 are logged by Chromium, not by the page.
    unexpected = [m for m in severe if not re.search(r"ERR_INTERNET_DISCONNECTED|status of 4\d\d|net::ERR_", m)]
    check(unexpected == [], f"no script errors or CSP violations in the console ({unexpected})")
finally:
    driver.quit()

print(json.dumps({"passed": len(passed), "failures": failures, "measured": measured}, ensure_ascii=False))
sys.exit(1 if failures else 0)

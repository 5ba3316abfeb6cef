#!/usr/bin/env python3
"""Checks a running DocIntake server against openapi.yaml. Each call states the status it must
get (and, for a problem, its `code`); the status must also be documented for the operation, the
content type must match, the JSON body must validate against the documented schema (date-time
formats included), and every documented header must be present when `required` and match its
schema. Every operation in the document must be exercised, and the statuses a client cannot
cause by accident (408, 413, 415, 503, 507) are caused on purpose.

usage: openapi_check.py OPENAPI_YAML BASE_URL REVIEWER_TOKEN FIXTURES_DIR DATA_DIR FULL_MARKER [METRICS_BASE_URL]
The server must run with a 3 s idle timeout, one upload at a time, and report SQLITE_FULL at
COMMIT while the file FULL_MARKER exists; /metrics may have a listener of its own. Prints a JSON
summary; exits 1 when anything does not conform."""
import base64
import hashlib
import http.client
import json
import os
import re
import socket
import sys
import time

import jsonschema
import referencing
import requests
import yaml

spec_path, base, reviewer_token, fixtures, data_dir, full_marker = sys.argv[1:7]
metrics_base = sys.argv[7] if len(sys.argv) > 7 else base  # /metrics has a listener of its own
spec = yaml.safe_load(open(spec_path))
registry = referencing.Registry().with_resource("urn:openapi", referencing.Resource.from_contents(
    spec, default_specification=referencing.jsonschema.DRAFT202012))
failures, exercised, statuses, checked = [], set(), set(), 0
formats = jsonschema.FormatChecker()
# Without rfc3339-validator, jsonschema skips `date-time` silently: a wrong timestamp would pass.
if "date-time" not in formats.checkers:
    failures.append("jsonschema cannot check date-time formats: install rfc3339-validator")


class Answer:
    """One response, from requests or read off a raw socket."""

    def __init__(self, method, path, status, headers, body):
        self.method, self.path, self.status = method, path.split("?")[0], status
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body

    @classmethod
    def of(cls, response):
        return cls(response.request.method, response.request.path_url, response.status_code, response.headers, response.content)

    def json(self):
        return json.loads(self.body)


def operation_for(method, path):
    for template, item in spec["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return template, item[method.lower()]
    return None, None


def resolve(obj):
    while isinstance(obj, dict) and "$ref" in obj:
        node = spec
        for part in obj["$ref"].lstrip("#/").split("/"):
            node = node[part]
        obj = node
    return obj


def validation_error(schema, instance):
    wrapped = {"$id": "urn:check", "$schema": "https://json-schema.org/draft/2020-12/schema",
               **json.loads(json.dumps(schema).replace('"#/', '"urn:openapi#/'))}
    try:
        jsonschema.Draft202012Validator(wrapped, registry=registry, format_checker=formats).validate(instance)
    except jsonschema.ValidationError as error:
        return f"{error.message} at {list(error.absolute_path)}"
    return None


def check(response, label, expect, code=None):
    """`expect`: the one status this call must get; `code`: the problem's machine code."""
    global checked
    checked += 1
    answer = response if isinstance(response, Answer) else Answer.of(response)
    if answer.status != expect:
        failures.append(f"{label}: expected {expect}, got {answer.status} (body: {answer.body[:200]!r})")
    template, operation = operation_for(answer.method, answer.path)
    if operation is None:
        failures.append(f"{label}: {answer.method} {answer.path} is not in the document")
        return answer
    exercised.add((answer.method.lower(), template))
    statuses.add(answer.status)
    entry = operation.get("responses", {}).get(str(answer.status))
    if entry is None:
        failures.append(f"{label}: status {answer.status} is not documented for {template} (body: {answer.body[:200]!r})")
        return answer
    entry = resolve(entry)
    for name, header in entry.get("headers", {}).items():
        header = resolve(header)
        value = answer.headers.get(name.lower())
        if value is None:
            if header.get("required"):
                failures.append(f"{label}: the documented header {name} is missing")
            continue
        schema = header.get("schema", {})
        instance = int(value) if schema.get("type") == "integer" and re.fullmatch(r"-?[0-9]+", value) else value
        if (error := validation_error(schema, instance)) is not None:
            failures.append(f"{label}: header {name}: {error}")
    content = entry.get("content", {})
    media = answer.headers.get("content-type", "").split(";")[0].strip()
    if content and media not in content:
        failures.append(f"{label}: content type {media!r} is not documented ({list(content)})")
        return answer
    if not content and answer.body:
        failures.append(f"{label}: a body where the document describes none")
    schema = content.get(media, {}).get("schema")
    if schema is not None and "json" in media:
        try:
            body = answer.json()
        except ValueError:
            failures.append(f"{label}: {media} body is not JSON: {answer.body[:200]!r}")
            return answer
        if (error := validation_error(schema, body)) is not None:
            failures.append(f"{label}: body does not match the schema: {error}")
        if code is not None and body.get("code") != code:
            failures.append(f"{label}: expected code {code!r}, got {body.get('code')!r}")
    elif code is not None:
        failures.append(f"{label}: expected a problem with code {code!r}, got {media!r}")
    return answer


fields = {
    "institution_kind": "workplace_clinic", "prefecture_code": "13", "institution_name": "OpenAPI 検証診療所",
    "application_kind": "new", "terms_agreed": "on", "line_type": "1", "customer_id_type": "CAF",
    "customer_id": "1234567890", "customer_id_confirmation": "1234567890", "flets_v6_confirmed": "on",
    "planned_start_month": "2027-04", "secret_number": "1234", "secret_number_confirmation": "1234",
    "certificate_fee_payment": "invoice", "contact_email": "clinic@example.jp",
}
api = base + "/api/v1"
review = api + "/review/applications"
rev = {"Authorization": f"Bearer {reviewer_token}"}


def files(notification="notice-libreoffice-ja.pdf"):
    return {"opening_notification": (notification, open(f"{fixtures}/{notification}", "rb")),
            "opening_permit": ("開設許可書の写し.png", open(f"{fixtures}/開設許可書の写し.png", "rb"))}


def sha256_of(answer):
    return hashlib.sha256(answer.body).digest()


def semantic(label, condition, what):
    """What the document says in words rather than in a schema."""
    global checked
    checked += 1
    if not condition:
        failures.append(f"{label}: {what}")


check(requests.get(base + "/healthz"), "healthz", 200)
ready = check(requests.get(base + "/readyz"), "readyz", 200)
semantic("readyz", ready.json().get("checks") == {"database": "ok", "blob_store": "ok"},
         "without --clamd, readiness is the database's and the blob store's")
check(requests.get(metrics_base + "/metrics"), "metrics", 200)
check(requests.get(base + "/"), "web form", 200)
check(requests.get(base + "/applications/any-id"), "web status page", 200)
stylesheet = check(requests.get(base + "/assets/form.css"), "web asset", 200)
check(requests.get(base + "/assets/form.css", headers={"If-None-Match": stylesheet.headers.get("etag", "")}), "web asset revalidated", 304)
check(requests.get(base + "/assets/missing.js"), "missing web asset", 404, "not_found")
check(requests.get(base + "/favicon.ico"), "favicon", 200)
created = check(requests.post(api + "/applications", data=fields, files=files()), "submit", 201)
app_id, token = created.json()["id"], created.json()["access_token"]
semantic("submit", created.headers.get("location") == f"/api/v1/applications/{app_id}", "Location does not name the new application")
app = {"Authorization": f"Bearer {token}"}
check(requests.post(api + "/applications", data={**fields, "prefecture_code": "99"}, files=files()), "invalid form", 422, "validation_failed")
check(requests.post(api + "/applications", data=fields, files=files("invoice.pdf")), "ELF document", 415, "type_not_allowed")
check(requests.post(api + "/applications", json={}), "not multipart", 415, "not_multipart")
check(requests.post(api + "/applications", data=b"--x\r\nbroken", headers={"Content-Type": "multipart/form-data; boundary=x"}),
      "malformed", 400, "malformed_multipart")
mine = check(requests.get(f"{api}/applications/{app_id}", headers=app), "applicant view", 200)
semantic("applicant view", mine.json().get("id") == app_id, "the applicant view is of another application")
check(requests.get(f"{api}/applications/{app_id}", headers={"Authorization": "Bearer dia_wrong"}), "wrong applicant token", 404, "not_found")
check(requests.get(f"{api}/applications/{app_id}"), "applicant view without token", 404, "not_found")
check(requests.put(f"{api}/applications/{app_id}/documents/opening_permit", headers=app,
                   files={"opening_permit": ("p.png", open(f"{fixtures}/scan-pillow.png", "rb"))}), "replace while submitted", 409, "status_conflict")
check(requests.post(f"{api}/applications/{app_id}/resubmit", headers=app), "resubmit while submitted", 409, "status_conflict")
check(requests.get(review, headers=rev), "review list", 200)
check(requests.get(review + "?status=nonsense", headers=rev), "review list bad status", 400, "invalid_status")
check(requests.get(review + "?limit=201", headers=rev), "review list limit over the maximum", 400, "invalid_limit")
check(requests.get(review), "review list without token", 401, "unauthorized")
check(requests.get(review, headers=app), "review list with applicant token", 403, "forbidden")
check(requests.get(f"{review}/{app_id}", headers=rev), "review detail", 200)
check(requests.get(f"{review}/no-such-id", headers=rev), "review detail unknown", 404, "not_found")
whole = check(requests.get(f"{review}/{app_id}/documents/opening_permit", headers=rev), "download", 200)
digest = sha256_of(whole)
semantic("download", whole.headers.get("repr-digest") == f"sha-256=:{base64.b64encode(digest).decode()}:",
         "Repr-Digest is not the SHA-256 of the document")
semantic("download", whole.headers.get("etag") == f'"{digest.hex()}"', "ETag is not the SHA-256 of the document in quotes")
ranged = check(requests.get(f"{review}/{app_id}/documents/opening_permit", headers={**rev, "Range": "bytes=100-"}), "ranged download", 206)
semantic("ranged download", ranged.body == whole.body[100:] and ranged.headers.get("repr-digest") == whole.headers.get("repr-digest"),
         "a resumed download is not the rest of the whole document, or its Repr-Digest is not the whole document's")
check(requests.get(f"{review}/{app_id}/documents/opening_permit", headers={**rev, "Range": "bytes=99999999-"}),
      "unsatisfiable range", 416, "range_not_satisfiable")
check(requests.post(f"{review}/{app_id}/claim", headers=rev), "claim", 200)
check(requests.post(f"{review}/{app_id}/claim", headers=rev), "claim twice", 409, "status_conflict")
check(requests.post(f"{review}/{app_id}/decision", headers=rev, json={"decision": "return"}), "return without reason", 422, "validation_failed")
check(requests.post(f"{review}/{app_id}/decision", headers=rev, json={"decision": "return", "reason": "開設許可書が不鮮明です"}), "return", 200)
check(requests.put(f"{api}/applications/{app_id}/documents/opening_permit", headers=app,
                   files={"opening_permit": ("p.png", open(f"{fixtures}/scan-pillow.png", "rb"))}), "replace while returned", 200)
check(requests.patch(f"{api}/applications/{app_id}", headers=app, json={"planned_test_month": "2027-13"}),
      "invalid correction", 422, "validation_failed")
check(requests.patch(f"{api}/applications/{app_id}", headers=app, json={"planned_test_month": "2027-06"}), "correction", 200)
check(requests.post(f"{api}/applications/{app_id}/resubmit", headers=app), "resubmit", 200)
check(requests.patch(f"{api}/applications/{app_id}", headers=app, json={"institution_name": "x"}),
      "correction while submitted", 409, "status_conflict")
receipt_number = created.json()["receipt_number"]
check(requests.get(review, headers=rev, params={"receipt_number": receipt_number}), "review list by 受付番号", 200)
check(requests.get(f"{review}/{receipt_number}", headers=rev), "review detail by 受付番号", 200)


# The statuses of limits, on raw sockets: a declared length the server refuses unread, a body that
# goes silent, and an upload past the cap on concurrent uploads (one, for this server).
BOUNDARY = "openapi-check"
STALLED_BODY = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"opening_notification\"; filename=\"n.pdf\"\r\n"
                "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n").encode()
host, port = base.removeprefix("http://").split(":")


def raw_upload(length, body=b""):
    """Sends a multipart request head declaring `length` and the start of its body; returns the socket."""
    sock = socket.create_connection((host, int(port)), timeout=30)
    sock.sendall((f"POST /api/v1/applications HTTP/1.1\r\nHost: {host}\r\nContent-Length: {length}\r\n"
                  f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n\r\n").encode() + body)
    return sock


def answer_of(sock):
    response = http.client.HTTPResponse(sock, method="POST")
    response.begin()
    body = response.read()
    sock.close()
    return Answer("POST", "/api/v1/applications", response.status, dict(response.getheaders()), body)


def staged_files():
    return os.listdir(os.path.join(data_dir, "tmp"))


def wait_for(condition, what, seconds=20):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            failures.append(f"timed out waiting for {what}")
            return False
        time.sleep(0.02)
    return True


# The per-document cap, as the server renders it into its form.
cap = int(re.search(r'data-max-file-size="([0-9]+)"', requests.get(base + "/").text).group(1))
check(answer_of(raw_upload(2 * cap + 2 * 1024 * 1024)), "declared length over the cap", 413, "request_too_large")
holder = raw_upload(1024 * 1024, STALLED_BODY)
# The held upload has its place once its document is being staged.
if wait_for(lambda: len(staged_files()) > 0, "the held upload's temp file"):
    check(answer_of(raw_upload(1024 * 1024, STALLED_BODY)), "one upload more than the cap", 503, "too_many_uploads")
check(answer_of(holder), "a body that goes silent", 408, "upload_stalled")
wait_for(lambda: not staged_files(), "the stalled upload's temp file to be removed")

# Resumable uploads (tus 1.0): create, append, the verdict, terminate, and the refusals.
tus = {"Tus-Resumable": "1.0.0"}
octets = {**tus, "Content-Type": "application/offset+octet-stream"}
pdf = open(f"{fixtures}/tiny-reportlab.pdf", "rb").read()
meta = ("filename " + base64.b64encode("届.pdf".encode()).decode()
        + ",slot " + base64.b64encode(b"opening_notification").decode())
check(requests.options(api + "/uploads"), "tus discovery", 204)
created = check(requests.post(api + "/uploads", headers={**tus, "Upload-Length": str(len(pdf)), "Upload-Metadata": meta}),
                "upload created", 201)
upload = base + created.headers.get("location", "/api/v1/uploads/missing")
check(requests.post(api + "/uploads", headers={**tus, "Upload-Length": str(cap + 1), "Upload-Metadata": meta}),
      "upload over the cap", 413, "file_too_large")
check(requests.post(api + "/uploads", headers={"Tus-Resumable": "0.2.2", "Upload-Length": "10", "Upload-Metadata": meta}),
      "upload, another tus version", 412, "unsupported_tus_version")
check(requests.patch(upload, headers={**octets, "Upload-Offset": "1"}, data=pdf), "upload at the wrong offset", 409, "offset_mismatch")
spoiled = "sha1 " + base64.b64encode(hashlib.sha1(b"spoiled").digest()).decode()
check(requests.patch(upload, headers={**octets, "Upload-Offset": "0", "Upload-Checksum": spoiled}, data=pdf),
      "upload, checksum mismatch", 460, "checksum_mismatch")
appended = check(requests.patch(upload, headers={**octets, "Upload-Offset": "0"}, data=pdf), "upload appended", 204)
semantic("upload appended", appended.headers.get("upload-offset") == str(len(pdf)), "the new offset is the whole file")
state = check(requests.get(upload, headers=tus), "upload state", 200)
semantic("upload state", state.status == 200 and state.json().get("state") == "accepted", "a complete PDF is accepted")
check(requests.delete(upload, headers=tus), "upload terminated", 204)
check(requests.get(upload, headers=tus), "upload gone", 404, "upload_not_found")

# A full disk, as SQLite reports it at COMMIT: nothing is stored or changed, and a download whose
# audit entry cannot be written is refused.
open(full_marker, "w").close()
try:
    medical = {**fields, "institution_kind": "medical", "prefecture_code": "34", "institution_code": "0712362",
               "certificate_fee_payment": "deduct_from_fees"}
    # Multipart without a file part: (None, value) sends each field as a plain form-data part.
    check(requests.post(api + "/applications", files={k: (None, v) for k, v in medical.items()}),
          "submit on a full disk", 507, "storage_full")
    check(requests.get(f"{review}/{app_id}/documents/opening_permit", headers=rev), "download on a full disk", 507, "storage_full")
    check(requests.post(f"{review}/{app_id}/claim", headers=rev), "claim on a full disk", 507, "storage_full")
finally:
    os.remove(full_marker)
check(requests.post(f"{review}/{app_id}/claim", headers=rev), "claim once there is space", 200)
# Last: a matching request replaces the applicant's token once the notice is sent.
check(requests.post(api + "/access-links", json={"receipt_number": "20000101-000000", "contact_email": "x@example.jp"}),
      "access link, no match", 202)
check(requests.post(api + "/access-links", json={"receipt_number": receipt_number}), "access link, incomplete", 422)
check(requests.post(api + "/access-links", json={"receipt_number": receipt_number, "contact_email": fields["contact_email"]}),
      "access link", 202)

missing = sorted(f"{method.upper()} {path}" for path, item in spec["paths"].items() for method in item
                 if method in ("get", "post", "put", "patch", "delete") and (method, path) not in exercised)
if missing:
    failures.append(f"operations never exercised: {missing}")
never = {408, 413, 415, 503, 507} - statuses
if never:
    failures.append(f"statuses never caused: {sorted(never)}")
print(json.dumps({"checked": checked, "statuses": sorted(statuses), "failures": failures}, ensure_ascii=False))
sys.exit(1 if failures else 0)

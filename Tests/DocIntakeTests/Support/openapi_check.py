#!/usr/bin/env python3
"""Checks a running DocIntake server against openapi.yaml: every response's status must be
documented for its operation, its content type must match, and its JSON body must validate
against the documented schema. Every operation in the document must be exercised.

usage: openapi_check.py OPENAPI_YAML BASE_URL REVIEWER_TOKEN FIXTURES_DIR [METRICS_BASE_URL]
Prints a JSON summary; exits 1 when anything does not conform."""
import json
import re
import sys

import jsonschema
import referencing
import requests
import yaml

spec_path, base, reviewer_token, fixtures = sys.argv[1:5]
metrics_base = sys.argv[5] if len(sys.argv) > 5 else base  # /metrics has a listener of its own
spec = yaml.safe_load(open(spec_path))
registry = referencing.Registry().with_resource("urn:openapi", referencing.Resource.from_contents(
    spec, default_specification=referencing.jsonschema.DRAFT202012))
failures, exercised, checked = [], set(), 0


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


def check(response, label):
    global checked
    checked += 1
    path = response.request.path_url.split("?")[0]
    template, operation = operation_for(response.request.method, path)
    if operation is None:
        failures.append(f"{label}: {response.request.method} {path} is not in the document")
        return response
    exercised.add((response.request.method.lower(), template))
    documented = operation.get("responses", {})
    entry = documented.get(str(response.status_code))
    if entry is None:
        failures.append(f"{label}: status {response.status_code} is not documented for {template} (body: {response.text[:200]})")
        return response
    entry = resolve(entry)
    content = entry.get("content", {})
    media = response.headers.get("content-type", "").split(";")[0].strip()
    if content and media not in content:
        failures.append(f"{label}: content type {media!r} is not documented ({list(content)})")
        return response
    schema = content.get(media, {}).get("schema")
    if schema is not None and "json" in media:
        wrapped = {"$id": "urn:check", "$schema": "https://json-schema.org/draft/2020-12/schema",
                   **json.loads(json.dumps(schema).replace('"#/', '"urn:openapi#/'))}
        try:
            jsonschema.Draft202012Validator(wrapped, registry=registry,
                                            format_checker=jsonschema.FormatChecker()).validate(response.json())
        except jsonschema.ValidationError as error:
            failures.append(f"{label}: body does not match the schema: {error.message} at {list(error.absolute_path)}")
    return response


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


check(requests.get(base + "/healthz"), "healthz")
check(requests.get(metrics_base + "/metrics"), "metrics")
check(requests.get(base + "/"), "web form")
check(requests.get(base + "/applications/any-id"), "web status page")
stylesheet = check(requests.get(base + "/assets/form.css"), "web asset")
check(requests.get(base + "/assets/form.css", headers={"If-None-Match": stylesheet.headers.get("etag", "")}), "web asset revalidated")
check(requests.get(base + "/assets/missing.js"), "missing web asset")
created = check(requests.post(api + "/applications", data=fields, files=files()), "submit").json()
app_id, token = created["id"], created["access_token"]
app = {"Authorization": f"Bearer {token}"}
check(requests.post(api + "/applications", data={**fields, "prefecture_code": "99"}, files=files()), "invalid form")
check(requests.post(api + "/applications", data=fields, files=files("invoice.pdf")), "ELF document")
check(requests.post(api + "/applications", json={}), "not multipart")
check(requests.post(api + "/applications", data=b"--x\r\nbroken", headers={"Content-Type": "multipart/form-data; boundary=x"}), "malformed")
check(requests.get(f"{api}/applications/{app_id}", headers=app), "applicant view")
check(requests.get(f"{api}/applications/{app_id}", headers={"Authorization": "Bearer dia_wrong"}), "wrong applicant token")
check(requests.put(f"{api}/applications/{app_id}/documents/opening_permit", headers=app,
                   files={"opening_permit": ("p.png", open(f"{fixtures}/scan-pillow.png", "rb"))}), "replace while submitted")
check(requests.post(f"{api}/applications/{app_id}/resubmit", headers=app), "resubmit while submitted")
check(requests.get(review, headers=rev), "review list")
check(requests.get(review + "?status=nonsense", headers=rev), "review list bad status")
check(requests.get(review), "review list without token")
check(requests.get(review, headers=app), "review list with applicant token")
check(requests.get(f"{review}/{app_id}", headers=rev), "review detail")
check(requests.get(f"{review}/no-such-id", headers=rev), "review detail unknown")
check(requests.get(f"{review}/{app_id}/documents/opening_permit", headers=rev), "download")
check(requests.get(f"{review}/{app_id}/documents/opening_permit", headers={**rev, "Range": "bytes=100-"}), "ranged download")
check(requests.get(f"{review}/{app_id}/documents/opening_permit", headers={**rev, "Range": "bytes=99999999-"}), "unsatisfiable range")
check(requests.post(f"{review}/{app_id}/claim", headers=rev), "claim")
check(requests.post(f"{review}/{app_id}/claim", headers=rev), "claim twice")
check(requests.post(f"{review}/{app_id}/decision", headers=rev, json={"decision": "return"}), "return without reason")
check(requests.post(f"{review}/{app_id}/decision", headers=rev, json={"decision": "return", "reason": "開設許可書が不鮮明です"}), "return")
check(requests.put(f"{api}/applications/{app_id}/documents/opening_permit", headers=app,
                   files={"opening_permit": ("p.png", open(f"{fixtures}/scan-pillow.png", "rb"))}), "replace while returned")
check(requests.post(f"{api}/applications/{app_id}/resubmit", headers=app), "resubmit")

missing = sorted(f"{method.upper()} {path}" for path, item in spec["paths"].items() for method in item
                 if method in ("get", "post", "put", "delete") and (method, path) not in exercised)
if missing:
    failures.append(f"operations never exercised: {missing}")
print(json.dumps({"checked": checked, "failures": failures}, ensure_ascii=False))
sys.exit(1 if failures else 0)

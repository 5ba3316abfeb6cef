#!/usr/bin/env python3
"""Checks the wire types (Sources/DocIntakeAPI) against openapi.yaml, so that neither can drift.

usage: wire_check.py OPENAPI_YAML SAMPLES_JSON
SAMPLES_JSON is a list of {"name", "pointer", "instance"} (a sample value of a type with every
optional property set, as the server encodes it), {"name", "pointer", "enum"} (every case of an
enum) or {"name", "pointer", "properties"} (names that must be exactly the schema's properties). `pointer` is a JSON pointer into the document ("/components/schemas/Application").
An instance must validate against its schema (formats included), and every object in it must have
exactly the properties the schema declares, both ways (an array's items together): a property the
type has and the document lacks is a failure even where the schema allows additional properties, and
so is a property the document declares and the type lacks (writeOnly ones excepted: a response never
carries them).
An enum's cases must be the schema's, both ways. Prints a JSON summary; exits 1 on any failure."""
import json
import sys

import jsonschema
import referencing
import yaml

spec_path, samples_path = sys.argv[1:3]
spec = yaml.safe_load(open(spec_path))
samples = json.load(open(samples_path))
registry = referencing.Registry().with_resource("urn:openapi", referencing.Resource.from_contents(
    spec, default_specification=referencing.jsonschema.DRAFT202012))
formats = jsonschema.FormatChecker()
failures, checked = [], 0
if "date-time" not in formats.checkers:
    failures.append("jsonschema cannot check date-time formats: install rfc3339-validator")


def at(pointer):
    node = spec
    for part in pointer.strip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def resolve(schema):
    while isinstance(schema, dict) and "$ref" in schema:
        schema = at(schema["$ref"].lstrip("#"))
    return schema


def compare_keys(name, schema, sent, where):
    global checked
    declared = {key for key, value in schema["properties"].items() if not resolve(value).get("writeOnly")}
    checked += 1
    for extra in sorted(sent - declared):
        failures.append(f"{name}: {where or '(top)'}.{extra} is sent but openapi.yaml does not declare it")
    for absent in sorted(declared - sent):
        failures.append(f"{name}: {where or '(top)'}.{absent} is declared in openapi.yaml but the type does not send it")


def compare(name, schema, instance, where, whole=True):
    """The property names of `instance` against `schema`'s, recursively, both ways. The items of
    an array are compared together: each property must be sent by one of them (a journey step
    has a reason or a note, never both)."""
    schema = resolve(schema)
    if isinstance(instance, dict) and "properties" in schema:
        if whole:
            compare_keys(name, schema, set(instance), where)
        for key, value in instance.items():
            if key in schema["properties"]:
                compare(name, schema["properties"][key], value, f"{where}.{key}")
    elif isinstance(instance, list) and "items" in schema:
        items = resolve(schema["items"])
        objects = [item for item in instance if isinstance(item, dict)]
        if objects and "properties" in items:
            compare_keys(name, items, set().union(*objects), f"{where}[]")
        for index, item in enumerate(instance):
            compare(name, items, item, f"{where}[{index}]", whole=False)


for sample in samples:
    name, schema = sample["name"], resolve(at(sample["pointer"]))
    if "properties" in sample:
        checked += 1
        names, documented = set(sample["properties"]), set(schema.get("properties", {}))
        if names != documented:
            failures.append(f"{name}: only in the type {sorted(names - documented)}, only in openapi.yaml {sorted(documented - names)}")
        continue
    if "enum" in sample:
        checked += 1
        cases, documented = set(sample["enum"]), set(schema.get("enum", []))
        if cases != documented:
            failures.append(f"{name}: cases {sorted(cases)} but openapi.yaml lists {sorted(documented)}")
        continue
    wrapped = {"$id": "urn:check", "$schema": "https://json-schema.org/draft/2020-12/schema",
               **json.loads(json.dumps(schema).replace('"#/', '"urn:openapi#/'))}
    checked += 1
    try:
        jsonschema.Draft202012Validator(wrapped, registry=registry, format_checker=formats).validate(sample["instance"])
    except jsonschema.ValidationError as error:
        failures.append(f"{name}: {error.message} at {list(error.absolute_path)}")
    compare(name, schema, sample["instance"], "")

print(json.dumps({"checked": checked, "failures": failures}, ensure_ascii=False))
sys.exit(1 if failures else 0)

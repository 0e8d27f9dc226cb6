#!/usr/bin/python3
"""tests/report/validate_json.py SCHEMA FILE -- validate a JSON document
against a JSON Schema (draft 2020-12) with Debian's python3-jsonschema.
Exit 0 valid, 1 invalid (the first error, with its JSON path), 77 when
python3-jsonschema is not installed (the caller skips)."""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed", file=sys.stderr)
    sys.exit(77)

with open(sys.argv[1]) as f:
    schema = json.load(f)
with open(sys.argv[2]) as f:
    doc = json.load(f)
jsonschema.Draft202012Validator.check_schema(schema)
errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
if errors:
    e = errors[0]
    print("invalid at /%s: %s" % ("/".join(str(p) for p in e.path), e.message))
    sys.exit(1)
print("valid")

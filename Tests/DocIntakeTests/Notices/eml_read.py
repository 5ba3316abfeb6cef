"""Parses .eml files as a mail client would (Python's email package, policy.default) and prints
one JSON object per file on one line: the decoded headers and body, plus the raw facts a
test checks (CRLF line ends, longest line)."""
import json
import sys
from email import policy
from email.parser import BytesParser

messages = []
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        raw = f.read()
    message = BytesParser(policy=policy.default).parsebytes(raw)
    lines = raw.split(b"\r\n")
    head = raw.split(b"\r\n\r\n", 1)[0]
    messages.append({
        "path": path,
        "subject": str(message["subject"]),
        "headers_ascii": all(byte < 128 for byte in head),
        "from": str(message["from"]),
        "to": str(message["to"]),
        "message_id": str(message["message-id"]),
        "date": str(message["date"]),
        "content_type": message.get_content_type(),
        "charset": message.get_content_charset(),
        "transfer_encoding": str(message["content-transfer-encoding"]),
        "mime_version": str(message["mime-version"]),
        "body": message.get_content().replace("\r\n", "\n"),
        "defects": [repr(d) for d in message.defects],
        "bare_lf": b"\n" in raw.replace(b"\r\n", b""),
        "ends_with_crlf": raw.endswith(b"\r\n"),
        "longest_line": max(len(line) for line in lines),
    })
print(json.dumps(messages, ensure_ascii=False))

#!/usr/bin/env python3
"""Does Chromium send an upload again after the server refused it with 408? Loads the form (so
the browser holds a kept-alive connection), then uploads over a throttled link until the server
refuses it as too slow, and counts the refusals the server recorded.

usage: retry_browser.py BASE_URL METRICS_URL
Prints a JSON summary: the status the page saw, the refusals counted, the seconds it took."""
import json
import re
import sys
import time

import requests
from browser_support import chromium

base, metrics_url = sys.argv[1], sys.argv[2]
driver = chromium()
try:
    driver.get(base + "/")
    driver.set_network_conditions(offline=False, latency=5, download_throughput=1024 * 1024, upload_throughput=8 * 1024)
    started = time.time()
    status = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const data = new FormData();
        data.append("institution_kind", "workplace_clinic");
        data.append("opening_notification", new Blob(["%PDF-1.4\\n", new Uint8Array(2 * 1024 * 1024)]), "slow.pdf");
        const request = new XMLHttpRequest();
        request.open("POST", "/api/v1/applications");
        request.onload = () => done(request.status);
        request.onerror = () => done(0);
        request.send(data);
    """)
    elapsed = time.time() - started
    driver.delete_network_conditions()
    metrics = requests.get(metrics_url).text
    refusals = sum(int(float(value)) for value in re.findall(r'docintake_connection_refusals_total\{reason="upload_too_slow"\} (\S+)', metrics))
    print(json.dumps({"status": status, "refusals": refusals, "seconds": round(elapsed, 1)}))
finally:
    driver.quit()

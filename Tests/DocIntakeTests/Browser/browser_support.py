"""What the browser scripts share: a headless Chromium set up as a clinic's browser, and the
checks a script records while it drives the pages."""
import traceback

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def chromium(blocked_urls=()):
    """Headless Chromium in Japanese, 1200 × 1000, its console kept for the checks; requests to
    `blocked_urls` (DevTools patterns) fail, as where a proxy or an old server lacks them."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1200,1000", "--lang=ja-JP"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    if blocked_urls:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": list(blocked_urls)})
    return driver


class Page:
    """One script's checks (passed, failures, figures measured) and the element helpers its
    steps share."""

    def __init__(self, driver):
        self.driver = driver
        self.failures, self.passed, self.measured = [], [], {}

    def check(self, condition, label):
        (self.passed if condition else self.failures).append(label)
        return condition

    def by_id(self, element_id):
        return self.driver.find_element(By.ID, element_id)

    def visible(self, element_id):
        return self.driver.execute_script(
            "const e = document.getElementById(arguments[0]); return !!e && !e.closest('[hidden]');", element_id)

    def choose(self, name, value):
        self.driver.find_element(By.CSS_SELECTOR, f'input[name="{name}"][value="{value}"]').click()

    def type_into(self, element_id, value):
        field = self.by_id(element_id)
        field.clear()
        field.send_keys(value)

    def accessible(self, screen):
        """axe-core (bundled with axe-selenium-python, offline) on the screen as shown now: every
        rule it runs by default, WCAG 2.x A/AA included (JIS X 8341-3). Any violation fails."""
        axe = Axe(self.driver)
        axe.inject()
        results = axe.run()
        violations = [f"{v['id']} ({v.get('impact')}): {[node['target'] for node in v['nodes']][:4]}"
                      for v in results["violations"]]
        self.measured.setdefault("axe_rules_passed", {})[screen] = len(results["passes"])
        self.check(not violations, f"axe-core finds no violation on {screen} ({violations})")

    def step(self, name, function, screenshot):
        """Runs one step; a broken step is a failure with its traceback and a screenshot, and
        must not hide the other steps' results."""
        try:
            function()
        except Exception:
            self.failures.append(f"{name}: {traceback.format_exc(limit=3)}")
            try:
                screenshot("failed-" + name)
            except Exception:
                pass

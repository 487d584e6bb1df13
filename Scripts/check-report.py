#!/usr/bin/env python3
"""The browser half of Scripts/check-report.sh: drives headless Chromium over the DevTools
protocol (no Python packages needed), loads the report from a file URL, collects console
messages, exceptions and failed requests, checks what rendered, and takes a screenshot.

    check-report.py CHROMIUM REPORT.html SCREENSHOT.png WORKDIR
"""
import base64, json, os, socket, struct, subprocess, sys, time, urllib.request

browser, report, screenshot, workdir = sys.argv[1:5]
url = "file://" + os.path.abspath(report)
port_file = os.path.join(workdir, "profile", "DevToolsActivePort")
process = subprocess.Popen(
    [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
     "--remote-debugging-port=0", "--user-data-dir=" + os.path.join(workdir, "profile"),
     "--window-size=1400,1000", "about:blank"],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class DevTools:
    """A minimal WebSocket client for one DevTools target."""

    def __init__(self, ws_url):
        host, rest = ws_url[len("ws://"):].split("/", 1)
        hostname, port = host.split(":")
        self.sock = socket.create_connection((hostname, int(port)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{rest} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        response = b""
        while b"\r\n\r\n" not in response:
            response += self.sock.recv(4096)
        if b" 101 " not in response.split(b"\r\n")[0]:
            raise RuntimeError("WebSocket upgrade refused: " + response.decode(errors="replace"))
        self.buffer = response.split(b"\r\n\r\n", 1)[1]
        self.next_id = 0
        self.events = []

    def send(self, method, params=None):
        self.next_id += 1
        payload = json.dumps({"id": self.next_id, "method": method, "params": params or {}}).encode()
        header = bytes([0x81])
        mask = os.urandom(4)
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
        return self.wait(self.next_id)

    def read_exact(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("DevTools connection closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def read_message(self):
        message = b""
        while True:
            first, second = self.read_exact(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self.read_exact(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self.read_exact(8))[0]
            message += self.read_exact(length)
            if first & 0x80:
                return json.loads(message)

    def wait(self, message_id):
        while True:
            message = self.read_message()
            if message.get("id") == message_id:
                if "error" in message:
                    raise RuntimeError(f"DevTools error: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def drain(self, seconds):
        self.sock.settimeout(seconds)
        try:
            while True:
                self.events.append(self.read_message())
        except (socket.timeout, TimeoutError):
            pass
        finally:
            self.sock.settimeout(30)


try:
    deadline = time.time() + 30
    while not os.path.exists(port_file) or not open(port_file).read().strip():
        if time.time() > deadline:
            raise RuntimeError("chromium did not start")
        time.sleep(0.1)
    port = open(port_file).read().split()[0]
    targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
    page = next(t for t in targets if t["type"] == "page")
    tools = DevTools(page["webSocketDebuggerUrl"])
    for domain in ("Page", "Runtime", "Log", "Network"):
        tools.send(domain + ".enable")
    tools.events.clear()   # only what the report's page does counts
    tools.send("Page.navigate", {"url": url})
    loaded = time.time() + 60
    while True:
        state = tools.send("Runtime.evaluate", {"returnByValue": True, "expression": "document.URL + ' ' + document.readyState"})
        if state["result"].get("value") == url + " complete":
            break
        if time.time() > loaded:
            raise RuntimeError("the page did not finish loading: " + str(state["result"].get("value")))
        tools.drain(0.3)
    tools.drain(1.0)
    # Exercise the script: sort every table by each column, hover the timeline.
    probe = tools.send("Runtime.evaluate", {"returnByValue": True, "expression": """(() => {
        document.querySelectorAll('table.sortable th').forEach(th => { th.click(); th.click(); });
        const svg = document.getElementById('timeline');
        if (svg) {
            const box = svg.getBoundingClientRect();
            svg.dispatchEvent(new MouseEvent('mousemove', {clientX: box.left + box.width * 0.5, clientY: box.top + 12, bubbles: true}));
        }
        const tip = document.getElementById('tip');
        return {
            charts: document.querySelectorAll('svg.chart').length,
            rects: document.querySelectorAll('svg.chart rect').length,
            tables: document.querySelectorAll('table.sortable').length,
            scripts: Array.from(document.scripts).filter(s => s.src).length,
            injected: document.querySelectorAll('body script').length,
            tooltip: tip ? tip.textContent : '',
            title: document.title,
        };
    })()"""})
    tools.drain(0.5)
    result = probe["result"]["value"]
    shot = tools.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                "clip": {"x": 0, "y": 0, "width": 1400, "height": 2600, "scale": 1}})
    with open(screenshot, "wb") as file:
        file.write(base64.b64decode(shot["data"]))

    problems = []
    for event in tools.events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
            problems.append("console." + params["type"] + ": " + " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            problems.append("exception: " + details.get("exception", {}).get("description", details.get("text", "")))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
            entry = params["entry"]
            problems.append(f"log {entry['level']} ({entry.get('source')}): {entry.get('text')}")
        elif method == "Network.requestWillBeSent" and not params.get("request", {}).get("url", "").startswith(("file:", "data:")):
            problems.append("network request: " + params["request"]["url"])
    if result["charts"] < 4:
        problems.append(f"only {result['charts']} charts rendered")
    if result["scripts"]:
        problems.append(f"{result['scripts']} external scripts")
    if result["injected"] != 2:
        problems.append(f"{result['injected']} script elements in the body (expected the report's 2: a hostile label got through?)")
    print(f"check-report: {report}: {result['charts']} charts, {result['rects']} rects, {result['tables']} tables; "
          f"tooltip: {result['tooltip']!r}; screenshot: {screenshot}")
    if problems:
        for problem in problems:
            print("  problem: " + problem, file=sys.stderr)
        sys.exit(1)
finally:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()

#!/usr/bin/env python3
"""End-to-end test of `echoflow view` in headless Chromium (Debian's `chromium`), driven through the DevTools
protocol with real mouse events: draw a rectangle on a synthetic clip, see its curve, save it, and check that
the saved roi.json is the rectangle drawn and that `echoflow analyze` reads it.

Usage: drive_viewer.py ECHOFLOW [--clip CLIP] [--screenshot PNG] [--measure]
  With --clip, uses that clip (a copy is not made: Save is not pressed) and, with --measure, reports how long
  frames take to appear after the slider moves and how long a region's curve takes after it is drawn.

Only the Python standard library is used (a minimal WebSocket client for the DevTools protocol).
Exit status 0 when every check passes; the failing check is printed otherwise.
"""
import base64
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request


class DevTools:
    """A WebSocket (RFC 6455) client speaking the Chrome DevTools protocol, one command at a time."""

    def __init__(self, url):
        m = re.match(r"ws://([^:/]+):(\d+)(/.*)", url)
        host, port, path = m.group(1), int(m.group(2)), m.group(3)
        self.sock = socket.create_connection((host, port), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError("DevTools refused the WebSocket: " + head.decode(errors="replace"))
        self.next_id = 0
        self.events = []

    def _recv_exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise RuntimeError("DevTools closed the connection")
            data += chunk
        return data

    def _recv_message(self):
        message = b""
        while True:
            b0, b1 = self._recv_exact(2)
            length = b1 & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._recv_exact(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._recv_exact(8))[0]
            payload = self._recv_exact(length)
            opcode = b0 & 0x0F
            if opcode == 8:
                raise RuntimeError("DevTools closed the WebSocket")
            if opcode in (0, 1, 2):
                message += payload
                if b0 & 0x80:
                    return json.loads(message)

    def send(self, method, **params):
        self.next_id += 1
        data = json.dumps({"id": self.next_id, "method": method, "params": params}).encode()
        header = bytes([0x81])
        mask = os.urandom(4)
        if len(data) < 126:
            header += bytes([0x80 | len(data)])
        elif len(data) < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(data))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(data))
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))
        while True:
            reply = self._recv_message()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page error in {expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, what, seconds=20):
        deadline = time.time() + seconds
        while time.time() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what} ({expression})")

    def mouse(self, kind, x, y):
        self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left",
                  buttons=1 if kind != "mouseReleased" else 0, clickCount=1)

    def click(self, selector):
        box = self.evaluate(f"(() => {{ const b = document.querySelector({json.dumps(selector)}).getBoundingClientRect();"
                            " return [b.left + b.width / 2, b.top + b.height / 2]; })()")
        self.mouse("mousePressed", *box)
        self.mouse("mouseReleased", *box)


def check(condition, message):
    if not condition:
        print("FAILED: " + message)
        sys.exit(1)
    print("ok: " + message)


def start(command, pattern, stream_name, timeout=60):
    """Starts `command` and waits for a line matching `pattern` on stdout or stderr; returns (process, match)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stream = process.stdout if stream_name == "stdout" else process.stderr
    deadline = time.time() + timeout
    lines = []
    while time.time() < deadline:
        line = stream.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        lines.append(line)
        m = re.search(pattern, line)
        if m:
            return process, m
    process.kill()
    raise RuntimeError(f"{command[0]} did not print {pattern!r}: {''.join(lines)}{process.stderr.read() if stream_name == 'stdout' else ''}")


def chromium_binary():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise RuntimeError("chromium is not installed (make browser-deps installs Debian's chromium)")


def main():
    args = sys.argv[1:]
    echoflow = os.path.abspath(args[0])
    clip = args[args.index("--clip") + 1] if "--clip" in args else None
    screenshot = args[args.index("--screenshot") + 1] if "--screenshot" in args else None
    measure = "--measure" in args
    work = tempfile.mkdtemp(prefix="echoflow-browser-")
    own_clip = clip is None
    if own_clip:
        clip = os.path.join(work, "clip")
        subprocess.run([echoflow, "synth", "--output", clip, "--seed", "5", "--quiet"], check=True)
        os.remove(os.path.join(clip, "roi.json"))  # start with no regions: the test draws the only one
    viewer, m = start([echoflow, "view", clip, "--port", "0"], r"http://127\.0\.0\.1:(\d+)/", "stdout")
    url = f"http://127.0.0.1:{m.group(1)}/"
    browser, m = start([chromium_binary(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--remote-debugging-port=0", f"--user-data-dir={work}/profile", "--window-size=1400,1000",
                        "about:blank"], r"DevTools listening on (ws://\S+)", "stderr")
    try:
        port = re.match(r"ws://[^:]+:(\d+)/", m.group(1)).group(1)
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = next(t for t in targets if t.get("type") == "page")
        tools = DevTools(page["webSocketDebuggerUrl"])
        tools.send("Page.enable")
        tools.send("Emulation.setDeviceMetricsOverride", width=1400, height=1000, deviceScaleFactor=1, mobile=False)
        tools.send("Page.navigate", url=url)
        tools.wait_for("document.body && document.body.dataset.ready === '1'", "the page to load")
        clip_info = tools.evaluate("echoflowState.clip")
        check(clip_info["frames"] > 10, f"the page shows the clip ({clip_info['frames']} frames)")
        tools.wait_for("echoflowTimings.frame.length > 0", "the first frame")

        if measure:
            report_timings(tools, clip_info)
        if not own_clip:
            if tools.evaluate("echoflowState.regions.length") > 0:
                # The clip's own regions: their curves, then the fit, as a user would see them.
                tools.wait_for("echoflowState.curves !== null", "the regions' curves", seconds=120)
                tools.click("#fit")
                tools.wait_for("document.querySelector('#params td[data-key=status]') !== null", "the fit",
                               seconds=120)
                print("fit shown: " + ", ".join(tools.evaluate(
                    "Array.from(document.querySelectorAll('#params td[data-key=status]')).map(e => e.textContent)")))
            if screenshot:
                save_screenshot(tools, screenshot)
            return

        # Draw a rectangle with the mouse: pane pixels (6, 8) to (20, 26).
        tools.click("#tool-rectangle")
        origin = tools.evaluate("(() => { const b = document.getElementById('view').getBoundingClientRect();"
                                " return [b.left, b.top, echoflowState.scale]; })()")
        pane = clip_info["contrastPane"]

        def screen(px, py):
            return origin[0] + (pane["x"] + px) * origin[2], origin[1] + (pane["y"] + py) * origin[2]

        tools.mouse("mousePressed", *screen(6, 8))
        for k in range(1, 6):
            tools.send("Input.dispatchMouseEvent", type="mouseMoved", x=screen(6 + 14 * k / 5, 8 + 18 * k / 5)[0],
                       y=screen(6 + 14 * k / 5, 8 + 18 * k / 5)[1], button="left", buttons=1)
        tools.mouse("mouseReleased", *screen(20, 26))
        regions = tools.evaluate("echoflowState.regions")
        check(len(regions) == 1 and regions[0]["kind"] == "rectangle", "one rectangle was drawn")
        r = regions[0]
        # Within half a screen pixel (the browser's event coordinates) and the page's rounding to 0.1 px.
        tol = 0.5 / origin[2] + 0.05
        check(abs(r["x"] - 6) <= tol and abs(r["y"] - 8) <= tol and abs(r["width"] - 14) <= tol
              and abs(r["height"] - 18) <= tol, f"at the pane pixels dragged over: {r}")

        tools.wait_for("echoflowState.curves && echoflowState.curves.length === 1", "the region's curve")
        d = tools.evaluate("document.querySelector('#chart path.tic').getAttribute('d')")
        check(d is not None and d.count("L") > 50, "the chart draws the curve")
        # The page's curve is the server's: the same rectangle posted to /api/tic gives the same numbers.
        page_curve = tools.evaluate("echoflowState.curves[0]")
        body = json.dumps({"rois": [{"name": r["name"], "kind": "rectangle", "x": r["x"], "y": r["y"],
                                     "width": r["width"], "height": r["height"]}]}).encode()
        api = json.load(urllib.request.urlopen(urllib.request.Request(url + "api/tic", data=body, method="POST")))
        check(api["regions"][0]["intensity_au"] == page_curve["intensity_au"], "the curve is the one /api/tic computes")
        check(page_curve["pixels"] == 14 * 18, f"it averages the 14 x 18 = 252 pixels whose centres lie inside ({page_curve['pixels']})")

        tools.click("#fit")
        tools.wait_for("document.querySelector('#params td[data-key=status]') !== null", "the parameter table")
        status = tools.evaluate("document.querySelector('#params td[data-key=status]').textContent")
        check(status in ("converged", "at_bound", "max_iterations", "failed", "no_enhancement", "not_bolus",
                         "no_wash_in", "too_short"), f"the fit's status is shown ({status})")
        check(tools.evaluate("document.querySelector('#chart path.fitted') !== null") or status not in ("converged",),
              "the fitted curve is drawn")

        def drag(a, b, steps=4):
            tools.mouse("mousePressed", *screen(*a))
            for k in range(1, steps + 1):
                x, y = screen(a[0] + (b[0] - a[0]) * k / steps, a[1] + (b[1] - a[1]) * k / steps)
                tools.send("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y, button="left", buttons=1)
            tools.mouse("mouseReleased", *screen(*b))

        def curves_of(count):
            tools.wait_for(f"echoflowState.curves && echoflowState.curves.length === {count}"
                           " && echoflowState.curves.every(c => echoflowState.regions.some(r => r.name === c.name))",
                           f"{count} curves")

        def near(a, b):
            return abs(a - b) <= tol

        # Move it by (3, 2) px from its middle, then reshape it by its bottom-right handle.
        drag((13, 17), (16, 19))
        r = tools.evaluate("echoflowState.regions[0]")
        check(near(r["x"], 9) and near(r["y"], 10) and near(r["width"], 14), f"moved by (3, 2): {r}")
        drag((23, 28), (25, 30))
        r = tools.evaluate("echoflowState.regions[0]")
        check(near(r["width"], 16) and near(r["height"], 20), f"reshaped to 16 x 20: {r}")
        pixels = tools.wait_for("echoflowState.curves && echoflowState.curves[0].pixels === 320"
                                " && echoflowState.curves[0].pixels", "the reshaped region's curve")
        check(pixels == 320, f"its curve follows: 16 x 20 = 320 pixels ({pixels})")
        # Rename it (typing into the name field) and tick it as the reference.
        tools.click("#regions tbody tr:nth-child(1) input[type=text]")
        tools.send("Input.dispatchKeyEvent", type="keyDown", key="a", code="KeyA", modifiers=2,
                   commands=["selectAll"])  # Ctrl+A
        tools.send("Input.dispatchKeyEvent", type="keyUp", key="a", code="KeyA", modifiers=2)
        tools.send("Input.insertText", text="lesion A")
        tools.evaluate("document.querySelector('#regions tbody tr:nth-child(1) input[type=text]').blur()")
        tools.wait_for("echoflowState.regions[0].name === 'lesion A'", "the rename")
        tools.click("#regions tbody tr:nth-child(1) input[type=checkbox]")
        check(tools.evaluate("echoflowState.reference") == "lesion A", "renamed and marked as the reference")
        # An ellipse beside it, then deleted with its button; a polygon closed with Enter, deleted with Delete.
        tools.click("#tool-ellipse")
        drag((30, 10), (50, 30))
        e = tools.evaluate("echoflowState.regions[1]")
        check(e["kind"] == "ellipse" and near(e["center"][0], 40) and near(e["radii"][1], 10), f"an ellipse: {e}")
        curves_of(2)
        tools.click("#regions tbody tr:nth-child(2) button")
        check(tools.evaluate("echoflowState.regions.length") == 1, "the ellipse deleted with its button")
        tools.click("#tool-polygon")
        for p in [(40, 30), (55, 32), (48, 45)]:
            tools.mouse("mousePressed", *screen(*p))
            tools.mouse("mouseReleased", *screen(*p))
        tools.send("Input.dispatchKeyEvent", type="keyDown", key="Enter", code="Enter", windowsVirtualKeyCode=13)
        tools.send("Input.dispatchKeyEvent", type="keyUp", key="Enter", code="Enter", windowsVirtualKeyCode=13)
        poly = tools.evaluate("echoflowState.regions[1]")
        check(poly and poly["kind"] == "polygon" and len(poly["points"]) == 3, f"a polygon closed with Enter: {poly}")
        curves_of(2)
        tools.send("Input.dispatchKeyEvent", type="keyDown", key="Delete", code="Delete", windowsVirtualKeyCode=46)
        tools.send("Input.dispatchKeyEvent", type="keyUp", key="Delete", code="Delete", windowsVirtualKeyCode=46)
        check(tools.evaluate("echoflowState.regions.length") == 1, "the polygon deleted with the Delete key")
        curves_of(1)
        r = tools.evaluate("echoflowState.regions[0]")

        tools.click("#save")
        tools.wait_for("document.getElementById('status').textContent.startsWith('saved')", "the save")
        saved = json.load(open(os.path.join(clip, "roi.json")))
        check(len(saved["rois"]) == 1 and saved["rois"][0]["kind"] == "rectangle" and saved["rois"][0]["name"] == "lesion A"
              and saved["rois"][0]["x"] == r["x"] and saved["rois"][0]["width"] == r["width"]
              and saved.get("reference") == "lesion A", f"roi.json holds the edited rectangle: {saved}")
        if screenshot:
            save_screenshot(tools, screenshot)
    finally:
        viewer.terminate()
        browser.terminate()
        viewer.wait(10)
        browser.wait(10)
    out = os.path.join(work, "out")
    result = subprocess.run([echoflow, "analyze", clip, "--output", out, "--quiet"], capture_output=True, text=True)
    check(result.returncode == 0, f"echoflow analyze reads the saved roi.json ({result.stderr.strip()[:200]})")
    rows = open(os.path.join(out, "parameters.csv")).read().splitlines()
    check(len(rows) == 2 and ",lesion A," in rows[1], "parameters.csv has the drawn region")
    shutil.rmtree(work, ignore_errors=True)
    print("viewer end-to-end test passed")


def report_timings(tools, clip_info):
    """Moves the slider to 40 frames spread over the clip, one at a time, and prints how long each took to show;
    then draws a rectangle and prints how long its curve took."""
    n = clip_info["frames"]
    tools.evaluate("echoflowTimings.frame.length = 0")
    for k in range(40):
        frame = (k * 997) % n
        tools.evaluate(f"(() => {{ const s = document.getElementById('slider'); s.value = {frame};"
                       " s.dispatchEvent(new Event('input')); })()")
        tools.wait_for(f"echoflowState.frame === {frame} && echoflowTimings.frame.length === {k + 1}", f"frame {frame}")
    times = sorted(tools.evaluate("echoflowTimings.frame"))
    print(f"frame after slider: median {times[len(times) // 2]:.0f} ms, max {times[-1]:.0f} ms over {len(times)} moves")
    pane = clip_info["contrastPane"]
    w, h = pane["width"] // 4, pane["height"] // 4
    tools.evaluate("echoflowTimings.tic.length = 0")
    # The first curve also screens every frame (pane levels, checksums, duplicates), kept for later ones.
    for k, label in enumerate(["first region (frames screened too)", "second region"]):
        tools.evaluate(f"(() => {{ echoflowState.regions.push({{name: 'timing {k}', kind: 'rectangle', x: {w + k},"
                       f" y: {h}, width: {w}, height: {h}}}); echoflowChanged(); }})()")
        tools.wait_for(f"echoflowTimings.tic.length > {k}", "the timing region's curve", seconds=120)
        tic = tools.evaluate(f"echoflowTimings.tic[{k}]")
        print(f"curve of a {w} x {h} px rectangle, {label}: {tic:.0f} ms after drawing (60 ms of it the page's"
              " wait for more changes)")


def save_screenshot(tools, path):
    shot = tools.send("Page.captureScreenshot", format="png", captureBeyondViewport=False)
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    print("screenshot: " + path)


if __name__ == "__main__":
    main()

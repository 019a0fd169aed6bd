#!/usr/bin/env python3
# The dashboard in a real browser: headless Chromium driven through
# chromedriver's W3C WebDriver HTTP API (python3's standard library only).
# Prints one "ok - ..." or "not ok - ..." line per check (the calling
# test counts them) and "# ..." lines with figures.
#
#   dashboard-check.py URL TOKEN GO-FILE ATTEST-FILE SHOT-DIR EVIL-PATH
#
# URL is nmsd's API; touching GO-FILE compromises r1 (the test's router
# measures EVIL-PATH, a known-bad file under a name full of markup, and
# its next probe fails); touching ATTEST-FILE makes r1 attest, naming it.
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

URL, TOKEN, GO, ATTEST, SHOTS, EVIL = sys.argv[1:7]
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
         '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync',
         '--window-size=1280,1700']
failed = 0


def check(ok, what, detail=''):
    global failed
    print(('ok - ' if ok else 'not ok - ') + what)
    if not ok:
        failed += 1
        for line in str(detail).splitlines()[:30]:
            print('#   ' + line)
    return ok


class WebDriver:
    def __init__(self, port, profile):
        self.base = 'http://127.0.0.1:%d' % port
        caps = {'capabilities': {'alwaysMatch': {
            'browserName': 'chrome',
            # The NMS's certificate is from its own CA, which this fresh
            # profile does not know.
            'acceptInsecureCerts': True,
            'goog:chromeOptions': {
                'binary': shutil.which('chromium') or '/usr/bin/chromium',
                'args': FLAGS + ['--user-data-dir=' + profile]}}}}
        self.sid = self.call('POST', '/session', caps)['sessionId']

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={'Content-Type': 'application/json'})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return json.loads(r.read())['value']
        except urllib.error.HTTPError as e:
            raise RuntimeError('%s %s: %s' % (method, path, e.read()[:500]))

    def s(self, method, path, body=None):
        return self.call(method, '/session/' + self.sid + path, body)

    def js(self, script, *args):
        return self.s('POST', '/execute/sync', {'script': script, 'args': list(args)})

    def click(self, css):
        e = self.s('POST', '/element', {'using': 'css selector', 'value': css})
        self.s('POST', '/element/%s/click' % list(e.values())[0], {})

    def shot(self, path):
        with open(path, 'wb') as f:
            f.write(base64.b64decode(self.s('GET', '/screenshot')))

    def wait(self, script, seconds=15, *args):
        end = time.monotonic() + seconds
        while True:
            v = self.js(script, *args)
            if v or time.monotonic() > end:
                return v
            time.sleep(0.1)


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    p = s.getsockname()[1]
    s.close()
    return p


# What the page shows, read from its DOM.
STATE = '''
const q = (s) => Array.from(document.querySelectorAll(s));
return {
  rows: q('#devices tbody tr').map((r) => r.dataset.device + '=' + r.dataset.state),
  routers: q('#map g.router').map((g) => g.dataset.device + '=' + g.dataset.state +
      '/' + getComputedStyle(g.querySelector('circle')).fill),
  hosts: q('#map g.host').map((g) => g.dataset.host),
  preferred: q('#map line.edge.preferred').map((l) => l.dataset.host + '-' + l.dataset.via).sort(),
  edges: q('#map line.edge').length,
  paths: q('#paths li').map((l) => l.textContent),
  live: document.getElementById('live').textContent,
  who: document.getElementById('who').textContent,
};'''


def main():
    port = free_port()
    profile = tempfile.mkdtemp(prefix='trustroute-chromium.')
    drv = subprocess.Popen(['chromedriver', '--port=%d' % port],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen('http://127.0.0.1:%d/status' % port, timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        b = WebDriver(port, profile)
        try:
            run(b)
        finally:
            b.call('DELETE', '/session/' + b.sid)
    finally:
        drv.terminate()
        drv.wait(10)
        shutil.rmtree(profile, ignore_errors=True)


def run(b):
    # The token in the fragment: never sent to the server, then dropped.
    b.s('POST', '/url', {'url': URL + '/#token=' + TOKEN})
    ok = b.wait("return document.querySelectorAll('#devices tbody tr').length == 2 &&"
                " document.querySelectorAll('#paths li').length > 0 &&"
                " document.querySelectorAll('#map line.edge.preferred').length == 4")
    st = b.js(STATE)
    check(ok and st['rows'] == ['r1=good', 'r2=good'],
          'the device table: r1 and r2, good', st)
    check(b.js('return location.href') == URL + '/', 'the token is gone from the address bar',
          b.js('return location.href'))
    check(st['who'] == 'token:alice (admin)', 'the page knows its operator and role', st['who'])
    check(sorted(st['hosts']) == ['A', 'B'] and st['edges'] == 4 and
          [r.split('/')[0] for r in st['routers']] == ['r1=good', 'r2=good'] and
          all(r.endswith('rgb(46, 125, 50)') for r in st['routers']),
          'the trust map: hosts A and B, r1 and r2 green, four routes', st)
    check(st['preferred'] == ['A-r1', 'A-r2', 'B-r1', 'B-r2'] and
          st['paths'] == ['A ⇄ B: via r1, r2'],
          'traffic takes both routers (equal cost)', st)
    b.shot(os.path.join(SHOTS, 'dashboard-good.png'))

    # r1 is compromised; the page is not reloaded: it must see it.
    b.click('#devices tbody tr[data-device="r1"]')
    t0 = time.monotonic()
    open(GO, 'w').close()
    ok = b.wait("const g = document.querySelector('#map g.router[data-device=\"r1\"]');"
                " return g && g.dataset.state == 'bad' &&"
                " document.querySelector('#paths li').textContent == 'A ⇄ B: via r2';", 20)
    seen = time.monotonic() - t0
    st = b.js(STATE)
    check(ok and st['rows'] == ['r1=bad', 'r2=good'] and
          any(r.startswith('r1=bad/') and r.endswith('rgb(198, 40, 40)') for r in st['routers']),
          'live: r1 turns bad, red on the map, without a reload', st)
    print('# the page showed r1 bad %.2f s after its compromise (probes every 200 ms, polls every 1 s)' % seen)
    check(st['preferred'] == ['A-r2', 'B-r2'] and st['paths'] == ['A ⇄ B: via r2'],
          'traffic now takes r2 only', st)
    reason = b.wait("const li = document.querySelector('#timeline li.change');"
                    " return li && li.textContent.includes('TLS handshake failed') && li.textContent;")
    check(bool(reason), "r1's timeline says why: the handshake with its sealed key failed", reason)
    b.shot(os.path.join(SHOTS, 'dashboard-bad.png'))

    # r1 attests and names what ran: a known-bad file whose name is
    # markup. It must show as text, and create no element.
    open(ATTEST, 'w').close()
    why = b.wait("const w = document.getElementById('session-why');"
                 " return !document.getElementById('session').hidden &&"
                 " w.textContent.startsWith('Known-bad program') && w.textContent;", 30)
    check(why == 'Known-bad program: ' + EVIL,
          'the session detail says why: which program (the known-bad file)', why)
    found = b.js("return {img: document.querySelectorAll('#session img, #timeline img, body img').length,"
                 " scripts: Array.from(document.scripts).map((s) => s.src),"
                 " xss: window.__xss === undefined ? null : window.__xss,"
                 " text: document.getElementById('session').textContent.includes(arguments[0])};",
                 EVIL)
    check(found['img'] == 0 and found['xss'] is None and found['text'] and
          found['scripts'] == [URL + '/app.js'],
          'the path with markup is text: no element, no script ran', found)
    imvs = b.js("return Array.from(document.querySelectorAll('#session-imvs h4'))"
                ".map((h) => h.textContent);")
    check('attestation IMV: bad' in imvs and 'os IMV: good' in imvs,
          "each IMV's verdict is shown", imvs)
    b.shot(os.path.join(SHOTS, 'dashboard-session.png'))
    # The page fetched nothing from anywhere else.
    hosts = b.js("return performance.getEntriesByType('resource').map((e) => new URL(e.name).origin);")
    check(set(hosts) == {URL}, 'nothing is fetched from another origin', hosts)


try:
    main()
except Exception as e:  # a browser that does not start is a failure
    check(False, 'the browser ran the checks', repr(e))
sys.exit(1 if failed else 0)

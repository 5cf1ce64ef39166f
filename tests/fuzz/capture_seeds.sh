#!/bin/bash
# capture_seeds: writes the seeds of the JSON and HTTP fuzz targets from
# real traffic, so that they are what the programs exchange, not what
# someone typed:
#
#   - a real sixcast-mgmt-server (on loopback, as the mgmt_* lab tests run
#     it) is driven as boxes, an edge and the NOC do: the request bodies
#     sent are fuzz_mg_json's seeds; its answers are fuzz_mgc_json's and
#     fuzz_edge_mgmt's, and, as the raw bytes that came off the socket,
#     fuzz_httpc's;
#   - curl (libcurl, as sixcast-stb and sixcastctl), ffprobe and
#     GStreamer's souphttpsrc (players) send their requests to a listener
#     here: fuzz_http_request's and fuzz_hts_req's seeds.
#
#   top_builddir=build bash tests/fuzz/capture_seeds.sh [OUTDIR]
#
# OUTDIR defaults to tests/fuzz/corpus; each target's seeds go to
# OUTDIR/<target>/<name> (the first byte picks the parser where the
# target's header says so). Needs no root. Run it again when the API
# changes, and commit what changed.
set -eu
top_srcdir="$(cd "$(dirname "$0")/../.." && pwd)"
top_builddir="$(cd "${top_builddir:-$top_srcdir/build}" && pwd)"
OUT="$(mkdir -p "${1:-$top_srcdir/tests/fuzz/corpus}" && cd "${1:-$top_srcdir/tests/fuzz/corpus}" && pwd)"
export top_srcdir top_builddir
. "$top_srcdir/tests/integration/mgmt_lib.sh"

mg_start
python3 - "$OUT" "$MG_PORT" "$MG_ADMIN" "$MG_BOXCRED" "$MG_EDGECRED" <<'EOF'
import json, os, socket, subprocess, sys, threading

out, port, admin, boxcred, edgecred = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]

def seed(target, name, data):
    os.makedirs(os.path.join(out, target), exist_ok=True)
    with open(os.path.join(out, target, name), 'wb') as f:
        f.write(data)

def raw(method, path, body=None, token=None):
    """One request on its own connection: the answer's raw bytes, and its body."""
    data = json.dumps(body).encode() if body is not None else b''
    head = '%s /api/v1%s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: application/json\r\nConnection: close\r\n' % (
        method, path, port)
    if token:
        head += 'Authorization: Bearer %s\r\n' % token
    if body is not None:
        head += 'Content-Type: application/json\r\n'
    head += 'Content-Length: %d\r\n\r\n' % len(data)
    s = socket.create_connection(('127.0.0.1', port))
    s.sendall(head.encode() + data)
    answer = b''
    while True:
        b = s.recv(65536)
        if not b:
            break
        answer += b
    s.close()
    return answer, answer.split(b'\r\n\r\n', 1)[1]

# fuzz_mg_json's first byte picks the request (see its enum kind).
KIND = dict(register=0, tune=1, heartbeat=2, empty=3, edge_register=4, edge_load=5, channel=6, metro=7,
            patch=8, move=9, kick=10)
answers = {}

def call(name, kind, method, path, body=None, token=None):
    if kind is not None:
        seed('fuzz_mg_json', name, bytes([KIND[kind]]) + json.dumps(body).encode())
    a, b = raw(method, path, body, token)
    answers[name] = b
    return json.loads(b) if b.strip() else None

boxes = {}
for dev, addr, metro in (('stb-a', '[2001:db8:1::a]:5100', None), ('stb-b', '[2001:db8:2::b]:5100', None),
                         ('stb-c', '10.3.0.12:5100', None), ('stb-d', '[2001:db8:9::d]:5100', 'south')):
    body = {'device_id': dev, 'credential': boxcred, 'addrs': [addr]}
    if metro:
        body['metro'] = metro
    boxes[dev] = call('register_' + dev, 'register', 'POST', '/clients/register', body)
A, B = boxes['stb-a'], boxes['stb-b']
edge = call('edge_register', 'edge_register', 'POST', '/edges/register',
            {'name': 'edge-1', 'credential': edgecred, 'addrs': ['2001:db8::1', '10.0.0.1'],
             'ret_addrs': ['[2001:db8::1]:5200', '10.0.0.1:5200'], 'burst_addrs': ['[2001:db8::1]:5200'],
             'channels': [{'id': 1, 'direct_max': 4, 'sdp_url': 'http://[2001:db8::1]:8081/sdp/1.sdp',
                           'name': 'News 24', 'group6': 'ff3e::8000:1', 'group4': '232.1.0.1', 'port': 5000},
                          {'id': 77}]})
call('edge_load', 'edge_load', 'POST', '/edges/%d/load' % edge['edge_id'],
     {'bitrate_bps': 8000000, 'ret_clients': 2, 'burst_clients': 1, 'direct_clients': 0, 'ret_requests': 40,
      'ret_served': 38, 'burst_served': 1, 'cpu_percent': 3.5, 'uptime_s': 60,
      'channels': [{'id': 1, 'bitrate_bps': 4000000, 'packets': 1000, 'ret_requests': 40, 'ret_served': 38}]},
     edge['token'])
call('channels', None, 'GET', '/channels', token=A['token'])
for box in (A, B):
    call('tune_%d' % box['client_id'], 'tune', 'POST', '/clients/%d/tune' % box['client_id'],
         {'channel_id': 1}, box['token'])
call('heartbeat', 'heartbeat', 'POST', '/clients/%d/heartbeat' % A['client_id'],
     {'stats': {'received': 1000, 'lost': 10, 'repaired_group': 9, 'repaired_edge': 0, 'repaired_mesh': 0,
                'unrepaired': 1, 'served': 3, 'rtt': [{'client_id': B['client_id'], 'ms': 1.5}]},
      'channel_id': 1, 'group_version': 0, 'mode': 'multicast'}, A['token'])
# the version held: a long poll, answered without the group
held = json.loads(answers['heartbeat'])['group']['version']
call('heartbeat_held', 'heartbeat', 'POST', '/clients/%d/heartbeat' % A['client_id'],
     {'channel_id': 1, 'group_version': held, 'mode': 'mesh'}, A['token'])
call('peers', None, 'GET', '/channels/1/peers', token=A['token'])
call('channel', 'channel', 'POST', '/channels',
     {'name': 'Movies', 'port': 5002, 'group6': 'ff3e::8000:9', 'group4': None, 'source6': '2001:db8::10',
      'sdp_url': 'http://[2001:db8::1]:8081/sdp/9.sdp', 'direct_max': 8, 'enabled': True}, admin)
call('metro', 'metro', 'POST', '/metros', {'name': 'west', 'prefixes': ['2001:db8:4::/48', '10.4.0.0/16']}, admin)
call('patch', 'patch', 'PATCH', '/clients/%d' % B['client_id'], {'banned': False, 'metro_id': None}, admin)
call('move', 'move', 'POST', '/clients/%d/move' % B['client_id'], {'metro_id': 2}, admin)
call('kick', 'kick', 'POST', '/clients/%d/kick' % boxes['stb-c']['client_id'], {'reason': 'test'}, admin)
call('rebuild', 'empty', 'POST', '/channels/1/rebuild', {}, admin)
call('leave', 'empty', 'POST', '/clients/%d/leave' % B['client_id'], {}, B['token'])
call('refused', 'register', 'POST', '/clients/register', {'device_id': 'stb-x', 'credential': boxcred,
                                                          'addrs': ['ff3e::1']})

# fuzz_mgc_json: '0' register, '1' channel list, '2' tune, '3' heartbeat,
# '4' peers, '5' error text.
for name, sel in (('register_stb-a', '0'), ('register_stb-d', '0'), ('channels', '1'),
                  ('tune_%d' % A['client_id'], '2'), ('heartbeat', '3'), ('heartbeat_held', '3'),
                  ('peers', '4'), ('refused', '5')):
    seed('fuzz_mgc_json', name.replace('_%d' % A['client_id'], ''), sel.encode() + answers[name])
# fuzz_edge_mgmt: '0' registration, '1' load report.
seed('fuzz_edge_mgmt', 'register', b'0' + answers['edge_register'])
seed('fuzz_edge_mgmt', 'load', b'1' + answers['edge_load'])

# fuzz_httpc: the raw answers, cut (first byte) inside the body; one
# re-framed as chunked, as a server may send it.
a, _ = raw('GET', '/channels/1/peers', token=A['token'])
seed('fuzz_httpc', 'peers', bytes([(len(a) - 5) & 0xff]) + a)
a, b = raw('POST', '/clients/%d/heartbeat' % A['client_id'], {'channel_id': 1, 'group_version': 0}, A['token'])
seed('fuzz_httpc', 'heartbeat', bytes([(len(a) // 2) & 0xff]) + a)
a, b = raw('POST', '/clients/register', {'device_id': 'stb-x'})
seed('fuzz_httpc', 'refused', bytes([7]) + a)
a, body = raw('POST', '/clients/%d/tune' % A['client_id'], {'channel_id': 1}, A['token'])
head = a.split(b'\r\n\r\n', 1)[0].split(b'\r\n')
head = [h for h in head if not h.lower().startswith(b'content-length')] + [b'Transfer-Encoding: chunked']
chunks = b''.join(b'%x\r\n%s\r\n' % (len(body[i:i + 200]), body[i:i + 200]) for i in range(0, len(body), 200))
seed('fuzz_httpc', 'chunked', bytes([90]) + b'\r\n'.join(head) + b'\r\n\r\n' + chunks + b'0\r\n\r\n')

# Requests of real clients, to a listener that answers 404.
def listen_and_capture(cmd):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(('127.0.0.1', 0))
    srv.listen(1)
    got = []

    def serve():
        c, _ = srv.accept()
        c.settimeout(5)
        data = b''
        try:
            while b'\r\n\r\n' not in data:
                data += c.recv(65536)
            head, rest = data.split(b'\r\n\r\n', 1)
            for line in head.split(b'\r\n'):
                if line.lower().startswith(b'content-length:'):
                    while len(rest) < int(line.split(b':')[1]):
                        rest += c.recv(65536)
            got.append(head + b'\r\n\r\n' + rest)
            c.sendall(b'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
        finally:
            c.close()

    th = threading.Thread(target=serve)
    th.start()
    p = srv.getsockname()[1]
    subprocess.run([a.replace('PORT', str(p)) for a in cmd], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=20)
    th.join(10)
    srv.close()
    return got[0] if got else None

def capture(target, name, cmd, head_only=False):
    try:
        r = listen_and_capture(cmd)
    except (OSError, subprocess.SubprocessError):
        r = None
    if r is None:
        print('capture_seeds: no request from %s' % cmd[0], file=sys.stderr)
        return
    # sc_httpd_lite hands the head over without its blank line
    seed(target, name, r.split(b'\r\n\r\n', 1)[0] if head_only else r)

capture('fuzz_http_request', 'curl_post', ['curl', '-s', '-X', 'POST', '-H', 'Content-Type: application/json',
                                           '--data-binary', '{"channel": 2}', 'http://127.0.0.1:PORT/api/tune'],
        head_only=True)
capture('fuzz_http_request', 'curl_get', ['curl', '-s', 'http://127.0.0.1:PORT/api/status?x=1'], head_only=True)
big = json.dumps({'channel': 2, 'pad': 'x' * 2000})
capture('fuzz_http_request', 'curl_expect', ['curl', '-s', '-H', 'Expect: 100-continue', '--data-binary', big,
                                             'http://127.0.0.1:PORT/api/record'], head_only=True)
capture('fuzz_hts_req', 'ffprobe', ['ffprobe', '-v', 'quiet', 'http://127.0.0.1:PORT/channel/1'])
capture('fuzz_hts_req', 'gstreamer', ['gst-launch-1.0', '-q', 'souphttpsrc',
                                      'location=http://127.0.0.1:PORT/current', 'num-buffers=1', '!',
                                      'fakesink'])
capture('fuzz_hts_req', 'curl_playlist', ['curl', '-s', 'http://127.0.0.1:PORT/playlist.m3u'])
capture('fuzz_hts_req', 'curl_head', ['curl', '-s', '-I', 'http://127.0.0.1:PORT/current'])
EOF
mg_stop
echo "seeds written under $OUT"

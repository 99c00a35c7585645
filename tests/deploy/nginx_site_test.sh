#!/usr/bin/env bash
# Checks deploy/nginx/crm.conf with the real nginx: the site passes `nginx -t`, then runs on
# free high ports in front of a stand-in for crm-server (a python3 HTTP server that answers
# every request with the headers it got, as JSON) and must:
#   - redirect HTTP to HTTPS, but serve ACME challenges over HTTP;
#   - overwrite X-Forwarded-For / X-Real-IP with the address nginx saw (no forgery);
#   - refuse 5 MB bodies (413) except on /api/v1/debtors/import;
#   - let /metrics through from 127.0.0.1 and refuse it from any other address;
#   - pass the WebSocket upgrade headers on /ws;
#   - keep query strings (tokens) out of the access log.
# Exits non-zero with the reason on the first failure. Needs nginx, openssl, curl, python3;
# runs as root or not. Everything it starts is stopped on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=scripts/lib.sh disable=SC1091
source "$ROOT/scripts/lib.sh" # free_port
SITE_SRC="$ROOT/deploy/nginx/crm.conf"

fail() {
  echo "FAIL: $*" >&2
  if [ -n "${TMP:-}" ] && [ -s "$TMP/error.log" ]; then
    echo "--- nginx error.log (last lines) ---" >&2
    tail -n 20 "$TMP/error.log" >&2
  fi
  exit 1
}
pass() { echo "ok: $*"; }

NGINX="$(command -v nginx || true)"
[ -z "$NGINX" ] && [ -x /usr/sbin/nginx ] && NGINX=/usr/sbin/nginx
[ -n "$NGINX" ] || fail "nginx is not installed (scripts/install installs it)"
for tool in openssl curl python3; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed"
done
[ -f "$SITE_SRC" ] || fail "$SITE_SRC is missing"

TMP="$(mktemp -d)"
NGINX_PID="" UPSTREAM_PID=""
cleanup() {
  local pid
  for pid in $NGINX_PID $UPSTREAM_PID; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in $NGINX_PID $UPSTREAM_PID; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# nginx's workers run as an unprivileged user when the test runs as root: they must reach
# the temp folders and the ACME webroot inside TMP.
chmod 755 "$TMP"
mkdir -p "$TMP/live" "$TMP/www/.well-known/acme-challenge" "$TMP/logs" "$TMP/temp"
chmod -R a+rX "$TMP/www"

HTTP_PORT="$(free_port)"
HTTPS_PORT="$(free_port)"
UP_PORT="$(free_port)"
while [ "$HTTPS_PORT" = "$HTTP_PORT" ]; do HTTPS_PORT="$(free_port)"; done
while [ "$UP_PORT" = "$HTTP_PORT" ] || [ "$UP_PORT" = "$HTTPS_PORT" ]; do UP_PORT="$(free_port)"; done

# --- A self-signed certificate where certbot's would be ---
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=crm.example.com" -keyout "$TMP/live/privkey.pem" -out "$TMP/live/fullchain.pem" \
  >/dev/null 2>&1 || fail "openssl could not make a self-signed certificate"

# --- The site, its absolute paths and ports rewritten into TMP ---
SITE="$TMP/crm.conf"
sed -e "s#/etc/letsencrypt/live/crm.example.com/#$TMP/live/#g" \
    -e "s#/var/www/letsencrypt#$TMP/www#g" \
    -e "s#/var/log/nginx/#$TMP/logs/#g" \
    -e "s#^\([[:space:]]*\)listen 80\b#\1listen 127.0.0.1:$HTTP_PORT#" \
    -e "s#^\([[:space:]]*\)listen 443\b#\1listen 127.0.0.1:$HTTPS_PORT#" \
    -e "/^[[:space:]]*listen \[::\]/d" \
    -e "s#server 127.0.0.1:8080\b#server 127.0.0.1:$UP_PORT#" \
    "$SITE_SRC" >"$SITE"
# A rewrite that no longer matches would leave nginx on 80/443 or pointing at the real
# server: refuse to go on.
for left in '/etc/letsencrypt' '/var/www/letsencrypt' '/var/log/nginx' ':8080' \
            'listen 80\b' 'listen 443\b' 'listen \['; do
  if grep -nE "^[^#]*$left" "$SITE" >/dev/null; then
    fail "the site still has '$left' after rewriting it for the test: $(grep -nE "^[^#]*$left" "$SITE" | head -1)"
  fi
done
grep -q "listen 127.0.0.1:$HTTPS_PORT ssl" "$SITE" || fail "the site has no 'listen 443 ssl' line"
grep -q "server 127.0.0.1:$UP_PORT" "$SITE" || fail "the site's upstream is not 127.0.0.1:8080"

user_line=""
if [ "$(id -u)" -eq 0 ]; then
  user_line="user $(id -un nobody) $(id -gn nobody);"
fi
cat >"$TMP/nginx.conf" <<CONF
$user_line
worker_processes 1;
daemon off;
pid $TMP/nginx.pid;
error_log $TMP/error.log info;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path $TMP/temp/body;
    proxy_temp_path $TMP/temp/proxy;
    fastcgi_temp_path $TMP/temp/fastcgi;
    uwsgi_temp_path $TMP/temp/uwsgi;
    scgi_temp_path $TMP/temp/scgi;
    include $SITE;
}
CONF

# --- nginx -t ---
if ! out="$("$NGINX" -t -p "$TMP/" -e "$TMP/error.log" -c "$TMP/nginx.conf" 2>&1)"; then
  echo "$out" >&2
  fail "nginx -t refused the site"
fi
pass "nginx -t accepts deploy/nginx/crm.conf ($("$NGINX" -v 2>&1 | sed 's/.*version: //'))"

# --- The stand-in for crm-server ---
cat >"$TMP/upstream.py" <<'PY'
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as nginx's upstream keepalive expects

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        remaining = length
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 1 << 16))
            if not chunk:
                break
            remaining -= len(chunk)
        body = json.dumps({
            "method": self.command,
            "path": self.path,
            "bodyLength": length - remaining,
            "headers": {k.lower(): v for k, v in self.headers.items()},
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = answer

    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
PY
python3 "$TMP/upstream.py" "$UP_PORT" &
UPSTREAM_PID=$!

"$NGINX" -p "$TMP/" -e "$TMP/error.log" -c "$TMP/nginx.conf" &
NGINX_PID=$!

ready=""
for _ in $(seq 100); do
  kill -0 "$NGINX_PID" 2>/dev/null || fail "nginx exited at start"
  kill -0 "$UPSTREAM_PID" 2>/dev/null || fail "the upstream stand-in exited at start"
  if curl -s -o /dev/null "http://127.0.0.1:$UP_PORT/" &&
     curl -sk -o /dev/null "https://127.0.0.1:$HTTPS_PORT/"; then
    ready=1
    break
  fi
  sleep 0.1
done
[ -n "$ready" ] || fail "nginx (https port $HTTPS_PORT) or the stand-in (port $UP_PORT) did not answer"

CURL=(curl -s --max-time 20)
# json_get FILE EXPR: prints a Python expression over the parsed JSON answer `j`.
json_get() {
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" \
    || fail "not JSON from the stand-in: $(head -c 300 "$1")"
}

# --- HTTP: redirect to HTTPS, ACME challenges served ---
read -r code location < <("${CURL[@]}" -o /dev/null -w '%{http_code} %{redirect_url}\n' \
  "http://127.0.0.1:$HTTP_PORT/api/v1/x?a=1")
[ "$code" = 301 ] || fail "HTTP answered $code, expected a 301 redirect"
case "$location" in
  https://crm.example.com/api/v1/x\?a=1) ;;
  *) fail "HTTP redirected to '$location', expected https://crm.example.com/api/v1/x?a=1" ;;
esac
pass "HTTP redirects to HTTPS ($location)"

printf 'challenge-content' >"$TMP/www/.well-known/acme-challenge/token123"
chmod a+r "$TMP/www/.well-known/acme-challenge/token123"
got="$("${CURL[@]}" -w ' %{http_code}' "http://127.0.0.1:$HTTP_PORT/.well-known/acme-challenge/token123")"
[ "$got" = "challenge-content 200" ] || fail "ACME challenge over HTTP answered '$got'"
pass "HTTP serves /.well-known/acme-challenge/ from the webroot"

# --- Forwarded headers: overwritten, not appended ---
code="$("${CURL[@]}" -k -o "$TMP/r.json" -w '%{http_code}' "https://127.0.0.1:$HTTPS_PORT/api/v1/x" \
  -H 'X-Forwarded-For: 6.6.6.6' -H 'X-Real-IP: 6.6.6.6' -H 'Forwarded: for=6.6.6.6')"
[ "$code" = 200 ] || fail "GET /api/v1/x over HTTPS answered $code"
xff="$(json_get "$TMP/r.json" 'j["headers"].get("x-forwarded-for")')"
xri="$(json_get "$TMP/r.json" 'j["headers"].get("x-real-ip")')"
fwd="$(json_get "$TMP/r.json" 'j["headers"].get("forwarded")')"
proto="$(json_get "$TMP/r.json" 'j["headers"].get("x-forwarded-proto")')"
conn="$(json_get "$TMP/r.json" 'j["headers"].get("connection")')"
[ "$xff" = 127.0.0.1 ] || fail "the server got X-Forwarded-For '$xff', expected 127.0.0.1 (a client can forge it)"
[ "$xri" = 127.0.0.1 ] || fail "the server got X-Real-IP '$xri', expected 127.0.0.1"
[ "$fwd" = None ] || fail "the server got the client's Forwarded header '$fwd'"
[ "$proto" = https ] || fail "the server got X-Forwarded-Proto '$proto', expected https"
[ "$conn" = None ] || fail "the server got 'Connection: $conn' on a plain request (upstream keepalive needs none)"
pass "X-Forwarded-For and X-Real-IP are 127.0.0.1 whatever the client sent; X-Forwarded-Proto https"

# --- Body sizes ---
head -c 5000000 /dev/zero >"$TMP/5mb"
code="$("${CURL[@]}" -k --http1.1 -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: text/csv' \
  --data-binary "@$TMP/5mb" "https://127.0.0.1:$HTTPS_PORT/api/v1/x" || true)"
[ "$code" = 413 ] || fail "a 5 MB POST to /api/v1/x answered '$code', expected 413 from nginx"
pass "a 5 MB POST to /api/v1/x is refused (413)"

code="$("${CURL[@]}" -k -o "$TMP/r.json" -w '%{http_code}' -X POST -H 'Content-Type: text/csv' \
  --data-binary "@$TMP/5mb" "https://127.0.0.1:$HTTPS_PORT/api/v1/debtors/import")"
[ "$code" = 200 ] || fail "a 5 MB POST to /api/v1/debtors/import answered $code, expected 200"
len="$(json_get "$TMP/r.json" 'j["bodyLength"]')"
[ "$len" = 5000000 ] || fail "the server got $len bytes of the 5 MB import"
pass "a 5 MB POST to /api/v1/debtors/import reaches the server whole"

# --- /metrics: local only ---
code="$("${CURL[@]}" -k -o "$TMP/r.json" -w '%{http_code}' "https://127.0.0.1:$HTTPS_PORT/metrics")"
[ "$code" = 200 ] || fail "/metrics from 127.0.0.1 answered $code, expected 200"
[ "$(json_get "$TMP/r.json" 'j["path"]')" = /metrics ] || fail "/metrics did not reach the server"
pass "/metrics from 127.0.0.1 reaches the server"
# From another loopback address (Linux routes all of 127/8 locally): the internet's view.
for path in /metrics /metrics/ //metrics; do
  code="$("${CURL[@]}" -k --interface 127.0.0.2 -o /dev/null -w '%{http_code}' \
    "https://127.0.0.1:$HTTPS_PORT$path" || true)"
  case "$code" in
    403) ;;
    000) echo "note: cannot connect from 127.0.0.2 here; skipped the deny check for $path" ;;
    *) fail "$path from 127.0.0.2 answered $code, expected 403" ;;
  esac
done
pass "/metrics is refused from other addresses"

# --- WebSocket upgrade headers ---
code="$("${CURL[@]}" -k --http1.1 -o "$TMP/r.json" -w '%{http_code}' \
  -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' \
  -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' \
  "https://127.0.0.1:$HTTPS_PORT/ws?token=secret-token-value")"
[ "$code" = 200 ] || fail "GET /ws answered $code (the stand-in answers 200)"
upgrade="$(json_get "$TMP/r.json" 'j["headers"].get("upgrade")')"
conn="$(json_get "$TMP/r.json" 'j["headers"].get("connection")')"
[ "${upgrade,,}" = websocket ] || fail "the server got 'Upgrade: $upgrade' on /ws, expected websocket"
[ "${conn,,}" = upgrade ] || fail "the server got 'Connection: $conn' on /ws, expected upgrade"
[ "$(json_get "$TMP/r.json" 'j["path"]')" = "/ws?token=secret-token-value" ] ||
  fail "the server did not get /ws with its query string"
pass "/ws passes Upgrade: websocket and Connection: upgrade"

# --- Access log without query strings ---
log="$TMP/logs/crm.access.log"
[ -s "$log" ] || fail "no access log at the site's access_log path"
grep -q '/ws' "$log" || fail "the access log has no /ws request"
if grep -q 'secret-token-value' "$log"; then
  fail "the access log holds the /ws token: $(grep 'secret-token-value' "$log" | head -1)"
fi
pass "the access log has no query strings"

echo "nginx_site_test: all checks passed"

#!/usr/bin/env bash
# Wire probe of the Dubbo Java 3.3.6 peer with curl: prints what the server really sends.
#
#   node test/peers/java/build.mjs
#   JAVA_PEER_PORT=18080 java -cp 'test/peers/java/target/classes:test/peers/java/target/lib/*' interop.Main &
#   bash test/peers/java/probe.sh http://127.0.0.1:18080 [section...]
#
# Sections: unary errors sse pascal timeout headers h2 cors types grpc (default: all).
# Bodies are printed as JSON strings (node) so that every byte (\n, \r) is visible.
set -u
U=${1:-http://127.0.0.1:18080}
shift || true
SECTIONS=${*:-unary errors sse pascal timeout headers h2 cors types grpc}
C=triple.interop.v1.CamelInteropService
P=triple.interop.v1.InteropService
JSON=(-H 'content-type: application/json')

bytes() { node -e 'let b=[];process.stdin.on("data",d=>b.push(d)).on("end",()=>console.log(JSON.stringify(Buffer.concat(b).toString("latin1"))))'; }
title() { printf '\n=== %s\n' "$*"; }
# head (status line + headers, minus date) then the body as a JSON string
call() {
  local out
  out=$(mktemp)
  curl -sS -D "$out.h" -o "$out" "$@"
  tr -d '\r' <"$out.h" | grep -iv '^date:'
  bytes <"$out"
  rm -f "$out" "$out.h"
}

has() { [[ " $SECTIONS " == *" $1 "* ]]; }

if has unary; then
  title "unary JSON h1"
  call -X POST "$U/$C/unary" "${JSON[@]}" -d '{"text":"hi","payload":"AAEC"}'
  title "unary JSON h1, snake_case input field names"
  call -X POST "$U/$C/unary" "${JSON[@]}" -d '{"text":"hi","delay_ms":1}'
  title "unary JSON h1, unknown field"
  call -X POST "$U/$C/unary" "${JSON[@]}" -d '{"text":"hi","nope":1}'
  title "unary JSON h1, empty body"
  call -X POST "$U/$C/unary" "${JSON[@]}" --data-binary ''
  title "getStreamStats unknown id"
  call -X POST "$U/$C/getStreamStats" "${JSON[@]}" -d '{"streamId":"nope"}'
  title "releaseHold"
  call -X POST "$U/$C/releaseHold" "${JSON[@]}" -d '{"holdId":"nobody"}'
  title "clientStream over HTTP/1.1 JSON (expected: no route)"
  call -X POST "$U/$C/clientStream" "${JSON[@]}" -d '{"seq":1}'
  title "bidiStream over h2c JSON (expected: no route)"
  call --http2-prior-knowledge -X POST "$U/$C/bidiStream" "${JSON[@]}" -d '{"seq":1}'
fi

if has errors; then
  for code in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
    title "unary error code $code (h1)"
    call -X POST "$U/$C/unary" "${JSON[@]}" \
      -d "{\"error\":{\"code\":$code,\"message\":\"boom $code\",\"metadata\":{\"x-err\":\"v$code\"},\"detailReason\":\"why\"}}"
  done
  title "unary error code 7 over h2c (error metadata as headers?)"
  call --http2-prior-knowledge -X POST "$U/$C/unary" "${JSON[@]}" \
    -d '{"error":{"code":7,"message":"no way","metadata":{"x-err":"v7","x-err-bin":"AAE"}}}'
  title "unary error with a non-ASCII message (h1)"
  call -X POST "$U/$C/unary" "${JSON[@]}" -d '{"error":{"code":3,"message":"héllo ✓ \"q\""}}'
fi

if has sse; then
  title "serverStream SSE h1: count 3 size 2"
  call -X POST "$U/$C/serverStream" "${JSON[@]}" -d '{"count":3,"size":2}'
  title "serverStream SSE h2c: count 2"
  call --http2-prior-knowledge -X POST "$U/$C/serverStream" "${JSON[@]}" -d '{"count":2,"size":1}'
  title "serverStream SSE h1: error after 2 (code 8)"
  call -X POST "$U/$C/serverStream" "${JSON[@]}" \
    -d '{"count":5,"size":1,"errorAfter":2,"error":{"code":8,"message":"too much","metadata":{"x-err":"v"}}}'
  title "serverStream SSE h2c: error after 2 (code 8)"
  call --http2-prior-knowledge -X POST "$U/$C/serverStream" "${JSON[@]}" \
    -d '{"count":5,"size":1,"errorAfter":2,"error":{"code":8,"message":"too much"}}'
  title "serverStream SSE h1: error before the first event (code 7)"
  call -X POST "$U/$C/serverStream" "${JSON[@]}" \
    -d '{"count":5,"errorAfter":0,"error":{"code":7,"message":"denied"}}'
  title "serverStream SSE h2c: error before the first event (code 7)"
  call --http2-prior-knowledge -X POST "$U/$C/serverStream" "${JSON[@]}" \
    -d '{"count":5,"errorAfter":0,"error":{"code":7,"message":"denied"}}'
  title "serverStream SSE h1: error after all messages (count 1, errorAfter 5, code 14)"
  call -X POST "$U/$C/serverStream" "${JSON[@]}" \
    -d '{"count":1,"errorAfter":5,"error":{"code":14,"message":"later"}}'
  title "serverStream SSE h1: count 0"
  call -X POST "$U/$C/serverStream" "${JSON[@]}" -d '{"count":0}'
  title "serverStream with Accept: text/event-stream (text format?)"
  call -X POST "$U/$C/serverStream" "${JSON[@]}" -H 'accept: text/event-stream' -d '{"count":1,"size":1}'
  title "serverStream timing h1: 4 x 300 ms (arrival times)"
  start=$(date +%s%N)
  curl -sSN -X POST "$U/$C/serverStream" "${JSON[@]}" -d '{"count":4,"delayMs":300,"streamId":"probe-t"}' |
    while IFS= read -r line; do [ -n "$line" ] && echo "$(( ($(date +%s%N) - start) / 1000000 )) ms: $line"; done
  title "stats after the timed stream"
  call -X POST "$U/$C/getStreamStats" "${JSON[@]}" -d '{"streamId":"probe-t"}'
  title "slow producer: stats while streaming (20 x 100 ms), read at ~550 ms"
  curl -sSN -o /dev/null -X POST "$U/$C/serverStream" "${JSON[@]}" -d '{"count":20,"delayMs":100,"streamId":"probe-s"}' &
  cpid=$!
  sleep 0.55
  call -X POST "$U/$C/getStreamStats" "${JSON[@]}" -d '{"streamId":"probe-s"}'
  wait $cpid
  call -X POST "$U/$C/getStreamStats" "${JSON[@]}" -d '{"streamId":"probe-s"}'
  title "cancellation: h2c client gives up after 0.35 s on 20 x 100 ms"
  curl -sS --http2-prior-knowledge -m 0.35 -o /dev/null -X POST "$U/$C/serverStream" "${JSON[@]}" \
    -d '{"count":20,"delayMs":100,"streamId":"probe-c2"}' 2>/dev/null
  sleep 0.5
  call -X POST "$U/$C/getStreamStats" "${JSON[@]}" -d '{"streamId":"probe-c2"}'
  title "cancellation: h1 client gives up after 0.35 s on 20 x 100 ms"
  curl -sS -m 0.35 -o /dev/null -X POST "$U/$C/serverStream" "${JSON[@]}" \
    -d '{"count":20,"delayMs":100,"streamId":"probe-c1"}' 2>/dev/null
  sleep 0.5
  call -X POST "$U/$C/getStreamStats" "${JSON[@]}" -d '{"streamId":"probe-c1"}'
fi

if has pascal; then
  for m in Unary unary ServerStream serverStream GetStreamStats; do
    title "InteropService/$m over h1"
    call -X POST "$U/$P/$m" "${JSON[@]}" -d '{}'
  done
  title "InteropService/Unary over h2c"
  call --http2-prior-knowledge -X POST "$U/$P/Unary" "${JSON[@]}" -d '{}'
  title "CamelInteropService/Unary (wrong case) over h1"
  call -X POST "$U/$C/Unary" "${JSON[@]}" -d '{}'
fi

if has timeout; then
  for proto in "" --http2-prior-knowledge; do
    title "tri-service-timeout 300 + delay 1000 ${proto:-(h1)}"
    s=$(date +%s%N)
    call $proto -X POST "$U/$C/unary" "${JSON[@]}" -H 'tri-service-timeout: 300' -d '{"delayMs":1000}'
    echo "took $(( ($(date +%s%N) - s) / 1000000 )) ms"
    title "tri-service-timeout 1000 + delay 100 ${proto:-(h1)}"
    call $proto -X POST "$U/$C/unary" "${JSON[@]}" -H 'tri-service-timeout: 1000' -d '{"delayMs":100}'
  done
  title "grpc-timeout / triple-timeout-ms on HTTP (ignored?)"
  call -X POST "$U/$C/unary" "${JSON[@]}" -H 'grpc-timeout: 300m' -H 'triple-timeout-ms: 300' -d '{"delayMs":10}'
  title "cancellation of a unary delay: h2c client gives up after 0.3 s on delay 2000 (server log shows nothing; see stats-free check: the next call is answered at once)"
  s=$(date +%s%N)
  curl -sS --http2-prior-knowledge -m 0.3 -o /dev/null -X POST "$U/$C/unary" "${JSON[@]}" -d '{"delayMs":2000}' 2>&1 | head -1
  echo "took $(( ($(date +%s%N) - s) / 1000000 )) ms"
fi

if has headers; then
  title "request headers reaching request_headers (h1)"
  call -X POST "$U/$C/unary" "${JSON[@]}" -H 'x-foo: Bar' -H 'X-Upper: UP' -H 'x-foo-bin: AAEC/w' \
    -H 'x-text-bin: aGVsbG8' -H 'tri-attachment-k: v' -H 'tri-service-version: 1.0.0' -H 'tri-service-group: g' \
    -H 'tri-protocol-version: 1.0.0' -H 'authorization: Bearer t' -H 'cookie: a=b' -H 'user-agent: probe' \
    -H 'accept-encoding: gzip' -d '{}'
  title "request headers reaching request_headers (h2c)"
  call --http2-prior-knowledge -X POST "$U/$C/unary" "${JSON[@]}" -H 'x-foo: Bar' -H 'x-foo-bin: AAEC/w' \
    -H 'tri-attachment-k: v' -H 'x-echo-e: echoed' -d '{}'
fi

if has h2; then
  title "response headers h1 vs h2c: success with x-echo-*"
  call -X POST "$U/$C/unary" "${JSON[@]}" -H 'x-echo-a: 1' -d '{}'
  call --http2-prior-knowledge -X POST "$U/$C/unary" "${JSON[@]}" -H 'x-echo-a: 1' -d '{}'
  title "h2c trailers of an SSE stream (curl -v, trailer lines)"
  curl -sS -v --http2-prior-knowledge -X POST "$U/$C/serverStream" "${JSON[@]}" -H 'x-echo-a: 1' \
    -d '{"count":1,"errorAfter":1,"error":{"code":5,"message":"gone","metadata":{"x-err":"v"}}}' 2>&1 |
    grep -E '^(<|\{|data)' | tr -d '\r' | grep -iv '^< date:'
fi

if has cors; then
  title "OPTIONS preflight (h1)"
  call -X OPTIONS "$U/$C/unary" -H 'origin: http://example.test' -H 'access-control-request-method: POST' \
    -H 'access-control-request-headers: content-type,tri-service-timeout,x-foo'
  title "OPTIONS preflight to an unknown path"
  call -X OPTIONS "$U/$C/nope" -H 'origin: http://example.test' -H 'access-control-request-method: POST'
  title "POST with Origin (actual request)"
  call -X POST "$U/$C/unary" "${JSON[@]}" -H 'origin: http://example.test' -d '{}'
  title "POST with Origin, error"
  call -X POST "$U/$C/unary" "${JSON[@]}" -H 'origin: http://example.test' -d '{"error":{"code":5,"message":"x"}}'
  title "SSE with Origin"
  call -X POST "$U/$C/serverStream" "${JSON[@]}" -H 'origin: http://example.test' -d '{"count":1}'
fi

if has types; then
  for ct in application/proto application/x-protobuf application/connect+json text/plain; do
    title "unary with content-type $ct"
    call -X POST "$U/$C/unary" -H "content-type: $ct" --data-binary '{"text":"x"}'
  done
  title "unary with content-type application/grpc-web+proto over HTTP/1.1 (hangs: 3 s limit)"
  call -m 3 -X POST "$U/$C/unary" -H "content-type: application/grpc-web+proto" --data-binary '{"text":"x"}'
  title "unary without content-type"
  call -X POST "$U/$C/unary" -H 'content-type:' --data-binary '{"text":"x"}'
  title "GET /$C/unary"
  call "$U/$C/unary"
  title "GET /"
  call "$U/"
fi

if has grpc; then
  # A gRPC unary call to InteropService/Unary with curl: 5-byte envelope around UnaryRequest{text:"hi"}
  # (0a 02 68 69). Needs h2c prior knowledge; trailers show with -v.
  title "gRPC InteropService/Unary (h2c): text hi"
  printf '\x00\x00\x00\x00\x04\x0a\x02\x68\x69' >/tmp/grpc-req.bin
  curl -sS -v --http2-prior-knowledge -X POST "$U/$P/Unary" -H 'content-type: application/grpc+proto' -H 'te: trailers' \
    --data-binary @/tmp/grpc-req.bin -o /tmp/grpc-res.bin 2>&1 | grep -E '^<' | tr -d '\r' | grep -iv '^< date:'
  bytes </tmp/grpc-res.bin
  title "gRPC InteropService/Unary error code 7 with metadata"
  # UnaryRequest{error: ErrorSpec{code:7, message:"no", metadata:{"x-err":"v"}}}
  node -e '
    const spec = Buffer.from([0x08,7, 0x12,2,0x6e,0x6f, 0x1a,10, 0x0a,5,...Buffer.from("x-err"), 0x12,1,0x76]);
    const req = Buffer.concat([Buffer.from([0x22, spec.length]), spec]);
    const env = Buffer.alloc(5); env.writeUInt32BE(req.length, 1);
    require("fs").writeFileSync("/tmp/grpc-req.bin", Buffer.concat([env, req]));'
  curl -sS -v --http2-prior-knowledge -X POST "$U/$P/Unary" -H 'content-type: application/grpc+proto' -H 'te: trailers' \
    --data-binary @/tmp/grpc-req.bin -o /tmp/grpc-res.bin 2>&1 | grep -E '^<' | tr -d '\r' | grep -iv '^< date:'
  bytes </tmp/grpc-res.bin
  rm -f /tmp/grpc-req.bin /tmp/grpc-res.bin
fi

// Many cancelled calls through the gateway to the real Dubbo Java 3.3.6 server. Each one makes the
// gateway reset its upstream stream (RST_STREAM), and Java's Netty closes a connection whose client
// sends over 200 of those in 30 s ("Maximum number of RST frames reached"), failing every call
// still on it. The gateway retires a connection after 100 resets (upstream-grpc.ts), so a call that
// lives through 300 cancels beside it still completes.
import { WebSocket } from "undici";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { Code, createClient, TripleError } from "triple-es";
import { createWebSocketTransport, type WebSocketConstructor } from "triple-es/websocket";
import { InteropService } from "../../gen/triple/interop/v1/interop_pb.js";
import { type GatewayChild, startGateway } from "../../gateway/gateway-process.js";

const CANCELS = 300;

let gateway: GatewayChild;

beforeAll(async () => {
  gateway = await startGateway(["--upstream", inject("java").url, "--upstream-protocol", "grpc", "--dev-cert", "--port", "0", "--ws-port", "0"]);
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
});

it(`a bidi call lives through ${CANCELS} cancelled calls on its upstream connection; every cancel ends Canceled`, async () => {
  const transport = createWebSocketTransport({ url: gateway.webSocketUrl!, WebSocket: WebSocket as unknown as WebSocketConstructor });
  try {
    const client = createClient(InteropService, transport);
    const bidi = client.bidiStream.open();
    const replies = bidi.responses.getReader();
    void bidi.send({ seq: 0 });
    expect((await replies.read()).value?.seq).toBe(0);

    const codes = new Map<string, number>();
    for (let i = 0; i < CANCELS; i++) {
      const abort = new AbortController();
      const it = client.serverStream({ count: 1000, size: 10, delayMs: 10 }, { signal: abort.signal })[Symbol.asyncIterator]();
      expect((await it.next()).value?.seq).toBe(0);
      abort.abort();
      const code = await it.next().then(
        () => "no error",
        (e: unknown) => (e instanceof TripleError ? Code[e.code] : String(e)),
      );
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    expect(Object.fromEntries(codes)).toEqual({ Canceled: CANCELS });

    // The call that was open the whole time still answers and ends cleanly.
    void bidi.send({ seq: 1 });
    expect((await replies.read()).value?.seq).toBe(1);
    bidi.close();
    expect((await replies.read()).done).toBe(true);
    expect((await client.unary({ text: "after" })).text).toBe("after");

    const retired = gateway.stderr.filter((l) => / streams reset; no new calls on it/.test(l));
    expect(retired.length).toBeGreaterThanOrEqual(Math.floor(CANCELS / 100) - 1);
    console.log(`[gateway resets] ${CANCELS} cancelled calls beside one bidi: ${retired.length} upstream connection(s) retired at 100 resets; the bidi and a later unary succeeded`);
  } finally {
    transport.close();
  }
}, 120_000);

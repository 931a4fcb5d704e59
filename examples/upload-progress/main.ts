// Upload progress (onUploadProgress) of a unary call and a client stream against a Triple server
// that streams request bodies (dubbo-js):
//   npx tsx examples/upload-progress/main.ts http://127.0.0.1:50051
import { createFetchTransport, type UploadProgress } from "triple-es";
import { createInteropServiceClient } from "../../test/gen/triple/interop/v1/interop_triple.js";

/** Runs the example against `baseUrl`, printing with `log`. */
export async function run(baseUrl: string, log: (line: string) => void = console.log): Promise<void> {
  const client = createInteropServiceClient(createFetchTransport({ baseUrl }));
  const show = ({ sentBytes, totalBytes, acknowledgedBytes }: UploadProgress) =>
    log(
      `  sent ${sentBytes} B${totalBytes !== undefined ? ` of ${totalBytes} B` : ""}` +
        `${acknowledgedBytes !== undefined ? `, ${acknowledgedBytes} B acknowledged` : ""}`,
    );

  log("unary with a 100,000-byte payload (one report, when the body is handed over):");
  await client.unary({ payload: new Uint8Array(100_000) }, { onUploadProgress: show });

  // Each request is larger than the write queue's 64 KiB batch, so each goes out as its own chunk.
  log("client stream of 4 requests of 64 KiB (a report per chunk fetch takes, then the total):");
  const requests = Array.from({ length: 4 }, (_, seq) => ({ seq, payload: new Uint8Array(64 * 1024) }));
  const res = await client.clientStream(requests, { onUploadProgress: show });
  log(`  the server read ${res.count} requests, ${res.bytes} payload bytes`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run(process.argv[2] ?? "http://127.0.0.1:50051");

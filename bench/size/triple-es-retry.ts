// triple-es with the opt-in retries (triple-es/retry) on the transport.
import { createFetchTransport, createUnaryFn } from "../../src/index.js";
import { retryPolicy } from "../../src/retry/index.js";
import { GreeterService, type SayRequestSchema, type SayResponseSchema } from "../gen/v2/triple/size/v1/size_pb.js";

export async function say(baseUrl: string, name: string): Promise<string> {
  const say = createUnaryFn<typeof SayRequestSchema, typeof SayResponseSchema>(
    GreeterService.methods[0]!,
    createFetchTransport({ baseUrl, retry: retryPolicy() }),
  );
  return (await say({ name })).sentence;
}

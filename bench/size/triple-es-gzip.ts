// triple-es with the opt-in gzip compression.
import { createFetchTransport, createUnaryFn } from "../../src/index.js";
import { gzip } from "../../src/gzip.js";
import { GreeterService, type SayRequestSchema, type SayResponseSchema } from "../gen/v2/triple/size/v1/size_pb.js";

export async function say(baseUrl: string, name: string): Promise<string> {
  const say = createUnaryFn<typeof SayRequestSchema, typeof SayResponseSchema>(
    GreeterService.methods[0]!,
    createFetchTransport({ baseUrl, compression: { accept: [gzip], send: gzip } }),
  );
  return (await say({ name })).sentence;
}

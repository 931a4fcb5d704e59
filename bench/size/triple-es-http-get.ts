// triple-es with the opt-in GET form for side-effect-free methods (triple-es/http-get).
import { createFetchTransport, createUnaryFn } from "../../src/index.js";
import { httpGet } from "../../src/http-get.js";
import { GreeterService, type SayRequestSchema, type SayResponseSchema } from "../gen/v2/triple/size/v1/size_pb.js";

export async function say(baseUrl: string, name: string): Promise<string> {
  const say = createUnaryFn<typeof SayRequestSchema, typeof SayResponseSchema>(
    GreeterService.methods[0]!,
    createFetchTransport({ baseUrl, httpGet: httpGet() }),
  );
  return (await say({ name })).sentence;
}

// triple-es with the opt-in JSON format.
import { createFetchTransport, createUnaryFn } from "../../src/index.js";
import { json } from "../../src/json.js";
import { GreeterService, type SayRequestSchema, type SayResponseSchema } from "../gen/v2/triple/size/v1/size_pb.js";

export async function say(baseUrl: string, name: string): Promise<string> {
  const say = createUnaryFn<typeof SayRequestSchema, typeof SayResponseSchema>(
    GreeterService.methods[0]!,
    createFetchTransport({ baseUrl, format: json() }),
  );
  return (await say({ name })).sentence;
}

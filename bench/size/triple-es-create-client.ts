// triple-es through the generic createClient (every call kind is reachable from it).
import { createClient, createFetchTransport } from "../../src/index.js";
import { GreeterService } from "../gen/v2/triple/size/v1/size_pb.js";

export async function say(baseUrl: string, name: string): Promise<string> {
  const client = createClient(GreeterService, createFetchTransport({ baseUrl }));
  return (await client.say({ name })).sentence;
}

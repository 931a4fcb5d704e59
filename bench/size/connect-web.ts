// @connectrpc/connect-web 2.x, Connect protocol, binary (its own protobuf-es v2 copy).
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { GreeterService } from "../gen/v2/triple/size/v1/size_pb.js";

export async function say(baseUrl: string, name: string): Promise<string> {
  const client = createClient(GreeterService, createConnectTransport({ baseUrl, useBinaryFormat: true }));
  return (await client.say({ name })).sentence;
}

// @apachedubbo/dubbo-web 3.0.0-alpha, binary (protobuf-es v1).
import { createPromiseClient } from "@apachedubbo/dubbo";
import { createDubboTransport } from "@apachedubbo/dubbo-web";
import { GreeterService } from "../gen/v1/triple/size/v1/size_dubbo.js";

export async function say(baseUrl: string, name: string): Promise<string> {
  const client = createPromiseClient(GreeterService, createDubboTransport({ baseUrl, useBinaryFormat: true }));
  return (await client.say({ name })).sentence;
}

// The floor: protobuf-es v2 create / toBinary / fromBinary and a plain fetch, nothing else.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { SayRequestSchema, SayResponseSchema } from "../gen/v2/triple/size/v1/size_pb.js";

export async function say(baseUrl: string, name: string): Promise<string> {
  const res = await fetch(`${baseUrl}/triple.size.v1.GreeterService/Say`, {
    method: "POST",
    headers: { "content-type": "application/proto", "tri-protocol-version": "1.0.0" },
    body: toBinary(SayRequestSchema, create(SayRequestSchema, { name })),
  });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  return fromBinary(SayResponseSchema, new Uint8Array(await res.arrayBuffer())).sentence;
}

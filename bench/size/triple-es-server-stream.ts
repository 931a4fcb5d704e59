// triple-es, as a generated client of a service with a unary and a server-streaming method does
// it: the common read-only API shape. It should carry the receive side only, none of the send
// side (write queue, request-streaming detection).
import { createFetchTransport, createServerStreamFn, createUnaryFn } from "../../src/index.js";
import { BenchService } from "../gen/v2/triple/bench/v1/bench_pb.js";

export function client(baseUrl: string) {
  const transport = createFetchTransport({ baseUrl });
  const [unary, serverStream] = BenchService.methods;
  return {
    unary: createUnaryFn(unary!, transport),
    serverStream: createServerStreamFn(serverStream!, transport),
  };
}

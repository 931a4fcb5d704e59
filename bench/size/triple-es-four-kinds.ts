// triple-es, as a generated client of a service with all four call kinds does it: one per-kind
// factory per method (createUnaryFn, createServerStreamFn, createClientStreamFn, createBidiStreamFn).
import {
  createBidiStreamFn,
  createClientStreamFn,
  createFetchTransport,
  createServerStreamFn,
  createUnaryFn,
} from "../../src/index.js";
import { BenchService } from "../gen/v2/triple/bench/v1/bench_pb.js";

export function client(baseUrl: string) {
  const transport = createFetchTransport({ baseUrl });
  const [unary, serverStream, clientStream, bidiStream] = BenchService.methods;
  return {
    unary: createUnaryFn(unary!, transport),
    serverStream: createServerStreamFn(serverStream!, transport),
    clientStream: createClientStreamFn(clientStream!, transport),
    bidiStream: createBidiStreamFn(bidiStream!, transport),
  };
}

package interop;

import org.apache.dubbo.common.stream.StreamObserver;
import org.apache.dubbo.remoting.http12.rest.Mapping;

import triple.interop.v1.BidiRequest;
import triple.interop.v1.BidiResponse;
import triple.interop.v1.ClientStreamRequest;
import triple.interop.v1.ClientStreamResponse;
import triple.interop.v1.DubboCamelInteropServiceTriple;
import triple.interop.v1.ReleaseHoldRequest;
import triple.interop.v1.ReleaseHoldResponse;
import triple.interop.v1.ServerStreamRequest;
import triple.interop.v1.ServerStreamResponse;
import triple.interop.v1.StreamStatsRequest;
import triple.interop.v1.StreamStatsResponse;
import triple.interop.v1.UnaryRequest;
import triple.interop.v1.UnaryResponse;

/**
 * triple.interop.v1.CamelInteropService, delegating to {@link Behaviour}.
 *
 * <p>The generated ImplBase also declares the unary methods as m(request, StreamObserver). Dubbo
 * 3.3.6 maps both overloads to the same HTTP path, and unary JSON then answers 500 "Ambiguous
 * mapping": the StreamObserver overloads are overridden here with @Mapping(enabled = false). They
 * are still what Dubbo's stub invoker calls (HTTP and gRPC alike).
 */
final class CamelImpl extends DubboCamelInteropServiceTriple.CamelInteropServiceImplBase {

    private final Behaviour b;

    CamelImpl(String servedBy) {
        this.b = new Behaviour(servedBy);
    }

    @Override
    public UnaryResponse unary(UnaryRequest request) {
        return b.unary(request);
    }

    @Override
    @Mapping(enabled = false)
    public void unary(UnaryRequest request, StreamObserver<UnaryResponse> responseObserver) {
        b.unaryAsync(request, responseObserver, b::unary);
    }

    @Override
    public StreamStatsResponse getStreamStats(StreamStatsRequest request) {
        return b.getStreamStats(request);
    }

    @Override
    @Mapping(enabled = false)
    public void getStreamStats(StreamStatsRequest request, StreamObserver<StreamStatsResponse> responseObserver) {
        b.unaryAsync(request, responseObserver, b::getStreamStats);
    }

    @Override
    public ReleaseHoldResponse releaseHold(ReleaseHoldRequest request) {
        return b.releaseHold(request);
    }

    @Override
    @Mapping(enabled = false)
    public void releaseHold(ReleaseHoldRequest request, StreamObserver<ReleaseHoldResponse> responseObserver) {
        b.unaryAsync(request, responseObserver, b::releaseHold);
    }

    @Override
    public void serverStream(ServerStreamRequest request, StreamObserver<ServerStreamResponse> responseObserver) {
        b.serverStream(request, responseObserver);
    }

    @Override
    public StreamObserver<ClientStreamRequest> clientStream(StreamObserver<ClientStreamResponse> responseObserver) {
        return b.clientStream(responseObserver);
    }

    @Override
    public StreamObserver<BidiRequest> bidiStream(StreamObserver<BidiResponse> responseObserver) {
        return b.bidiStream(responseObserver);
    }
}
